"""The in-process engine: a :class:`ChatModel` backed by a scheduler that owns a local model.

Build one with :func:`model_runtime.load_chat_model`. It is safe to share across tasks of
one event loop; every request goes through the scheduler's queue and batch. Close it with
:meth:`Engine.aclose`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from prometheus_client import CollectorRegistry

from model_runtime.devices import prime_cpu_threads
from model_runtime.exceptions import (
    InvalidRequestError,
    ModelRuntimeError,
    ModelUnavailableError,
    QueueFullError,
)
from model_runtime.loading import LoadedModel, Quantization, load_model
from model_runtime.metrics import RuntimeMetrics
from model_runtime.prompting import PromptLimits, build_prompt
from model_runtime.response_cache import ResponseCache
from model_runtime.sampling import check_sampling_params, is_deterministic
from model_runtime.scheduler import (
    BatchLimits,
    Event,
    Failed,
    Finished,
    Scheduler,
    TextDelta,
)
from model_runtime.types import ChatMessage, Completion, SamplingParams

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How models are loaded, kept for hot reloads."""

    device: str = "auto"
    dtype: str = "auto"
    cache_dir: Path | None = None
    quantize: Quantization | None = None


class EngineState(IntEnum):
    LOADING = 0
    READY = 1
    FAILED = 2  # the model could not be loaded
    CLOSED = 3


class Engine:
    """Answers chat messages with a local model; implements ``ChatModel``."""

    def __init__(
        self,
        loaded: LoadedModel | None,
        *,
        load_options: LoadOptions | None = None,
        batch_limits: BatchLimits | None = None,
        prompt_limits: PromptLimits | None = None,
        response_cache_size: int = 1024,
        registry: CollectorRegistry | None = None,
        pending_name: str = "",
    ) -> None:
        self.load_options = load_options or LoadOptions()
        self.batch_limits = batch_limits or BatchLimits()
        self.prompt_limits = prompt_limits or PromptLimits()
        self.metrics = RuntimeMetrics(registry)
        self.cache = ResponseCache(response_cache_size)
        self._scheduler: Scheduler | None = None
        self._retired: list[Scheduler] = []
        self._pending_name = pending_name
        self._load_error: BaseException | None = None
        self.state = EngineState.LOADING
        prime_cpu_threads()
        if loaded is not None:
            self.install(loaded)

    # ---- ChatModel ------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._scheduler.loaded.name if self._scheduler else self._pending_name

    @property
    def metrics_registry(self) -> CollectorRegistry:
        return self.metrics.registry

    @property
    def loaded(self) -> LoadedModel:
        """The model answering new requests; raises ModelUnavailableError if there is none."""
        return self._current().loaded

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        *,
        cache_namespace: str = "",
    ) -> Completion:
        """The whole answer. Cancelling the awaiting task takes the request out of the batch."""
        async with aclosing(
            self.events(messages, params, cache_namespace=cache_namespace)
        ) as events:
            async for event in events:
                if isinstance(event, Finished):
                    return event.completion
        raise ModelUnavailableError(f"{self.name} ended a request without an answer")

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        *,
        cache_namespace: str = "",
    ) -> AsyncGenerator[str, None]:
        """Text pieces as they are generated (whole characters only); close it to cancel."""
        async with aclosing(
            self.events(messages, params, cache_namespace=cache_namespace)
        ) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    yield event.text

    async def events(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        *,
        cache_namespace: str = "",
    ) -> AsyncGenerator[TextDelta | Finished, None]:
        """Text deltas, then one :class:`Finished` with the completion (temperatures included).

        Raises InvalidRequestError, QueueFullError or ModelUnavailableError before or while
        streaming; closing the iterator early cancels the request.
        """
        try:
            check_sampling_params(params, max_output_tokens=self.prompt_limits.max_output_tokens)
        except ModelRuntimeError as error:
            self.metrics.errors.labels(_error_kind(error)).inc()
            raise
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue()

        def sink(event: Event) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                ticket.cancel()

        # A hot reload may swap the scheduler while the prompt is built; then the request is
        # prepared again for the new model (its tokenizer may differ) instead of failing.
        for attempt in range(3):
            try:
                scheduler = self._current()
                loaded = scheduler.loaded
                prompt = await asyncio.to_thread(
                    build_prompt,
                    loaded.tokenizer,
                    messages,
                    max_new_tokens=params.max_tokens,
                    limits=self.prompt_limits,
                    max_positions=loaded.max_positions,
                )
            except ModelRuntimeError as error:
                self.metrics.errors.labels(_error_kind(error)).inc()
                raise
            key = None
            if is_deterministic(params) and self.cache.max_entries:
                key = self.cache.key(
                    namespace=cache_namespace,
                    model=f"{loaded.name}@{loaded.revision}",
                    prompt=prompt.token_ids,
                    params=params,
                )
                cached = self.cache.get(key)
                self.metrics.response_cache.labels("hit" if cached else "miss").inc()
                if cached is not None:
                    if cached.text:
                        yield TextDelta(cached.text)
                    yield Finished(cached)
                    return
            try:
                ticket = scheduler.submit(prompt.token_ids, params, sink)
                break
            except ModelRuntimeError as error:
                replaced = self._scheduler is not scheduler
                if not (isinstance(error, ModelUnavailableError) and replaced and attempt < 2):
                    self.metrics.errors.labels(_error_kind(error)).inc()
                    raise
        done = False
        try:
            while True:
                event = await queue.get()
                if isinstance(event, Failed):
                    done = True
                    raise event.error
                if isinstance(event, Finished):
                    done = True
                    if key is not None:
                        self.cache.put(key, event.completion)
                    yield event
                    return
                yield event
        finally:
            if not done:
                ticket.cancel()

    # ---- lifecycle -----------------------------------------------------------------------

    def load_in_background(self, load: Callable[[], LoadedModel]) -> threading.Thread:
        """Load the first model in a thread; until it is ready requests fail fast."""

        def run() -> None:
            try:
                loaded = load()
            except BaseException as error:
                logger.exception("could not load %s", self._pending_name)
                self._load_error = error
                self.state = EngineState.FAILED
                return
            if self.state == EngineState.CLOSED:
                return
            self.install(loaded)

        thread = threading.Thread(target=run, name="kefu-model-loader", daemon=True)
        thread.start()
        return thread

    async def reload(self, name_or_path: str | None = None, **load_options: object) -> None:
        """Load a new model (version) and switch to it without failing any request.

        Requests already queued or running finish on the old model; new ones go to the new
        one as soon as it is loaded. A failed load raises ModelLoadError and changes nothing.
        """
        options = dataclasses.replace(self.load_options, **load_options)  # type: ignore[arg-type]
        current = self._scheduler.loaded if self._scheduler else None
        target = name_or_path or (current.source if current else "") or self._pending_name
        loaded = await asyncio.to_thread(
            load_model,
            target,
            device=options.device,
            dtype=options.dtype,
            cache_dir=options.cache_dir,
            quantize=options.quantize,
        )
        if self.state == EngineState.CLOSED:
            raise ModelUnavailableError("the engine was closed while the new model loaded")
        self.load_options = options
        self.install(loaded)
        self.metrics.reloads.inc()

    def install(self, loaded: LoadedModel) -> None:
        """Serve ``loaded`` from now on; the previous model finishes its requests, then goes."""
        new = Scheduler(loaded, limits=self.batch_limits, metrics=self.metrics)
        old, self._scheduler = self._scheduler, new
        self.state = EngineState.READY
        if old is not None:
            old.drain()
            self._retired = [s for s in self._retired if s.alive] + [old]

    async def aclose(self) -> None:
        """Stop the worker(s); requests still running fail with ModelUnavailableError."""
        self.state = EngineState.CLOSED
        schedulers = [s for s in (self._scheduler, *self._retired) if s is not None]
        for scheduler in schedulers:
            await asyncio.to_thread(scheduler.close)
        self._retired = []

    def _current(self) -> Scheduler:
        scheduler = self._scheduler
        if self.state == EngineState.CLOSED:
            raise ModelUnavailableError(f"the engine for {self.name} is closed")
        if scheduler is None:
            if self.state == EngineState.FAILED:
                raise ModelUnavailableError(
                    f"{self._pending_name} could not be loaded: {self._load_error}"
                )
            raise ModelUnavailableError(f"{self._pending_name} is still loading; retry shortly")
        if not scheduler.accepting:
            raise ModelUnavailableError(scheduler.unavailable_reason)
        return scheduler


