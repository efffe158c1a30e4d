"""The OpenAI-compatible server on a real uvicorn, called with the official ``openai`` client."""

from __future__ import annotations

import asyncio
import time

import httpx
import openai
import pytest

from model_runtime.client import OpenAIClient
from model_runtime.exceptions import InvalidRequestError, ModelUnavailableError
from model_runtime.fake import ScriptedChatModel
from model_runtime.types import ChatMessage, DynamicTemperature, SamplingParams

from .conftest import RunningServer, _serve, greedy_reference, user


@pytest.fixture
def client(http_server: RunningServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{http_server.url}/v1", api_key="unused", max_retries=0)


def test_models_lists_the_served_model(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["tiny-random"]


def test_a_completion_matches_the_engine(client: openai.OpenAI, http_server: RunningServer) -> None:
    response = client.chat.completions.create(
        model="tiny-random",
        messages=[{"role": "user", "content": "hello there"}],
        temperature=0,
        max_tokens=16,
    )
    choice = response.choices[0]
    assert choice.message.content == greedy_reference(
        http_server.engine.loaded, user("hello there"), 16
    )
    assert choice.finish_reason in ("stop", "length")
    assert response.usage is not None and response.usage.completion_tokens > 0
    extension = (response.model_extra or {})["kefu"]
    assert extension["temperatures"] == [0.0] * len(extension["temperatures"])


def test_dynamic_temperature_goes_through_the_extension_field(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(
        model="tiny-random",
        messages=[{"role": "user", "content": "hello"}],
        max_tokens=8,
        seed=3,
        extra_body={
            "dynamic_temperature": {"kind": "minmax", "t_min": 0, "t_max": 0.3, "exponent": 1}
        },
    )
    temperatures = (response.model_extra or {})["kefu"]["temperatures"]
    assert temperatures and all(0.0 <= t <= 0.3 + 1e-6 for t in temperatures)


def test_streaming_gives_the_same_text_and_ends_with_temperatures(client: openai.OpenAI) -> None:
    kwargs = {
        "model": "tiny-random",
        "messages": [{"role": "user", "content": "stream me"}],
        "temperature": 0,
        "max_tokens": 20,
    }
    whole = client.chat.completions.create(**kwargs)  # type: ignore[call-overload]
    chunks = list(
        client.chat.completions.create(
            stream=True, stream_options={"include_usage": True}, **kwargs
        )
    )  # type: ignore[call-overload]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason in ("stop", "length")
    assert (last.model_extra or {})["kefu"]["temperatures"]
    assert last.usage is not None and last.usage.completion_tokens > 0


def test_errors_map_to_openai_statuses(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="not served here"):
        client.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError, match="top_p"):
        client.chat.completions.create(
            model="tiny-random", messages=[{"role": "user", "content": "x"}], top_p=0
        )
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="tiny-random", messages=[])


def test_health_and_metrics(http_server: RunningServer, client: openai.OpenAI) -> None:
    client.chat.completions.create(
        model="tiny-random", messages=[{"role": "user", "content": "count me"}], max_tokens=4
    )
    assert httpx.get(f"{http_server.url}/healthz").json() == {
        "status": "ok",
        "model": "tiny-random",
    }
    text = httpx.get(f"{http_server.url}/metrics").text
    for name in (
        "kefu_model_queue_depth",
        "kefu_model_batch_size",
        "kefu_model_time_to_first_token_seconds_bucket",
        "kefu_model_time_per_output_token_seconds_bucket",
        "kefu_model_tokens_per_second",
        "kefu_model_errors_total",
        "kefu_model_sampling_temperature_bucket",
        "kefu_model_http_responses_total",
    ):
        assert name in text


async def test_our_client_speaks_to_the_server(http_server: RunningServer) -> None:
    remote = OpenAIClient(f"{http_server.url}/v1")
    try:
        params = SamplingParams(temperature=0.0, max_tokens=12, stop=("zzz",))
        completion = await remote.complete(user("hi"), params)
        assert remote.name == "tiny-random"
        assert completion.text == greedy_reference(http_server.engine.loaded, user("hi"), 12)
        assert len(completion.temperatures) >= completion.completion_tokens
        assert "".join([p async for p in remote.stream(user("hi"), params)]) == completion.text
        dynamic = SamplingParams(
            max_tokens=6, seed=1, dynamic_temperature=DynamicTemperature(t_min=0.2, t_max=0.4)
        )
        temps = (await remote.complete(user("hi"), dynamic)).temperatures
        assert temps and all(0.2 <= t <= 0.4 + 1e-6 for t in temps)
        with pytest.raises(InvalidRequestError):
            await remote.complete(user("hi"), SamplingParams(max_tokens=99999))
    finally:
        await remote.aclose()


async def test_an_unreachable_server_is_unavailable() -> None:
    from tests.servers import free_port

    remote = OpenAIClient(f"http://127.0.0.1:{free_port()}/v1", model="m")
    try:
        with pytest.raises(ModelUnavailableError, match="cannot reach"):
            await remote.complete(user("hi"), SamplingParams())
        with pytest.raises(ModelUnavailableError):
            [p async for p in remote.stream(user("hi"), SamplingParams())]
    finally:
        await remote.aclose()


def test_a_client_that_hangs_up_cancels_its_stream(http_server: RunningServer) -> None:
    registry = http_server.engine.metrics_registry

    def cancelled() -> float:
        return (
            registry.get_sample_value("kefu_model_requests_total", {"finish_reason": "cancelled"})
            or 0.0
        )

    before = cancelled()
    body = {
        "model": "tiny-random",
        "messages": [{"role": "user", "content": "long story"}],
        "max_tokens": 2000,
        "ignore_eos": True,
        "stream": True,
    }
    with httpx.stream("POST", f"{http_server.url}/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        assert next(lines).startswith("data:")
    deadline = time.monotonic() + 10
    while cancelled() <= before:
        assert time.monotonic() < deadline, "the sequence stayed in the batch"
        time.sleep(0.02)


def test_any_chat_model_can_be_served() -> None:
    scripted = ScriptedChatModel(["Hello from the script."], name="scripted")
    server = _serve(scripted)  # type: ignore[arg-type]
    running = next(server)
    try:
        client = openai.OpenAI(base_url=f"{running.url}/v1", api_key="x", max_retries=0)
        reply = client.chat.completions.create(
            model="scripted", messages=[{"role": "user", "content": "hi"}]
        )
        assert reply.choices[0].message.content == "Hello from the script."
        chunks = client.chat.completions.create(
            model="scripted", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello from the script."
        scripted.available = False
        with pytest.raises(openai.InternalServerError, match="unavailable"):
            client.chat.completions.create(
                model="scripted", messages=[{"role": "user", "content": "hi"}]
            )
    finally:
        next(server, None)


async def test_concurrent_http_requests_share_the_batch(http_server: RunningServer) -> None:
    client = openai.AsyncOpenAI(base_url=f"{http_server.url}/v1", api_key="x", max_retries=0)
    prompts = [f"customer {i} asks about the kettle" for i in range(6)]
    replies = await asyncio.gather(
        *(
            client.chat.completions.create(
                model="tiny-random",
                messages=[{"role": "user", "content": p}],
                temperature=0,
                max_tokens=24,
            )
            for p in prompts
        )
    )
    for prompt, reply in zip(prompts, replies, strict=True):
        expected = greedy_reference(http_server.engine.loaded, [ChatMessage("user", prompt)], 24)
        assert reply.choices[0].message.content == expected
    await client.close()
