"""The OpenAI-compatible HTTP service around any ``ChatModel`` (``kefu model serve``).

``POST /v1/chat/completions`` (JSON or server-sent events), ``GET /v1/models``,
``/healthz`` and ``/metrics``. Domain errors become HTTP statuses here and nowhere else:
bad request 400, unknown model 404, queue full 429, no model 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable
from contextlib import aclosing, asynccontextmanager
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

from model_runtime.engine import Engine, EngineState
from model_runtime.exceptions import (
    InvalidRequestError,
    ModelRuntimeError,
    ModelUnavailableError,
    QueueFullError,
)
from model_runtime.openai_api import (
    ChatCompletionRequest,
    chunk_body,
    completion_body,
    error_body,
    models_body,
    new_completion_id,
    to_messages,
    to_params,
)
from model_runtime.scheduler import Finished, TextDelta
from model_runtime.sse import encode_event
from model_runtime.types import ChatMessage, ChatModel, Completion, SamplingParams

T = TypeVar("T")
logger = logging.getLogger(__name__)

# How often a non-streaming request checks whether its client went away.
_DISCONNECT_POLL_S = 0.25


def create_server_app(
    engine: ChatModel,
    *,
    default_params: SamplingParams | None = None,
    reload_on_sighup: bool = False,
) -> FastAPI:
    """A FastAPI app serving ``engine``; run it with uvicorn. It does not close the engine.

    ``reload_on_sighup``: on SIGHUP an :class:`Engine` hot-reloads its model from the same
    source (a new version written in place); needs uvicorn in the main thread.
    """
    defaults = default_params or SamplingParams()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if reload_on_sighup and isinstance(engine, Engine):
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(_reload(engine)))
        yield

    app = FastAPI(title="kefu model runtime", version="1", lifespan=lifespan)
    started = int(time.time())
    http_registry = CollectorRegistry()
    responses = Counter(
        "kefu_model_http_responses",
        "HTTP responses by status.",
        ["status"],
        registry=http_registry,
    )
    engine_registry = engine.metrics_registry if isinstance(engine, Engine) else None

    def error(status: int, message: str, kind: str, code: str | None = None) -> JSONResponse:
        responses.labels(str(status)).inc()
        headers = {"Retry-After": "1"} if status in (429, 503) else None
        return JSONResponse(error_body(message, kind=kind, code=code), status, headers=headers)

    def from_exception(exc: ModelRuntimeError) -> JSONResponse:
        if isinstance(exc, InvalidRequestError):
            return error(400, str(exc), "invalid_request_error")
        if isinstance(exc, QueueFullError):
            return error(429, str(exc), "rate_limit_error", "queue_full")
        if isinstance(exc, ModelUnavailableError):
            return error(503, str(exc), "service_unavailable", "model_unavailable")
        return error(500, str(exc), "server_error")

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error(400, f"invalid request: {exc.errors()}", "invalid_request_error")

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        if isinstance(engine, Engine) and engine.state != EngineState.READY:
            return JSONResponse({"status": engine.state.name.lower(), "model": engine.name}, 503)
        return JSONResponse({"status": "ok", "model": engine.name})

    @app.get("/metrics")
    async def metrics() -> Response:
        body = generate_latest(http_registry)
        if engine_registry is not None:
            body = generate_latest(engine_registry) + body
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/models")
    async def models() -> JSONResponse:
        return JSONResponse(models_body([engine.name], created=started))

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(
        body: ChatCompletionRequest, request: Request
    ) -> JSONResponse | StreamingResponse:
        if body.model not in (None, "", engine.name):
            return error(
                404,
                f"model {body.model!r} is not served here; this server has {engine.name!r}",
                "invalid_request_error",
                "model_not_found",
            )
        try:
            messages = to_messages(body)
            params = to_params(body, defaults)
        except ModelRuntimeError as exc:
            return from_exception(exc)
        completion_id = new_completion_id()
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            stream = _events(engine, messages, params)
            try:
                # The first event is awaited here, so that a full queue or a dead model is
                # an HTTP status, not an error inside a 200 stream.
                first = await anext(stream)
            except StopAsyncIteration:
                first = None
            except ModelRuntimeError as exc:
                await stream.aclose()
                return from_exception(exc)
            responses.labels("200").inc()
            return StreamingResponse(
                _sse(first, stream, completion_id, engine.name, include_usage),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        try:
            completion = await _until_disconnected(request, engine.complete(messages, params))
        except ModelRuntimeError as exc:
            return from_exception(exc)
        if completion is None:  # the client went away; nobody reads this
            return error(499, "client closed the request", "client_closed")
        responses.labels("200").inc()
        return JSONResponse(completion_body(completion, completion_id=completion_id))

    return app


async def _reload(engine: Engine) -> None:
    try:
        await engine.reload()
    except ModelRuntimeError:
        logger.exception("hot reload failed; still serving %s", engine.name)
    else:
        logger.warning("hot reload done: serving %s (%s)", engine.name, engine.loaded.revision)


async def _events(
    engine: ChatModel, messages: list[ChatMessage], params: SamplingParams
) -> AsyncGenerator[TextDelta | Finished, None]:
    """Deltas then Finished, from the engine's own events or from any ChatModel's stream."""
    if isinstance(engine, Engine):
        async with aclosing(engine.events(messages, params)) as events:
            async for event in events:
                yield event
        return
    pieces: list[str] = []
    async with aclosing(engine.stream(messages, params)) as stream:  # type: ignore[type-var]
        async for piece in stream:
            pieces.append(piece)
            yield TextDelta(piece)
    yield Finished(Completion("".join(pieces), "stop", engine.name, completion_tokens=len(pieces)))


async def _sse(
    first: TextDelta | Finished | None,
    events: AsyncGenerator[TextDelta | Finished, None],
    completion_id: str,
    model: str,
    include_usage: bool,
) -> AsyncIterator[bytes]:
    created = int(time.time())

    def chunk(delta: dict[str, str], finish: Completion | None = None) -> bytes:
        body = chunk_body(
            completion_id=completion_id,
            model=model,
            created=created,
            delta=delta,
            finish=finish,
            include_usage=include_usage,
        )
        return encode_event(json.dumps(body, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    try:
        pending = [first] if first is not None else []
        async with aclosing(events):
            while True:
                event = pending.pop() if pending else await anext(events, None)
                if event is None:
                    break
                if isinstance(event, TextDelta):
                    yield chunk({"content": event.text})
                else:
                    yield chunk({}, finish=event.completion)
    except ModelRuntimeError as exc:
        # Headers are gone: report in-band, as vLLM does, then end the stream.
        yield encode_event(json.dumps(error_body(str(exc), kind="server_error")))
    yield encode_event("[DONE]")


async def _until_disconnected(request: Request, work: Awaitable[T]) -> T | None:
    """``await work``, but cancel it (and return None) if the client disconnects first."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=_DISCONNECT_POLL_S)
            if done:
                return task.result()
            if await request.is_disconnected():
                task.cancel()
                return None
    finally:
        if not task.done():
            task.cancel()