def _error_kind(error: ModelRuntimeError) -> str:
    if isinstance(error, QueueFullError):
        return "queue_full"
    if isinstance(error, InvalidRequestError):
        return "invalid_request"
    if isinstance(error, ModelUnavailableError):
        return "unavailable"
    return "internal"


def load_chat_model(
    name_or_path: str,
    *,
    device: str = "auto",
    dtype: str = "auto",
    cache_dir: Path | None = None,
    quantize: Quantization | None = None,
    max_batch_size: int = 256,
    max_queued: int = 1024,
    max_input_tokens: int = 8192,
    max_output_tokens: int = 2048,
    response_cache_size: int = 1024,
    background: bool = False,
    registry: CollectorRegistry | None = None,
) -> Engine:
    """An in-process engine for ``name_or_path`` (packaged name, HF dir, .gguf file, hub id).

    ``background=True`` returns at once and loads in a thread: until the model is ready,
    and for good if it fails to load, requests raise ModelUnavailableError (fall back to
    composed answers). Otherwise loading errors raise ModelLoadError here.
    ``quantize="int8"`` applies dynamic int8 quantization (CPU only).
    """
    options = LoadOptions(device=device, dtype=dtype, cache_dir=cache_dir, quantize=quantize)

    def load() -> LoadedModel:
        return load_model(
            name_or_path, device=device, dtype=dtype, cache_dir=cache_dir, quantize=quantize
        )

    engine = Engine(
        None,
        load_options=options,
        batch_limits=BatchLimits(max_batch_size=max_batch_size, max_queued=max_queued),
        prompt_limits=PromptLimits(
            max_input_tokens=max_input_tokens, max_output_tokens=max_output_tokens
        ),
        response_cache_size=response_cache_size,
        registry=registry,
        pending_name=name_or_path,
    )
    if background:
        engine.load_in_background(load)
    else:
        engine.install(load())
    return engine
