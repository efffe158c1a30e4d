"""Continuous batching on the tiny model: same tokens as sequential generate, FIFO, cancel."""

from __future__ import annotations

import asyncio
import time

import pytest

from model_runtime.engine import Engine
from model_runtime.exceptions import InvalidRequestError, ModelUnavailableError, QueueFullError
from model_runtime.loading import LoadedModel, load_model
from model_runtime.prompting import PromptLimits
from model_runtime.scheduler import BatchLimits, Finished
from model_runtime.types import ChatMessage, DynamicTemperature, SamplingParams

from .conftest import greedy_reference, user

GREEDY = SamplingParams(temperature=0.0, max_tokens=24)


def metric(engine: Engine, name: str, labels: dict[str, str] | None = None) -> float:
    value = engine.metrics_registry.get_sample_value(name, labels or {})
    return 0.0 if value is None else value


async def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


async def test_batched_decoding_gives_the_tokens_of_sequential_greedy_generate(
    engine: Engine, tiny: LoadedModel
) -> None:
    prompts = [f"order {i}: " + "where is my parcel? " * (1 + 3 * i) for i in range(5)]
    params = SamplingParams(temperature=0.0, max_tokens=64)
    tasks = []
    for prompt in prompts:
        # Staggered arrivals: each request joins a batch that is already decoding.
        produced = metric(engine, "kefu_model_generated_tokens_total")
        tasks.append(asyncio.create_task(engine.complete(user(prompt), params)))
        await wait_for(
            lambda p=produced: metric(engine, "kefu_model_generated_tokens_total") > p + 4
        )
    texts = [c.text for c in await asyncio.gather(*tasks)]
    assert metric(engine, "kefu_model_batch_size_per_step_sum") > metric(
        engine, "kefu_model_batch_size_per_step_count"
    ), "requests never shared a decoding step"
    for prompt, text in zip(prompts, texts, strict=True):
        assert text == greedy_reference(tiny, user(prompt), params.max_tokens)


async def test_repetition_penalty_matches_transformers(engine: Engine, tiny: LoadedModel) -> None:
    params = SamplingParams(temperature=0.0, max_tokens=24, repetition_penalty=1.5)
    plain, penalised = await asyncio.gather(
        engine.complete(user("hello hello hello"), GREEDY),
        engine.complete(user("hello hello hello"), params),
    )
    expected = greedy_reference(tiny, user("hello hello hello"), 24, repetition_penalty=1.5)
    assert penalised.text == expected
    assert plain.text == greedy_reference(tiny, user("hello hello hello"), 24)


async def test_a_newcomer_joins_the_running_batch(tiny: LoadedModel) -> None:
    engine = Engine(tiny)
    try:
        long = asyncio.create_task(
            engine.complete(
                user("long"), SamplingParams(temperature=0.0, max_tokens=400, ignore_eos=True)
            )
        )
        await wait_for(lambda: metric(engine, "kefu_model_generated_tokens_total") > 5)
        short = await engine.complete(user("short"), SamplingParams(temperature=0.0, max_tokens=3))
        assert short.completion_tokens <= 3
        assert not long.done(), "the short request waited for the long one"
        completion = await long
        assert completion.completion_tokens == 400
        assert completion.finish_reason == "length"
    finally:
        await engine.aclose()


async def test_admission_is_first_in_first_out(tiny: LoadedModel) -> None:
    engine = Engine(tiny, batch_limits=BatchLimits(max_batch_size=1))
    finished: list[int] = []

    async def one(i: int) -> None:
        await engine.complete(user(f"request {i}"), SamplingParams(temperature=0.0, max_tokens=8))
        finished.append(i)

    try:
        tasks = []
        for i in range(5):
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(0.005)
        await asyncio.gather(*tasks)
        assert finished == [0, 1, 2, 3, 4]
        assert metric(engine, "kefu_model_batch_size_per_step_bucket", {"le": "1.0"}) == metric(
            engine, "kefu_model_batch_size_per_step_count"
        )
    finally:
        await engine.aclose()


async def test_closing_a_stream_takes_the_sequence_out_of_the_batch(engine: Engine) -> None:
    stream = engine.stream(
        user("go on"), SamplingParams(temperature=0.0, max_tokens=2000, ignore_eos=True)
    )
    pieces = [await anext(stream) for _ in range(3)]
    assert all(pieces)
    await stream.aclose()
    await wait_for(
        lambda: metric(engine, "kefu_model_requests_total", {"finish_reason": "cancelled"}) == 1
    )
    await wait_for(lambda: metric(engine, "kefu_model_batch_size") == 0)
    assert metric(engine, "kefu_model_generated_tokens_total") < 2000


