"""The OpenAI chat-completions wire format, and its mapping to kefu's value objects.

Pure: pydantic models and functions from request to (messages, params) and from results to
response bodies. kefu's extensions, which other OpenAI-compatible servers ignore:

* request: ``top_k``, ``min_p``, ``repetition_penalty`` (as vLLM), and
  ``dynamic_temperature: {"kind": "minmax", "t_min": 0, "t_max": 0.3, "exponent": 1}``
  (or ``{"kind": "edt", "t0": 1.0, "n": 0.8, "theta": 1.0}``);
* response (and the last stream chunk): ``"kefu": {"temperatures": [...]}``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from model_runtime.exceptions import InvalidRequestError
from model_runtime.types import ChatMessage, Completion, DynamicTemperature, SamplingParams

T = TypeVar("T")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant", "developer"]
    content: str | list[dict[str, Any]] | None = None


class DynamicTemperatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["edt", "minmax"] = "minmax"
    t_min: float = 0.0
    t_max: float = 1.0
    exponent: float = 1.0
    t0: float = 1.0
    n: float = 0.8
    theta: float = 1.0


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str | None = None
    messages: list[MessageIn] = Field(min_length=1)
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    stop: str | list[str] | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    seed: int | None = None
    n: int = 1
    # kefu and vLLM extensions
    top_k: int | None = None
    min_p: float | None = None
    repetition_penalty: float | None = None
    dynamic_temperature: DynamicTemperatureIn | None = None
    ignore_eos: bool = False


def to_messages(request: ChatCompletionRequest) -> list[ChatMessage]:
    """Chat messages; ``developer`` counts as ``system``, content parts are joined as text."""
    messages = []
    for m in request.messages:
        if isinstance(m.content, list):
            content = "".join(str(p.get("text", "")) for p in m.content if p.get("type") == "text")
        else:
            content = m.content or ""
        role = "system" if m.role == "developer" else m.role
        messages.append(ChatMessage(role, content))
    return messages


def to_params(request: ChatCompletionRequest, defaults: SamplingParams) -> SamplingParams:
    """Sampling parameters: what the request sets, ``defaults`` for the rest."""
    if request.n != 1:
        raise InvalidRequestError("only n=1 is supported; send several requests instead")
    stop = request.stop
    stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
    dynamic = request.dynamic_temperature
    max_tokens = request.max_completion_tokens or request.max_tokens
    return SamplingParams(
        temperature=_or(request.temperature, defaults.temperature),
        top_p=_or(request.top_p, defaults.top_p),
        top_k=_or(request.top_k, defaults.top_k),
        min_p=_or(request.min_p, defaults.min_p),
        repetition_penalty=_or(request.repetition_penalty, defaults.repetition_penalty),
        max_tokens=_or(max_tokens, defaults.max_tokens),
        stop=stops or defaults.stop,
        seed=request.seed,
        dynamic_temperature=DynamicTemperature(**dynamic.model_dump()) if dynamic else None,
        ignore_eos=request.ignore_eos,
    )


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def new_completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def _usage(completion: Completion) -> dict[str, int]:
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
    }


def _finish_reason(completion: Completion) -> str:
    # OpenAI knows stop and length; a cancelled or failed request has no body to send.
    return completion.finish_reason if completion.finish_reason in ("stop", "length") else "stop"


def completion_body(completion: Completion, *, completion_id: str) -> dict[str, Any]:
    """A ``chat.completion`` response body."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": completion.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": completion.text},
                "finish_reason": _finish_reason(completion),
                "logprobs": None,
            }
        ],
        "usage": _usage(completion),
        "kefu": {"temperatures": list(completion.temperatures)},
    }


def chunk_body(
    *,
    completion_id: str,
    model: str,
    created: int,
    delta: dict[str, str],
    finish: Completion | None = None,
    include_usage: bool = False,
) -> dict[str, Any]:
    """A ``chat.completion.chunk``; the one with ``finish`` carries the reason and temperatures."""
    body: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "delta": delta,
                "finish_reason": _finish_reason(finish) if finish else None,
                "logprobs": None,
            }
        ],
    }
    if finish is not None:
        body["kefu"] = {"temperatures": list(finish.temperatures)}
        if include_usage:
            body["usage"] = _usage(finish)
    return body


def error_body(message: str, *, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code, "param": None}}


def models_body(names: list[str], *, created: int) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {"id": n, "object": "model", "created": created, "owned_by": "kefu"} for n in names
        ],
    }
