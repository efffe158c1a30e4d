"""Value objects shared by every way of reaching a model (in-process, HTTP, OpenAI-compatible).

These are the public contract between ``model_runtime`` and its callers (the dialogue's
knowledge answers, ``kefu ask``, the OpenAI-compatible server). Keep them small and frozen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class DynamicTemperature:
    """Entropy-based temperature chosen per decoding step.

    ``kind="edt"``: T = t0 * n ** (theta / H)  (Zhang et al. 2024, EDT).
    ``kind="minmax"``: T = t_min + (t_max - t_min) * (H / ln V) ** exponent.
    """

    kind: Literal["edt", "minmax"] = "minmax"
    t_min: float = 0.0
    t_max: float = 1.0
    exponent: float = 1.0
    t0: float = 1.0
    n: float = 0.8
    theta: float = 1.0


@dataclass(frozen=True, slots=True)
class SamplingParams:
    """Sampling knobs for one request. Defaults are a plain, moderately warm sampler."""

    temperature: float = 0.7
    top_p: float = 1.0
    top_k: int = 0
    min_p: float = 0.0
    repetition_penalty: float = 1.0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int | None = None
    dynamic_temperature: DynamicTemperature | None = None
    # Keep generating past end-of-turn tokens until max_tokens (benchmarks, tests; as vLLM).
    ignore_eos: bool = False


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    finish_reason: Literal["stop", "length", "cancelled", "error"]
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # The temperature actually applied at each decoding step (dynamic or fixed).
    temperatures: tuple[float, ...] = field(default_factory=tuple)


@runtime_checkable
class ChatModel(Protocol):
    """Anything that answers chat messages: the in-process runtime, an HTTP client, a fake."""

    @property
    def name(self) -> str: ...

    async def complete(
        self, messages: Sequence[ChatMessage], params: SamplingParams
    ) -> Completion: ...

    def stream(
        self, messages: Sequence[ChatMessage], params: SamplingParams
    ) -> AsyncIterator[str]: ...
