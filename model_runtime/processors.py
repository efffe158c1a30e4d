"""Logits processors: ``(input_ids, scores) -> scores`` with one row per sequence of a batch.

Each processor takes one parameter value per batch row, so a batch whose requests asked
for different samplers is processed in one pass. They follow transformers' ``LogitsProcessor``
calling convention, so a list of them can also be handed to ``model.generate(logits_processor=...)``.
Arguments are checked in ``__init__``; the error says which value to change and how.

Shapes: ``input_ids`` is ``[batch, seq]`` (long), ``scores`` is ``[batch, vocab]`` (float);
a score of ``-inf`` removes a token.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import torch

from model_runtime.exceptions import InvalidRequestError
from model_runtime.types import DynamicTemperature

# Below this a temperature means "pick the most likely token": dividing by it would overflow.
GREEDY_TEMPERATURE = 1e-4


class LogitsProcessor(Protocol):
    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor: ...


def entropy(scores: torch.Tensor) -> torch.Tensor:
    """Shannon entropy in nats of ``softmax(scores)`` per row: ``[batch, vocab] -> [batch]``."""
    log_probs = torch.log_softmax(scores.float(), dim=-1)
    probs = log_probs.exp()
    # -inf scores have p = 0; 0 * -inf is nan, so they are zeroed explicitly.
    terms = torch.where(probs > 0, probs * log_probs, torch.zeros_like(probs))
    return -terms.sum(dim=-1)


def edt_temperature(entropy_: torch.Tensor, *, t0: float, n: float, theta: float) -> torch.Tensor:
    """EDT (Zhang et al. 2024): ``T = t0 * n ** (theta / H)``; confident steps (low H) go cold."""
    safe = entropy_.clamp_min(1e-12)
    return t0 * torch.pow(torch.full_like(safe, n), theta / safe)


def minmax_temperature(
    entropy_: torch.Tensor,
    vocab_size: torch.Tensor | int,
    *,
    t_min: float,
    t_max: float,
    exponent: float,
) -> torch.Tensor:
    """``T = t_min + (t_max - t_min) * (H / ln V) ** exponent``; H / ln V is 0 (sure) .. 1 (uniform)."""
    max_entropy = torch.log(torch.as_tensor(vocab_size, dtype=entropy_.dtype).clamp_min(2))
    normalized = (entropy_ / max_entropy).clamp(0.0, 1.0)
    return t_min + (t_max - t_min) * normalized.pow(exponent)


def check_dynamic_temperature(spec: DynamicTemperature) -> None:
    """Raise InvalidRequestError if ``spec`` cannot give a sane temperature."""
    if spec.kind == "minmax":
        if not 0.0 <= spec.t_min <= spec.t_max:
            raise InvalidRequestError(
                f"dynamic_temperature needs 0 <= t_min <= t_max; got t_min={spec.t_min}, "
                f"t_max={spec.t_max}. Swap them or raise t_max."
            )
        if spec.exponent <= 0:
            raise InvalidRequestError(
                f"dynamic_temperature.exponent must be > 0 (1 is linear); got {spec.exponent}."
            )
    elif spec.kind == "edt":
        if spec.t0 < 0:
            raise InvalidRequestError(f"dynamic_temperature.t0 must be >= 0; got {spec.t0}.")
        if not 0.0 < spec.n < 1.0:
            raise InvalidRequestError(
                f"dynamic_temperature.n must be in (0, 1) so that T grows with entropy "
                f"(the paper uses 0.8); got {spec.n}."
            )
        if spec.theta <= 0:
            raise InvalidRequestError(
                f"dynamic_temperature.theta must be > 0 (the paper uses 1.0); got {spec.theta}."
            )
    else:
        raise InvalidRequestError(
            f"dynamic_temperature.kind must be 'edt' or 'minmax'; got {spec.kind!r}."
        )


def _row_tensor(values: Sequence[float], scores: torch.Tensor) -> torch.Tensor:
    """Per-row parameters as a ``[batch, 1]`` tensor on the scores' device."""
    return torch.tensor(values, dtype=scores.dtype, device=scores.device).unsqueeze(1)


class RepetitionPenaltyProcessor:
    """CTRL-style penalty on every token already in the row: positive scores / p, negative * p."""

    def __init__(self, penalties: Sequence[float]) -> None:
        for penalty in penalties:
            if not (penalty > 0 and math.isfinite(penalty)):
                raise InvalidRequestError(
                    f"repetition_penalty must be a positive number (1.0 turns it off, 1.1 is "
                    f"mild); got {penalty}."
                )
        self.penalties = tuple(float(p) for p in penalties)

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        penalty = _row_tensor(self.penalties, scores)  # [batch, 1]
        seen = torch.gather(scores, 1, input_ids)  # [batch, seq]
        seen = torch.where(seen < 0, seen * penalty, seen / penalty)
        return scores.scatter(1, input_ids, seen)


