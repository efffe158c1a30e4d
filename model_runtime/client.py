"""A ``ChatModel`` over HTTP to any OpenAI-compatible server (kefu model serve, vLLM, ...).

``OpenAIClient("http://127.0.0.1:8001/v1")``: the base URL includes ``/v1`` as with the
official client. HTTP errors become kefu's: 400 InvalidRequestError, 429 QueueFullError,
503 or an unreachable server ModelUnavailableError, anything else RemoteModelError.
Close it with :meth:`OpenAIClient.aclose`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from model_runtime.exceptions import (
    InvalidRequestError,
    ModelRuntimeError,
    ModelUnavailableError,
    QueueFullError,
    RemoteModelError,
)
from model_runtime.sse import SSEDecoder
from model_runtime.types import ChatMessage, Completion, SamplingParams


class OpenAIClient:
    """Talks to ``base_url``; ``model=None`` lets the server pick (kefu serves one model)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        model: str | None = None,
        *,
        timeout: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self._model = model

    @property
    def name(self) -> str:
        """The model asked for, or the one the server last answered with ("" before that)."""
        return self._model or ""

    async def models(self) -> list[str]:
        """The model ids the server lists."""
        response = await self._send("GET", "/models")
        return [entry["id"] for entry in response.json().get("data", [])]

    async def complete(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Completion:
        response = await self._send("POST", "/chat/completions", json=self._body(messages, params))
        body = response.json()
        choice = body["choices"][0]
        usage = body.get("usage") or {}
        self._model = self._model or body.get("model")
        reason = choice.get("finish_reason") or "stop"
        return Completion(
            text=choice["message"].get("content") or "",
            finish_reason="length" if reason == "length" else "stop",
            model=body.get("model", self.name),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            temperatures=tuple(body.get("kefu", {}).get("temperatures", ())),
        )

    async def stream(
        self, messages: Sequence[ChatMessage], params: SamplingParams
    ) -> AsyncIterator[str]:
        body = self._body(messages, params, stream=True)
        try:
            async with self._http.stream("POST", "/chat/completions", json=body) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise _error_from(response)
                decoder = SSEDecoder()
                async for chunk in response.aiter_bytes():
                    for event in decoder.feed(chunk):
                        if event.data == "[DONE]":
                            return
                        data = json.loads(event.data)
                        if "error" in data:
                            raise RemoteModelError(data["error"].get("message", str(data)))
                        self._model = self._model or data.get("model")
                        for choice in data.get("choices", ()):
                            text = (choice.get("delta") or {}).get("content")
                            if text:
                                yield text
        except httpx.TransportError as error:
            raise ModelUnavailableError(f"cannot reach {self._http.base_url}: {error}") from error

    async def aclose(self) -> None:
        await self._http.aclose()

    def _body(
        self, messages: Sequence[ChatMessage], params: SamplingParams, *, stream: bool = False
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
            "stream": stream,
        }
        if self._model:
            body["model"] = self._model
        if params.stop:
            body["stop"] = list(params.stop)
        if params.seed is not None:
            body["seed"] = params.seed
        # Extensions only when used, so that strict servers see a plain OpenAI request.
        if params.top_k:
            body["top_k"] = params.top_k
        if params.min_p:
            body["min_p"] = params.min_p
        if params.repetition_penalty != 1.0:
            body["repetition_penalty"] = params.repetition_penalty
        if params.ignore_eos:
            body["ignore_eos"] = True
        if params.dynamic_temperature is not None:
            d = params.dynamic_temperature
            body["dynamic_temperature"] = {
                "kind": d.kind,
                "t_min": d.t_min,
                "t_max": d.t_max,
                "exponent": d.exponent,
                "t0": d.t0,
                "n": d.n,
                "theta": d.theta,
            }
        return body

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise ModelUnavailableError(f"cannot reach {self._http.base_url}: {error}") from error
        if response.status_code >= 400:
            raise _error_from(response)
        return response


def _error_from(response: httpx.Response) -> ModelRuntimeError:
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text[:500]
    status = response.status_code
    if status == 400:
        return InvalidRequestError(message)
    if status == 429:
        return QueueFullError(message)
    if status == 503:
        return ModelUnavailableError(message)
    return RemoteModelError(f"HTTP {status}: {message}", status_code=status)
