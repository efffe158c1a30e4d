"""The scripted fake other packages test against."""

from __future__ import annotations

import pytest

from model_runtime import ChatModel, ModelUnavailableError, ScriptedChatModel
from model_runtime.types import ChatMessage, SamplingParams

HI = [ChatMessage("user", "hi")]


async def test_replies_follow_the_script_and_the_last_repeats() -> None:
    model = ScriptedChatModel(["One.", "Two."])
    assert isinstance(model, ChatModel)
    texts = [(await model.complete(HI, SamplingParams())).text for _ in range(3)]
    assert texts == ["One.", "Two.", "Two."]
    assert model.requests[0].messages == tuple(HI)


async def test_limits_stops_and_streaming_behave_like_a_model() -> None:
    model = ScriptedChatModel(lambda messages, params: "The kettle costs 39 USD. Anything else?")
    short = await model.complete(HI, SamplingParams(max_tokens=3))
    assert (short.text, short.finish_reason) == ("The kettle costs ", "length")
    stopped = await model.complete(HI, SamplingParams(stop=(". ",)))
    assert (stopped.text, stopped.finish_reason) == ("The kettle costs 39 USD", "stop")
    pieces = [p async for p in model.stream(HI, SamplingParams())]
    assert "".join(pieces) == "The kettle costs 39 USD. Anything else?"
    assert len(pieces) == 7


async def test_an_unavailable_fake_fails_like_a_dead_model() -> None:
    model = ScriptedChatModel(["x"])
    model.available = False
    with pytest.raises(ModelUnavailableError):
        await model.complete(HI, SamplingParams())
