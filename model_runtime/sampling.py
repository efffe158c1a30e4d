"""Choosing the next token of every row of a batch from its logits.

:func:`build_plan` turns the sampling parameters of the rows into a chain of processors
(leaving out the ones no row needs); :func:`sample_next_tokens` runs the chain and draws
one token per row with that row's own ``torch.Generator`` (so a seed gives the same text
whatever else shares the batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from model_runtime.exceptions import InvalidRequestError
from model_runtime.processors import (
    GREEDY_TEMPERATURE,
    LogitsProcessor,
    MinPProcessor,
    RepetitionPenaltyProcessor,
    TemperatureProcessor,
    TopKProcessor,
    TopPProcessor,
    scale_by_temperature,
)
from model_runtime.types import SamplingParams


@dataclass(frozen=True, slots=True)
class SamplingPlan:
    """The processors for one batch composition, in the order they apply."""

    before_temperature: tuple[LogitsProcessor, ...]
    temperature: TemperatureProcessor
    after_temperature: tuple[LogitsProcessor, ...]

    @property
    def needs_input_ids(self) -> bool:
        """Whether the chain reads previous tokens (repetition penalty); else pass ``None``."""
        return bool(self.before_temperature)


def build_plan(rows: Sequence[SamplingParams]) -> SamplingPlan:
    """The processor chain for these rows; raises InvalidRequestError on a bad parameter."""
    before: list[LogitsProcessor] = []
    after: list[LogitsProcessor] = []
    if any(r.repetition_penalty != 1.0 for r in rows):
        before.append(RepetitionPenaltyProcessor([r.repetition_penalty for r in rows]))
    temperature = TemperatureProcessor(
        [r.temperature for r in rows], [r.dynamic_temperature for r in rows]
    )
    if any(r.top_k > 0 for r in rows):
        after.append(TopKProcessor([r.top_k for r in rows]))
    if any(r.top_p < 1.0 for r in rows):
        after.append(TopPProcessor([r.top_p for r in rows]))
    if any(r.min_p > 0.0 for r in rows):
        after.append(MinPProcessor([r.min_p for r in rows]))
    return SamplingPlan(tuple(before), temperature, tuple(after))


def check_sampling_params(params: SamplingParams, *, max_output_tokens: int) -> None:
    """Raise InvalidRequestError, saying what to change, if ``params`` cannot be served."""
    if not 1 <= params.max_tokens <= max_output_tokens:
        raise InvalidRequestError(
            f"max_tokens must be between 1 and {max_output_tokens}; got {params.max_tokens}."
        )
    if any(not stop for stop in params.stop):
        raise InvalidRequestError("stop sequences must be non-empty strings; remove the empty one.")
    # Each processor checks its own argument in __init__ and says how to fix it.
    RepetitionPenaltyProcessor([params.repetition_penalty])
    TemperatureProcessor([params.temperature], [params.dynamic_temperature])
    TopKProcessor([params.top_k])
    TopPProcessor([params.top_p])
    MinPProcessor([params.min_p])


def is_deterministic(params: SamplingParams) -> bool:
    """Whether the same prompt always gives the same text: greedy, or seeded."""
    greedy = params.temperature < GREEDY_TEMPERATURE and params.dynamic_temperature is None
    return greedy or params.seed is not None


def sample_next_tokens(
    plan: SamplingPlan,
    input_ids: torch.Tensor | None,
    scores: torch.Tensor,
    generators: Sequence[torch.Generator],
) -> tuple[torch.Tensor, torch.Tensor]:
    """One token per row: ``scores [batch, vocab]`` -> ``(tokens [batch], temperatures [batch])``.

    ``input_ids [batch, seq]`` is needed only when ``plan.needs_input_ids``.
    """
    scores = scores.float()
    for processor in plan.before_temperature:
        assert input_ids is not None, "this plan needs input_ids (repetition penalty)"
        scores = processor(input_ids, scores)
    temperatures = plan.temperature.temperatures(scores)  # [batch]
    greedy_choice = scores.argmax(dim=-1)  # [batch]
    scores = scale_by_temperature(scores, temperatures)
    dummy_ids = input_ids if input_ids is not None else greedy_choice.unsqueeze(1)
    for processor in plan.after_temperature:
        scores = processor(dummy_ids, scores)
    probs = torch.softmax(scores, dim=-1)
    tokens = greedy_choice.clone()
    for row in range(scores.shape[0]):
        if temperatures[row] >= GREEDY_TEMPERATURE:
            # Exponential race (gpt-fast): argmax(p / q), q ~ Exp(1), draws from p.
            q = torch.empty_like(probs[row]).exponential_(1.0, generator=generators[row])
            tokens[row] = torch.argmax(probs[row] / q)
    return tokens, temperatures
