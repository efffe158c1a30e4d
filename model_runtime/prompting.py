"""From chat messages to prompt token ids, within the input limit.

The chat template comes from the tokenizer. A conversation longer than the budget is cut
by the policy in :mod:`model_runtime.truncation` (system prompt and facts kept, oldest
middle turns dropped first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transformers import PreTrainedTokenizerBase

from model_runtime.truncation import TruncatedPrompt, truncate_messages
from model_runtime.types import ChatMessage


@dataclass(frozen=True, slots=True)
class PromptLimits:
    """Input and output token limits of one request."""

    max_input_tokens: int = 8192
    max_output_tokens: int = 2048

    def __post_init__(self) -> None:
        if self.max_input_tokens < 1 or self.max_output_tokens < 1:
            raise ValueError("prompt limits must be >= 1")


@dataclass(frozen=True, slots=True)
class Prompt:
    token_ids: tuple[int, ...]
    truncation: TruncatedPrompt


def render(tokenizer: PreTrainedTokenizerBase, messages: Sequence[ChatMessage]) -> list[int]:
    """The chat template applied to ``messages`` with the assistant's turn opened, as ids."""
    text = tokenizer.apply_chat_template(
        [{"role": m.role, "content": m.content} for m in messages],
        tokenize=False,
        add_generation_prompt=True,
    )
    assert isinstance(text, str)
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def build_prompt(
    tokenizer: PreTrainedTokenizerBase,
    messages: Sequence[ChatMessage],
    *,
    max_new_tokens: int,
    limits: PromptLimits,
    max_positions: int,
) -> Prompt:
    """Token ids for ``messages``, truncated so that prompt + answer fit the model and limits.

    Raises PromptTooLongError when even the system prompt and facts do not fit.
    """
    budget = min(limits.max_input_tokens, max_positions - max_new_tokens)
    truncated = truncate_messages(
        messages, count_tokens=lambda ms: len(render(tokenizer, ms)), max_tokens=max(budget, 1)
    )
    return Prompt(tuple(render(tokenizer, truncated.messages)), truncated)
