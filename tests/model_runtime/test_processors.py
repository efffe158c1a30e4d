"""Logits processors and the sampler on synthetic logits."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from model_runtime.exceptions import InvalidRequestError
from model_runtime.processors import (
    MinPProcessor,
    RepetitionPenaltyProcessor,
    TemperatureProcessor,
    TopKProcessor,
    TopPProcessor,
    entropy,
)
from model_runtime.sampling import build_plan, check_sampling_params, sample_next_tokens
from model_runtime.types import DynamicTemperature, SamplingParams

VOCAB = 50
NO_IDS = torch.zeros((1, 1), dtype=torch.long)


def probs(scores: torch.Tensor) -> torch.Tensor:
    return torch.softmax(scores, dim=-1)


def numpy_entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


UNIFORM_CASES = [
    TemperatureProcessor([0.7]),
    TemperatureProcessor([1.0], [DynamicTemperature("minmax", t_min=0.0, t_max=0.3)]),
    TemperatureProcessor([1.0], [DynamicTemperature("edt", t0=1.0, n=0.8, theta=1.0)]),
    TopKProcessor([5]),
    TopPProcessor([0.3]),
    MinPProcessor([0.5]),
    RepetitionPenaltyProcessor([1.3]),
]


@pytest.mark.parametrize("processor", UNIFORM_CASES, ids=lambda p: type(p).__name__)
def test_a_uniform_distribution_stays_uniform(processor: object) -> None:
    scores = torch.zeros((1, VOCAB))
    ids = torch.tensor([[3, 7, 7]])
    out = processor(ids, scores)  # type: ignore[operator]
    p = probs(out)
    assert torch.allclose(p, torch.full_like(p, 1 / VOCAB))


def test_minmax_temperature_matches_the_formula() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, VOCAB)) * np.array([[0.1], [1.0], [3.0], [10.0]])
    spec = DynamicTemperature("minmax", t_min=0.1, t_max=0.9, exponent=1.7)
    temps = TemperatureProcessor([1.0] * 4, [spec] * 4).temperatures(torch.tensor(logits))
    for row, t in zip(logits, temps.tolist(), strict=True):
        p = np.exp(row - row.max())
        p /= p.sum()
        expected = 0.1 + (0.9 - 0.1) * (numpy_entropy(p) / math.log(VOCAB)) ** 1.7
        assert t == pytest.approx(expected, rel=1e-5)


def test_edt_temperature_matches_the_formula() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(3, VOCAB)) * np.array([[0.5], [2.0], [8.0]])
    spec = DynamicTemperature("edt", t0=0.8, n=0.8, theta=1.5)
    temps = TemperatureProcessor([1.0] * 3, [spec] * 3).temperatures(torch.tensor(logits))
    for row, t in zip(logits, temps.tolist(), strict=True):
        p = np.exp(row - row.max())
        p /= p.sum()
        assert t == pytest.approx(0.8 * 0.8 ** (1.5 / numpy_entropy(p)), rel=1e-5)


def test_dynamic_temperature_is_cold_when_sure_and_warm_when_unsure() -> None:
    sure = torch.full((1, VOCAB), -10.0)
    sure[0, 0] = 10.0
    unsure = torch.zeros((1, VOCAB))
    spec = DynamicTemperature("minmax", t_min=0.0, t_max=0.3)
    processor = TemperatureProcessor([1.0, 1.0], [spec, spec])
    cold, warm = processor.temperatures(torch.cat([sure, unsure])).tolist()
    assert cold < 0.01
    assert warm == pytest.approx(0.3)


def test_rows_get_their_own_parameters() -> None:
    scores = torch.randn((3, VOCAB), generator=torch.Generator().manual_seed(0))
    together = TopKProcessor([2, 0, 10])(NO_IDS, scores)
    for row, k in enumerate([2, 0, 10]):
        alone = TopKProcessor([k])(NO_IDS, scores[row : row + 1])
        assert torch.equal(together[row : row + 1], alone)
    assert int(torch.isfinite(together[0]).sum()) == 2
    assert int(torch.isfinite(together[1]).sum()) == VOCAB
    assert int(torch.isfinite(together[2]).sum()) == 10


def test_top_p_keeps_the_smallest_set_reaching_p() -> None:
    scores = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    kept = torch.isfinite(TopPProcessor([0.7])(NO_IDS, scores))
    assert kept.tolist() == [[True, True, False, False]]
    kept = torch.isfinite(TopPProcessor([0.5])(NO_IDS, scores))
    assert kept.tolist() == [[True, False, False, False]]


def test_min_p_drops_tokens_below_a_share_of_the_best() -> None:
    scores = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    kept = torch.isfinite(MinPProcessor([0.2])(NO_IDS, scores))
    assert kept.tolist() == [[True, True, True, False]]


def test_repetition_penalty_lowers_seen_tokens_only() -> None:
    scores = torch.tensor([[2.0, -2.0, 1.0, 0.5]])
    out = RepetitionPenaltyProcessor([2.0])(torch.tensor([[0, 1]]), scores)
    assert out.tolist() == [[1.0, -4.0, 1.0, 0.5]]


@pytest.mark.parametrize(
    ("params", "hint"),
    [
        (SamplingParams(top_p=0.0), "(0, 1]"),
        (SamplingParams(top_k=-1), "0 turns it off"),
        (SamplingParams(min_p=1.5), "[0, 1]"),
        (SamplingParams(temperature=-1), ">= 0"),
        (SamplingParams(repetition_penalty=0), "1.0 turns it off"),
        (SamplingParams(max_tokens=5000), "between 1 and 2048"),
        (SamplingParams(stop=("",)), "non-empty"),
        (SamplingParams(dynamic_temperature=DynamicTemperature(t_min=0.5, t_max=0.1)), "Swap"),
        (SamplingParams(dynamic_temperature=DynamicTemperature("edt", n=1.5)), "(0, 1)"),
    ],
)
def test_bad_parameters_are_refused_with_a_fix(params: SamplingParams, hint: str) -> None:
    with pytest.raises(
        InvalidRequestError,
        match=hint.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]"),
    ):
        check_sampling_params(params, max_output_tokens=2048)


logits_rows = st.lists(
    st.floats(min_value=-30, max_value=30, allow_nan=False), min_size=VOCAB, max_size=VOCAB
)


@settings(max_examples=60, deadline=None)
@given(
    row=logits_rows,
    top_k=st.integers(0, VOCAB + 5),
    top_p=st.floats(0.01, 1.0),
    min_p=st.floats(0.0, 1.0),
    temperature=st.floats(0.0, 2.0),
)
def test_the_chain_never_removes_the_best_token(
    row: list[float], top_k: int, top_p: float, min_p: float, temperature: float
) -> None:
    params = SamplingParams(temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p)
    plan = build_plan([params])
    scores = torch.tensor([row])
    out = plan.temperature(NO_IDS, scores)
    for processor in plan.after_temperature:
        out = processor(NO_IDS, out)
    best = int(scores.argmax())
    assert torch.isfinite(out[0, best])
    p = probs(out)
    assert torch.isclose(p.sum(), torch.tensor(1.0), atol=1e-4)
    assert float(p[0, best]) == pytest.approx(float(p.max()))


def test_greedy_rows_take_the_argmax_and_seeded_rows_repeat() -> None:
    scores = torch.randn((3, VOCAB), generator=torch.Generator().manual_seed(3))
    rows = [
        SamplingParams(temperature=0.0),
        SamplingParams(temperature=1.0, seed=7),
        SamplingParams(temperature=1.0, seed=7),
    ]
    plan = build_plan(rows)
    draws = []
    for _ in range(2):
        generators = [torch.Generator().manual_seed(7) for _ in rows]
        tokens, temps = sample_next_tokens(plan, None, scores, generators)
        draws.append(tokens.tolist())
        assert temps.tolist() == [0.0, 1.0, 1.0]
        assert tokens[0] == scores[0].argmax()
    assert draws[0] == draws[1]


def test_sampling_follows_the_distribution() -> None:
    scores = torch.log(torch.tensor([[0.7, 0.2, 0.1]]))
    plan = build_plan([SamplingParams(temperature=1.0)])
    generator = torch.Generator().manual_seed(0)
    counts = np.zeros(3)
    for _ in range(3000):
        tokens, _ = sample_next_tokens(plan, None, scores, [generator])
        counts[int(tokens[0])] += 1
    assert np.allclose(counts / counts.sum(), [0.7, 0.2, 0.1], atol=0.03)


def test_entropy_of_uniform_is_log_vocab() -> None:
    assert float(entropy(torch.zeros((1, VOCAB)))) == pytest.approx(math.log(VOCAB))
