"""Continuous batching: one decoding loop in a worker thread that owns the model.

Requests wait in a bounded FIFO queue. Before each decoding step the worker admits waiting
requests in arrival order (up to ``max_batch_size`` rows): the newcomers' prompts are
prefilled together in one left-padded forward pass, and their KV cache is merged into the
running batch's cache. The batch
cache is left-padded to a common length; padded positions hold zeros and are masked out,
and each row carries its own position ids, so a row decodes exactly as it would alone.
Finished and cancelled rows leave the batch after the step; columns that only held padding
are trimmed.

The worker talks to callers through a ``sink`` callable per request (thread-safe, e.g.
``loop.call_soon_threadsafe``) that receives :data:`Event` values; a caller that goes away
calls :meth:`Ticket.cancel` and the row leaves the batch at the next step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal

import torch
from transformers import DynamicCache

from model_runtime.detokenize import Decoder, IncrementalDetokenizer
from model_runtime.exceptions import InvalidRequestError, ModelUnavailableError, QueueFullError
from model_runtime.loading import LoadedModel
from model_runtime.metrics import RuntimeMetrics
from model_runtime.sampling import SamplingPlan, build_plan, sample_next_tokens
from model_runtime.stopping import StopMatcher
from model_runtime.types import Completion, SamplingParams

logger = logging.getLogger(__name__)

# Tokens that end a turn in common chat templates, when the tokenizer knows them.
_END_OF_TURN_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<end_of_turn>", "</s>")


@dataclass(frozen=True, slots=True)
class BatchLimits:
    """Knobs of the scheduler. Defaults suit a CPU; raise ``max_batch_size`` on a GPU."""

    max_batch_size: int = 256
    max_queued: int = 1024
    # Prompt tokens prefilled before the next decoding step, so newcomers do not stall the
    # running rows for long; one newcomer is always admitted when there is room.
    max_prefill_tokens_per_step: int = 4096

    def __post_init__(self) -> None:
        if not 1 <= self.max_batch_size <= 256:
            raise ValueError(f"max_batch_size must be in [1, 256]; got {self.max_batch_size}")
        if self.max_queued < 0:
            raise ValueError(f"max_queued must be >= 0; got {self.max_queued}")
        if self.max_prefill_tokens_per_step < 1:
            raise ValueError("max_prefill_tokens_per_step must be >= 1")


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Finished:
    completion: Completion


@dataclass(frozen=True, slots=True)
class Failed:
    error: Exception


Event = TextDelta | Finished | Failed
FinishReason = Literal["stop", "length", "cancelled"]
Sink = Callable[[Event], None]


class SchedulerState(IntEnum):
    RUNNING = 0
    DRAINING = 1  # finishing what it has, accepting nothing new (hot reload)
    STOPPED = 2
    FAILED = 3


class SlotState(IntEnum):
    WAITING = 0
    RUNNING = 1
    DONE = 2


@dataclass(eq=False)
class Ticket:
    """One request's place in the scheduler; :meth:`cancel` it when the caller goes away."""

    prompt_ids: list[int]
    params: SamplingParams
    sink: Sink
    submitted_at: float = field(default_factory=time.monotonic)
    cancelled: bool = False
    state: SlotState = SlotState.WAITING

    def cancel(self) -> None:
        # A plain flag: the worker reads it before every step.
        self.cancelled = True


class _Slot:
    """A running row: its sampler state, text so far, and the token to feed next."""

    def __init__(self, ticket: Ticket, tokenizer: Decoder, device: torch.device) -> None:
        self.ticket = ticket
        self.params = ticket.params
        self.detokenizer = IncrementalDetokenizer(tokenizer)
        self.stop = StopMatcher(ticket.params.stop)
        self.generated: list[int] = []
        self.temperatures: list[float] = []
        self.text: list[str] = []
        self.position = len(ticket.prompt_ids)  # real tokens in the cache for this row
        self.pending = -1  # sampled, not yet in the cache
        self.first_token_at: float | None = None
        self.finish_reason: FinishReason | None = None
        self.generator = torch.Generator(device=device)
        if ticket.params.seed is not None:
            self.generator.manual_seed(ticket.params.seed)
        else:
            self.generator.seed()

    def emit(self, text: str) -> None:
        if text:
            self.text.append(text)
            self.ticket.sink(TextDelta(text))


