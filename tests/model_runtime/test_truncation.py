"""The truncation policy: system prompt and facts kept, oldest middle turns dropped first."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model_runtime.exceptions import PromptTooLongError
from model_runtime.truncation import truncate_messages
from model_runtime.types import ChatMessage


def words(messages: Sequence[ChatMessage]) -> int:
    """A stand-in tokenizer: one token per word plus 3 per message for the template."""
    return sum(len(m.content.split()) + 3 for m in messages)


SYSTEM = ChatMessage("system", "You are the store's assistant.")
FACTS = ChatMessage("system", "Facts: kettle price 39 USD; warranty 24 months.")


def conversation(turns: int) -> list[ChatMessage]:
    history = []
    for i in range(turns):
        history.append(ChatMessage("user", f"question {i} " + "word " * 10))
        history.append(ChatMessage("assistant", f"answer {i} " + "word " * 10))
    return [SYSTEM, FACTS, *history, ChatMessage("user", "How long is the warranty?")]


def test_a_prompt_that_fits_is_unchanged() -> None:
    messages = conversation(2)
    result = truncate_messages(messages, count_tokens=words, max_tokens=1000)
    assert list(result.messages) == messages
    assert result.dropped_messages == 0
    assert result.tokens == words(messages)


def test_oldest_middle_turns_go_first_and_pinned_ones_stay() -> None:
    messages = conversation(5)
    budget = words(messages) - 20
    result = truncate_messages(messages, count_tokens=words, max_tokens=budget)
    kept = list(result.messages)
    assert kept[:2] == [SYSTEM, FACTS]
    assert kept[-1] == messages[-1]
    assert result.tokens <= budget
    # Exactly the oldest turns are missing, and no more than needed.
    assert kept[2:] == messages[2 + result.dropped_messages :]
    fewer = [SYSTEM, FACTS, *messages[2 + result.dropped_messages - 1 :]]
    assert words(fewer) > budget


def test_the_start_of_the_latest_message_is_cut_when_pinned_messages_do_not_fit() -> None:
    latest = ChatMessage("user", "blah " * 50 + "How long is the warranty?")
    messages = [SYSTEM, FACTS, ChatMessage("assistant", "hi " * 20), latest]
    budget = words([SYSTEM, FACTS]) + 3 + 10
    result = truncate_messages(messages, count_tokens=words, max_tokens=budget)
    assert result.messages[:2] == (SYSTEM, FACTS)
    assert len(result.messages) == 3
    assert result.messages[-1].content.endswith("How long is the warranty?")
    assert result.cut_chars > 0
    assert result.tokens <= budget


def test_when_facts_alone_are_too_long_the_error_says_so() -> None:
    with pytest.raises(PromptTooLongError, match="fewer or shorter facts"):
        truncate_messages(conversation(1), count_tokens=words, max_tokens=10)


@settings(max_examples=80, deadline=None)
@given(turns=st.integers(0, 12), budget=st.integers(25, 400))
def test_the_result_always_fits_and_keeps_the_pinned_messages(turns: int, budget: int) -> None:
    messages = conversation(turns)
    result = truncate_messages(messages, count_tokens=words, max_tokens=budget)
    assert words(result.messages) <= budget
    assert result.messages[:2] == (SYSTEM, FACTS)
    assert result.messages[-1].role == "user"
    assert messages[-1].content.endswith(result.messages[-1].content)
