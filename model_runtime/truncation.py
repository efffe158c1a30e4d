"""Fitting a conversation into the model's input budget.

The policy, in order (docs/model-runtime.md repeats it):

1. Pinned messages are never dropped: every ``system`` message (the system prompt and the
   retrieved facts, which kefu sends as system messages) and the latest message.
2. The other turns are dropped oldest first, as few as needed.
3. If the pinned messages alone are still too long, the start of the latest message is cut
   (its end, where the question usually is, stays).
4. If even that is not enough, :class:`PromptTooLongError` says to send fewer facts.

A pure function: the caller passes ``count_tokens`` (the chat template plus the tokenizer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from model_runtime.exceptions import PromptTooLongError
from model_runtime.types import ChatMessage

TokenCounter = Callable[[Sequence[ChatMessage]], int]


@dataclass(frozen=True, slots=True)
class TruncatedPrompt:
    """The messages to send, and what the policy removed to get there."""

    messages: tuple[ChatMessage, ...]
    tokens: int
    dropped_messages: int = 0
    cut_chars: int = 0


def truncate_messages(
    messages: Sequence[ChatMessage], *, count_tokens: TokenCounter, max_tokens: int
) -> TruncatedPrompt:
    """The longest suffix of the conversation that fits in ``max_tokens``, by the policy above."""
    if not messages:
        return TruncatedPrompt((), count_tokens(()))
    messages = tuple(messages)
    tokens = count_tokens(messages)
    if tokens <= max_tokens:
        return TruncatedPrompt(messages, tokens)

    last = len(messages) - 1
    middle = [i for i, m in enumerate(messages[:last]) if m.role != "system"]

    def without_oldest(k: int) -> tuple[ChatMessage, ...]:
        dropped = set(middle[:k])
        return tuple(m for i, m in enumerate(messages) if i not in dropped)

    # Fewest oldest middle turns to drop; dropping more never makes the prompt longer.
    low, high = 1, len(middle)
    while low <= high:
        k = (low + high) // 2
        if count_tokens(without_oldest(k)) <= max_tokens:
            high = k - 1
        else:
            low = k + 1
    if low <= len(middle):
        kept = without_oldest(low)
        return TruncatedPrompt(kept, count_tokens(kept), dropped_messages=low)

    pinned = without_oldest(len(middle))
    latest = pinned[-1]

    def with_tail(n_chars: int) -> tuple[ChatMessage, ...]:
        tail = latest.content[len(latest.content) - n_chars :] if n_chars else ""
        return (*pinned[:-1], ChatMessage(latest.role, tail))

    if count_tokens(with_tail(0)) > max_tokens:
        raise PromptTooLongError(
            f"the system prompt and facts alone take {count_tokens(with_tail(0))} tokens, over "
            f"the input limit of {max_tokens}; send fewer or shorter facts."
        )
    # Most characters of the latest message's end that still fit.
    low, high = 0, len(latest.content)
    while low < high:
        n = (low + high + 1) // 2
        if count_tokens(with_tail(n)) <= max_tokens:
            low = n
        else:
            high = n - 1
    kept = with_tail(low)
    return TruncatedPrompt(
        kept,
        count_tokens(kept),
        dropped_messages=len(middle),
        cut_chars=len(latest.content) - low,
    )