class Scheduler:
    """Owns a loaded model and runs its decoding loop; :meth:`submit` requests to it."""

    def __init__(
        self,
        loaded: LoadedModel,
        *,
        limits: BatchLimits | None = None,
        metrics: RuntimeMetrics | None = None,
    ) -> None:
        self.loaded = loaded
        self.limits = limits or BatchLimits()
        self.metrics = metrics or RuntimeMetrics()
        self.state = SchedulerState.RUNNING
        self.failure: BaseException | None = None
        self.eos_ids = _end_of_turn_ids(loaded)
        self._queue: deque[Ticket] = deque()
        self._cond = threading.Condition()
        # Worker-only state.
        self._slots: list[_Slot] = []
        self._cache: DynamicCache | None = None
        self._mask: torch.Tensor | None = None  # [batch, columns], 1 = real token
        self._plan: SamplingPlan | None = None
        self._admitting: list[Ticket] = []  # taken from the queue, not yet in the batch
        self._thread = threading.Thread(
            target=self._run, name=f"kefu-model-{loaded.name}", daemon=True
        )
        self._thread.start()

    # ---- caller side (any thread) ----------------------------------------------------------

    def submit(self, prompt_ids: Sequence[int], params: SamplingParams, sink: Sink) -> Ticket:
        """Queue a request; events go to ``sink`` from the worker thread.

        Raises QueueFullError when ``max_queued`` requests already wait, and
        ModelUnavailableError when the worker is not running.
        """
        if not prompt_ids:
            raise InvalidRequestError("the prompt is empty; send at least one message")
        ticket = Ticket(list(prompt_ids), params, sink)
        with self._cond:
            if self.state != SchedulerState.RUNNING:
                raise ModelUnavailableError(self.unavailable_reason)
            if len(self._queue) >= self.limits.max_queued:
                raise QueueFullError(
                    f"{len(self._queue)} requests are already waiting for {self.loaded.name}; "
                    "retry later"
                )
            self._queue.append(ticket)
            self.metrics.queue_depth.set(len(self._queue))
            self._cond.notify()
        return ticket

    @property
    def accepting(self) -> bool:
        return self.state == SchedulerState.RUNNING

    def drain(self) -> None:
        """Accept nothing new; finish every queued and running request, then stop."""
        with self._cond:
            if self.state == SchedulerState.RUNNING:
                self.state = SchedulerState.DRAINING
            self._cond.notify()

    def close(self, timeout: float | None = 10.0) -> None:
        """Stop now: waiting and running requests fail with ModelUnavailableError."""
        with self._cond:
            if self.state in (SchedulerState.RUNNING, SchedulerState.DRAINING):
                self.state = SchedulerState.STOPPED
            self._cond.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def unavailable_reason(self) -> str:
        if self.state == SchedulerState.FAILED:
            return f"the model worker of {self.loaded.name} died: {self.failure!r}"
        if self.state == SchedulerState.DRAINING:
            return f"{self.loaded.name} is being replaced; retry"
        return f"{self.loaded.name} has been shut down"

    # ---- worker side ---------------------------------------------------------------------

    def _run(self) -> None:
        try:
            with torch.inference_mode():
                while self._next_round():
                    pass
        except BaseException as error:  # the loop must never die silently: fail everyone
            logger.exception("model worker of %s died", self.loaded.name)
            self.failure = error
            with self._cond:
                self.state = SchedulerState.FAILED
        finally:
            self._fail_everyone()
            self._release()

    def _next_round(self) -> bool:
        """Admit, then decode one step. False when the loop should end."""
        self._admitting = self._take_admissible()
        if self.state == SchedulerState.STOPPED:
            return False
        if self._admitting:
            self._prefill(self._admitting)
        self._admitting = []
        self._drop_cancelled()
        if self._slots:
            self._decode_step()
            return True
        self.metrics.record_idle()
        with self._cond:
            if self._queue:
                return True
            if self.state != SchedulerState.RUNNING:
                self.state = SchedulerState.STOPPED
                return False
            self._cond.wait(timeout=1.0)
        return True

    def _take_admissible(self) -> list[Ticket]:
        """Waiting tickets that fit now, oldest first (FIFO: nobody overtakes)."""
        taken: list[Ticket] = []
        widest = 0
        with self._cond:
            while self._queue and len(self._slots) + len(taken) < self.limits.max_batch_size:
                ticket = self._queue[0]
                if ticket.cancelled:
                    self._queue.popleft()
                    self.metrics.requests.labels("cancelled").inc()
                    continue
                # Prefilled together, the group is padded to its longest prompt.
                width = max(widest, len(ticket.prompt_ids))
                if taken and width * (len(taken) + 1) > self.limits.max_prefill_tokens_per_step:
                    break
                widest = width
                taken.append(self._queue.popleft())
            self.metrics.queue_depth.set(len(self._queue))
        return taken

    def _prefill(self, tickets: list[Ticket]) -> None:
        """One forward pass over the newcomers' prompts (left-padded), then their first tokens."""
        loaded, device = self.loaded, self.loaded.device
        slots = [_Slot(t, loaded.tokenizer, device) for t in tickets]
        for ticket in tickets:
            ticket.state = SlotState.RUNNING
        width = max(len(t.prompt_ids) for t in tickets)
        ids = torch.tensor(
            [[t.prompt_ids[0]] * (width - len(t.prompt_ids)) + t.prompt_ids for t in tickets],
            device=device,
        )  # [group, width]
        mask = torch.tensor(
            [[0] * (width - len(t.prompt_ids)) + [1] * len(t.prompt_ids) for t in tickets],
            dtype=torch.long,
            device=device,
        )  # [group, width]
        positions = (mask.cumsum(dim=1) - 1).clamp_min(0)
        cache = DynamicCache()
        out = loaded.model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions,
            cache=cache,
            use_cache=True,
            logits_to_keep=1,
        )
        keep = mask.bool()[:, None, :, None]  # [group, 1, width, 1]
        for layer in _kv_layers(cache):
            # Padded positions are never attended to; zeros keep them finite whatever the
            # attention kernel made of a query that could attend to nothing.
            layer.keys = torch.where(keep, layer.keys, torch.zeros_like(layer.keys))
            layer.values = torch.where(keep, layer.values, torch.zeros_like(layer.values))
        plan = build_plan([s.params for s in slots])
        tokens, temps = sample_next_tokens(
            plan,
            ids if plan.needs_input_ids else None,
            out.logits[:, -1, :],
            [s.generator for s in slots],
        )
        temperatures = temps.tolist()
        self.metrics.prompt_tokens.inc(sum(len(t.prompt_ids) for t in tickets))
        self.metrics.record_step(len(slots), temperatures)
        now = time.monotonic()
        for slot in slots:
            slot.first_token_at = now
            self.metrics.time_to_first_token.observe(now - slot.ticket.submitted_at)
        self._merge(slots, cache, mask)
        for slot, token, temperature in zip(slots, tokens.tolist(), temperatures, strict=True):
            self._accept(slot, token, temperature)
        self._remove_finished()

    def _merge(self, slots: list[_Slot], cache: DynamicCache, mask: torch.Tensor) -> None:
        """Add prefilled rows to the batch, left-padding whichever side is shorter."""
        if self._cache is None or self._mask is None or not self._slots:
            self._cache, self._mask, self._slots = cache, mask, list(slots)
        else:
            columns = max(self._mask.shape[1], mask.shape[1])
            for old, new in zip(_kv_layers(self._cache), _kv_layers(cache), strict=True):
                old.keys = torch.cat(
                    [_left_pad(old.keys, columns), _left_pad(new.keys, columns)], dim=0
                )
                old.values = torch.cat(
                    [_left_pad(old.values, columns), _left_pad(new.values, columns)], dim=0
                )
            self._mask = torch.cat(
                [_left_pad(self._mask, columns), _left_pad(mask, columns)], dim=0
            )
            self._slots.extend(slots)
        self._plan = None
        self.metrics.batch_size.set(len(self._slots))

    def _decode_step(self) -> None:
        assert self._cache is not None and self._mask is not None
        loaded, slots = self.loaded, self._slots
        device = loaded.device
        input_ids = torch.tensor([[s.pending] for s in slots], device=device)  # [batch, 1]
        positions = torch.tensor([[s.position] for s in slots], device=device)  # [batch, 1]
        self._mask = torch.cat(
            [self._mask, torch.ones((len(slots), 1), dtype=torch.long, device=device)], dim=1
        )
        out = loaded.model(
            input_ids=input_ids,
            attention_mask=self._mask,
            position_ids=positions,
            cache=self._cache,
            use_cache=True,
        )
        for slot in slots:
            slot.position += 1
        if self._plan is None:
            self._plan = build_plan([s.params for s in slots])
        history = _history(slots, device) if self._plan.needs_input_ids else None
        tokens, temps = sample_next_tokens(
            self._plan, history, out.logits[:, -1, :], [s.generator for s in slots]
        )
        temperatures = temps.tolist()
        self.metrics.record_step(len(slots), temperatures)
        for slot, token, temperature in zip(slots, tokens.tolist(), temperatures, strict=True):
            self._accept(slot, token, temperature)
        self._remove_finished()

    def _accept(self, slot: _Slot, token: int, temperature: float) -> None:
        """Record a sampled token for a row, stream its text, and decide whether it is done."""
        slot.temperatures.append(temperature)
        if token in self.eos_ids and not slot.params.ignore_eos:
            self._finish(slot, "stop")
            return
        slot.generated.append(token)
        slot.pending = token
        slot.emit(slot.stop.feed(slot.detokenizer.add(token)))
        if slot.stop.stopped:
            self._finish(slot, "stop")
        elif (
            len(slot.generated) >= slot.params.max_tokens
            or slot.position + 1 >= self.loaded.max_positions
        ):
            self._finish(slot, "length")

    def _finish(self, slot: _Slot, reason: FinishReason) -> None:
        if not slot.stop.stopped:
            slot.emit(slot.stop.feed(slot.detokenizer.flush()))
            slot.emit(slot.stop.flush())
        slot.finish_reason = reason
        slot.ticket.state = SlotState.DONE
        now = time.monotonic()
        if slot.first_token_at is not None and len(slot.generated) > 1:
            self.metrics.time_per_output_token.observe(
                (now - slot.first_token_at) / (len(slot.generated) - 1)
            )
        self.metrics.requests.labels(reason).inc()
        completion = Completion(
            text="".join(slot.text),
            finish_reason=reason,
            model=self.loaded.name,
            prompt_tokens=len(slot.ticket.prompt_ids),
            completion_tokens=len(slot.generated),
            temperatures=tuple(slot.temperatures),
        )
        slot.ticket.sink(Finished(completion))

    def _drop_cancelled(self) -> None:
        for slot in self._slots:
            if slot.ticket.cancelled and slot.finish_reason is None:
                slot.finish_reason = "cancelled"
                slot.ticket.state = SlotState.DONE
                self.metrics.requests.labels("cancelled").inc()
        self._remove_finished()

    def _remove_finished(self) -> None:
        keep = [i for i, s in enumerate(self._slots) if s.finish_reason is None]
        if len(keep) == len(self._slots):
            return
        self._plan = None
        if not keep:
            self._slots, self._cache, self._mask = [], None, None
            self.metrics.batch_size.set(0)
            return
        assert self._cache is not None and self._mask is not None
        index = torch.tensor(keep, device=self.loaded.device)
        mask = self._mask.index_select(0, index)
        # Columns that are padding in every remaining row are dead weight.
        first = int(torch.nonzero(mask.sum(dim=0))[0, 0])
        self._mask = mask[:, first:]
        for layer in _kv_layers(self._cache):
            layer.keys = layer.keys.index_select(0, index)[:, :, first:, :]
            layer.values = layer.values.index_select(0, index)[:, :, first:, :]
        self._slots = [self._slots[i] for i in keep]
        self.metrics.batch_size.set(len(self._slots))

    def _fail(self, ticket: Ticket) -> None:
        ticket.state = SlotState.DONE
        self.metrics.errors.labels("unavailable").inc()
        ticket.sink(Failed(ModelUnavailableError(self.unavailable_reason)))

    def _fail_everyone(self) -> None:
        with self._cond:
            waiting = list(self._queue)
            self._queue.clear()
            self.metrics.queue_depth.set(0)
        tickets = [s.ticket for s in self._slots if s.finish_reason is None]
        for ticket in [*tickets, *self._admitting, *waiting]:
            if ticket.state != SlotState.DONE:
                self._fail(ticket)

    def _release(self) -> None:
        """Drop the batch's tensors; the model goes when the last reference does."""
        self._slots, self._cache, self._mask, self._plan = [], None, None, None
        self.metrics.batch_size.set(0)