async def test_cancelling_the_task_cancels_the_request(engine: Engine) -> None:
    task = asyncio.create_task(
        engine.complete(
            user("go on"), SamplingParams(temperature=0.0, max_tokens=2000, ignore_eos=True)
        )
    )
    await wait_for(lambda: metric(engine, "kefu_model_generated_tokens_total") > 3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_for(
        lambda: metric(engine, "kefu_model_requests_total", {"finish_reason": "cancelled"}) == 1
    )
    # The engine keeps serving.
    assert (await engine.complete(user("hi"), SamplingParams(max_tokens=4))).completion_tokens > 0


async def test_a_full_queue_refuses_at_once(tiny: LoadedModel) -> None:
    engine = Engine(tiny, batch_limits=BatchLimits(max_batch_size=1, max_queued=1))
    try:
        running = asyncio.create_task(
            engine.complete(
                user("a"), SamplingParams(temperature=0.0, max_tokens=300, ignore_eos=True)
            )
        )
        await wait_for(lambda: metric(engine, "kefu_model_batch_size") == 1)
        queued = asyncio.create_task(engine.complete(user("b"), SamplingParams(max_tokens=2)))
        await wait_for(lambda: metric(engine, "kefu_model_queue_depth") == 1)
        with pytest.raises(QueueFullError, match="retry later"):
            await engine.complete(user("c"), SamplingParams(max_tokens=2))
        assert metric(engine, "kefu_model_errors_total", {"kind": "queue_full"}) == 1
        assert (await running).finish_reason == "length"
        assert (await queued).completion_tokens >= 1
    finally:
        await engine.aclose()


async def test_stop_sequences_end_the_text_before_them(engine: Engine) -> None:
    full = await engine.complete(user("stop test"), GREEDY)
    stop = full.text[6:9]
    assert len(stop) == 3
    cut = await engine.complete(
        user("stop test"), SamplingParams(temperature=0.0, max_tokens=24, stop=(stop,))
    )
    assert cut.text == full.text[: full.text.index(stop)]
    assert cut.finish_reason == "stop"
    streamed = "".join(
        [
            p
            async for p in engine.stream(
                user("stop test"), SamplingParams(temperature=0.0, max_tokens=24, stop=(stop,))
            )
        ]
    )
    assert streamed == cut.text


async def test_completions_report_the_temperatures_used(engine: Engine) -> None:
    spec = DynamicTemperature("minmax", t_min=0.1, t_max=0.3)
    completion = await engine.complete(
        user("hello"), SamplingParams(max_tokens=10, dynamic_temperature=spec, seed=1)
    )
    assert len(completion.temperatures) >= completion.completion_tokens
    assert all(0.1 <= t <= 0.3 + 1e-6 for t in completion.temperatures)
    # A random model is unsure: its temperature sits near the top of the range.
    assert max(completion.temperatures) > 0.25
    fixed = await engine.complete(user("hello"), SamplingParams(temperature=0.5, max_tokens=5))
    assert set(fixed.temperatures) == {0.5}
    assert metric(engine, "kefu_model_sampling_temperature_count") >= 15


async def test_a_seed_repeats_the_text_and_different_seeds_differ(tiny: LoadedModel) -> None:
    engine = Engine(tiny, response_cache_size=0)
    try:
        params = SamplingParams(temperature=1.0, max_tokens=16, seed=42)
        first, second, other = await asyncio.gather(
            engine.complete(user("tell me"), params),
            engine.complete(user("tell me"), params),
            engine.complete(
                user("tell me"), SamplingParams(temperature=1.0, max_tokens=16, seed=43)
            ),
        )
        assert first.text == second.text
        assert first.text != other.text
    finally:
        await engine.aclose()


async def test_deterministic_answers_are_cached_per_namespace(engine: Engine) -> None:
    first = await engine.complete(user("cache me"), GREEDY, cache_namespace="kg-1")
    again = await engine.complete(user("cache me"), GREEDY, cache_namespace="kg-1")
    assert again == first
    assert metric(engine, "kefu_model_response_cache_total", {"result": "hit"}) == 1
    await engine.complete(user("cache me"), GREEDY, cache_namespace="kg-2")
    assert metric(engine, "kefu_model_response_cache_total", {"result": "hit"}) == 1
    assert engine.cache.invalidate("kg-1") == 1
    await engine.complete(user("cache me"), GREEDY, cache_namespace="kg-1")
    assert metric(engine, "kefu_model_response_cache_total", {"result": "miss"}) == 3
    await engine.complete(user("cache me"), SamplingParams(temperature=0.7, max_tokens=4))
    assert len(engine.cache) == 2, "a random sample must not be cached"


async def test_long_conversations_are_truncated_to_the_input_limit(tiny: LoadedModel) -> None:
    engine = Engine(tiny, prompt_limits=PromptLimits(max_input_tokens=200))
    try:
        history = [ChatMessage("system", "You are helpful. Facts: kettle 39 USD.")]
        for i in range(30):
            history += [
                ChatMessage("user", f"question {i} about shipping"),
                ChatMessage("assistant", f"answer {i}"),
            ]
        history.append(ChatMessage("user", "and the price?"))
        completion = await engine.complete(history, SamplingParams(max_tokens=5))
        assert 0 < completion.prompt_tokens <= 200
    finally:
        await engine.aclose()


async def test_too_many_output_tokens_are_refused(engine: Engine) -> None:
    with pytest.raises(InvalidRequestError, match="2048"):
        await engine.complete(user("x"), SamplingParams(max_tokens=2049))


async def test_hot_reload_finishes_old_requests_on_the_old_model(tmp_path: object) -> None:
    from pathlib import Path

    from model_runtime.tiny import save_tiny_model

    base = Path(str(tmp_path))
    first = load_model(str(save_tiny_model(base / "v1", seed=1)), device="cpu", dtype="float32")
    engine = Engine(first)
    try:
        prompt = user("reload")
        in_flight = engine.events(
            prompt, SamplingParams(temperature=0.0, max_tokens=150, ignore_eos=True)
        )
        await anext(in_flight)
        await engine.reload(
            str(save_tiny_model(base / "v2", seed=2)), device="cpu", dtype="float32"
        )
        second = engine.loaded
        assert second is not first
        new = await engine.complete(prompt, SamplingParams(temperature=0.0, max_tokens=20))
        events = [e async for e in in_flight]
        old = events[-1]
        assert isinstance(old, Finished)
        assert old.completion.finish_reason == "length"
        assert old.completion.completion_tokens == 150
        assert new.text == greedy_reference(second, prompt, 20)
        assert new.text != greedy_reference(first, prompt, 20)
        assert metric(engine, "kefu_model_reloads_total") == 1
        assert metric(engine, "kefu_model_errors_total", {"kind": "unavailable"}) == 0
        # Without a name, the same source is loaded again (a new version written in place).
        await engine.reload()
        assert engine.loaded.source == second.source
        assert engine.loaded is not second
    finally:
        await engine.aclose()


async def test_a_dead_worker_fails_requests_fast(tiny: LoadedModel) -> None:
    broken = load_model("tiny-random", device="cpu", dtype="float32")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated device failure")

    broken.model.forward = explode  # type: ignore[method-assign]
    engine = Engine(broken)
    try:
        started = time.monotonic()
        with pytest.raises(ModelUnavailableError, match="simulated device failure"):
            await engine.complete(user("x"), SamplingParams(max_tokens=4))
        with pytest.raises(ModelUnavailableError, match="died"):
            await engine.complete(user("y"), SamplingParams(max_tokens=4))
        assert time.monotonic() - started < 5
    finally:
        await engine.aclose()


async def test_a_closed_engine_refuses(tiny: LoadedModel) -> None:
    engine = Engine(tiny)
    await engine.aclose()
    with pytest.raises(ModelUnavailableError, match="closed"):
        await engine.complete(user("x"), SamplingParams(max_tokens=4))


async def test_newcomers_prefilled_together_match_sequential_generate(
    engine: Engine, tiny: LoadedModel
) -> None:
    prompts = ["hi", "where is my parcel? " * 9, "退货 " * 4, "ok"]
    params = SamplingParams(temperature=0.0, max_tokens=32)
    completions = await asyncio.gather(*(engine.complete(user(p), params) for p in prompts))
    # All four arrive before the worker's next round, so they share one padded prefill.
    for prompt, completion in zip(prompts, completions, strict=True):
        assert completion.text == greedy_reference(tiny, user(prompt), 32)