class TemperatureProcessor:
    """Divide each row by its temperature: a fixed one, or one chosen from the row's entropy.

    Rows whose temperature is below ``GREEDY_TEMPERATURE`` are left as they are: the sampler
    picks their most likely token. Call :meth:`temperatures` to know what was applied.
    """

    def __init__(
        self,
        temperatures: Sequence[float],
        dynamic: Sequence[DynamicTemperature | None] | None = None,
    ) -> None:
        for temperature in temperatures:
            if not (temperature >= 0 and math.isfinite(temperature)):
                raise InvalidRequestError(
                    f"temperature must be >= 0 (0 is greedy, 0.7 is a common default); "
                    f"got {temperature}."
                )
        dynamic = tuple(dynamic) if dynamic is not None else (None,) * len(temperatures)
        if len(dynamic) != len(temperatures):
            raise InvalidRequestError(
                f"give one dynamic temperature (or None) per row: {len(dynamic)} for "
                f"{len(temperatures)} rows."
            )
        for spec in dynamic:
            if spec is not None:
                check_dynamic_temperature(spec)
        self.fixed = tuple(float(t) for t in temperatures)
        self.dynamic = dynamic

    def temperatures(self, scores: torch.Tensor) -> torch.Tensor:
        """The temperature of each row for these scores: ``[batch, vocab] -> [batch]``."""
        result = torch.tensor(self.fixed, dtype=torch.float64, device=scores.device)
        rows = [i for i, spec in enumerate(self.dynamic) if spec is not None]
        if not rows:
            return result
        sub = scores[rows].float()
        h = entropy(sub)
        vocab = torch.isfinite(sub).sum(dim=-1)
        for j, row in enumerate(rows):
            spec = self.dynamic[row]
            assert spec is not None
            if spec.kind == "edt":
                t = edt_temperature(h[j : j + 1], t0=spec.t0, n=spec.n, theta=spec.theta)
            else:
                t = minmax_temperature(
                    h[j : j + 1],
                    vocab[j],
                    t_min=spec.t_min,
                    t_max=spec.t_max,
                    exponent=spec.exponent,
                )
            result[row] = t[0]
        return result

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        return scale_by_temperature(scores, self.temperatures(scores))


def scale_by_temperature(scores: torch.Tensor, temperatures: torch.Tensor) -> torch.Tensor:
    """``scores / T`` per row; greedy rows (T ~ 0) are returned unchanged."""
    divisor = torch.where(
        temperatures < GREEDY_TEMPERATURE, torch.ones_like(temperatures), temperatures
    )
    return scores / divisor.to(scores.dtype).unsqueeze(1)


class TopKProcessor:
    """Keep the ``k`` best tokens of each row (ties with the k-th are kept); 0 keeps all."""

    def __init__(self, ks: Sequence[int]) -> None:
        for k in ks:
            if k < 0:
                raise InvalidRequestError(f"top_k must be >= 0 (0 turns it off); got {k}.")
        self.ks = tuple(int(k) for k in ks)

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        vocab = scores.shape[-1]
        ks = [min(k, vocab) if k > 0 else vocab for k in self.ks]
        top = torch.topk(scores, max(ks), dim=-1).values  # [batch, max_k]
        index = torch.tensor(ks, device=scores.device).unsqueeze(1) - 1
        threshold = torch.gather(top, 1, index)  # [batch, 1]
        return scores.masked_fill(scores < threshold, float("-inf"))


class TopPProcessor:
    """Nucleus sampling: keep the smallest set of best tokens whose probability reaches ``p``.

    Tokens tied with the last one kept are kept too, so the result never depends on the
    order a sort happens to give equal scores (a uniform distribution stays uniform).
    """

    def __init__(self, ps: Sequence[float]) -> None:
        for p in ps:
            if not 0.0 < p <= 1.0:
                raise InvalidRequestError(f"top_p must be in (0, 1] (1 turns it off); got {p}.")
        self.ps = tuple(float(p) for p in ps)

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        sorted_scores, _ = torch.sort(scores, dim=-1, descending=True)  # [batch, vocab]
        cumulative = torch.softmax(sorted_scores.float(), dim=-1).cumsum(dim=-1)
        p = _row_tensor(self.ps, cumulative)  # [batch, 1]
        # First position where the mass reaches p; rounding may leave it short of 1.0.
        cutoff = (cumulative < p).sum(dim=-1, keepdim=True).clamp_max(scores.shape[-1] - 1)
        threshold = torch.gather(sorted_scores, 1, cutoff)
        threshold = torch.where(p >= 1.0, torch.full_like(threshold, float("-inf")), threshold)
        return scores.masked_fill(scores < threshold, float("-inf"))


class MinPProcessor:
    """Drop tokens less likely than ``p`` times the row's most likely token; 0 keeps all."""

    def __init__(self, ps: Sequence[float]) -> None:
        for p in ps:
            if not 0.0 <= p <= 1.0:
                raise InvalidRequestError(
                    f"min_p must be in [0, 1] (0 turns it off, 0.05 is common); got {p}."
                )
        self.ps = tuple(float(p) for p in ps)

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        probs = torch.softmax(scores.float(), dim=-1)
        threshold = probs.max(dim=-1, keepdim=True).values * _row_tensor(self.ps, probs)
        return scores.masked_fill(probs < threshold, float("-inf"))