def _kv_layers(cache: DynamicCache) -> list[Any]:
    """The cache's layers, each with ``keys`` and ``values`` of shape ``[b, heads, seq, dim]``."""
    return list(cache.layers)


def _left_pad(tensor: torch.Tensor, columns: int) -> torch.Tensor:
    """Zeros on the left of the sequence axis (dim 2 of KV ``[b, h, s, d]``, 1 of a mask)."""
    axis = 2 if tensor.dim() == 4 else 1
    missing = columns - tensor.shape[axis]
    if missing <= 0:
        return tensor
    shape = list(tensor.shape)
    shape[axis] = missing
    return torch.cat([tensor.new_zeros(shape), tensor], dim=axis)


def _history(slots: Sequence[_Slot], device: torch.device) -> torch.Tensor:
    """Prompt + generated ids per row, right-padded with the row's first id: ``[batch, seq]``."""
    rows = [s.ticket.prompt_ids + s.generated for s in slots]
    width = max(len(r) for r in rows)
    return torch.tensor([r + [r[0]] * (width - len(r)) for r in rows], device=device)


def _end_of_turn_ids(loaded: LoadedModel) -> frozenset[int]:
    ids: set[int] = set()
    configured = loaded.model.generation_config.eos_token_id
    if isinstance(configured, int):
        ids.add(configured)
    elif configured:
        ids.update(int(i) for i in configured)
    if loaded.tokenizer.eos_token_id is not None:
        ids.add(int(loaded.tokenizer.eos_token_id))
    vocab = loaded.tokenizer.get_vocab()
    special = set(getattr(loaded.tokenizer, "all_special_tokens", ()))
    for token in _END_OF_TURN_TOKENS:
        if token in vocab and token in special:
            ids.add(vocab[token])
    return frozenset(ids)
