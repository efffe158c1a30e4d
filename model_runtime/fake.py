"""A deterministic fake ``ChatModel`` for other packages' tests (no model, no threads).

``ScriptedChatModel(["Hello!", "Bye."])`` answers the scripted replies in turn (the last
one repeats), or ``ScriptedChatModel(lambda messages, params: ...)`` computes each reply.
It honours ``max_tokens`` (one word is one token), stop sequences and streaming, and
records every request in :attr:`ScriptedChatModel.requests` for assertions.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from model_runtime.exceptions import ModelUnavailableError
from model_runtime.stopping import StopMatcher
from model_runtime.types import ChatMessage, Completion, SamplingParams

Reply = Callable[[Sequence[ChatMessage], SamplingParams], str]


@dataclass(frozen=True, slots=True)
class ScriptedRequest:
    messages: tuple[ChatMessage, ...]
    params: SamplingParams


class ScriptedChatModel:
    """Answers from a script; set :attr:`available` to False to simulate a dead model."""

    def __init__(self, replies: Sequence[str] | Reply, *, name: str = "scripted") -> None:
        if not callable(replies) and not replies:
            raise ValueError("give at least one scripted reply")
        self._replies = replies
        self._name = name
        self._turn = 0
        self.available = True
        self.requests: list[ScriptedRequest] = []

    @property
    def name(self) -> str:
        return self._name

    async def complete(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Completion:
        pieces, reason = self._answer(messages, params)
        return Completion(
            text="".join(pieces),
            finish_reason=reason,
            model=self._name,
            prompt_tokens=sum(len(m.content.split()) for m in messages),
            completion_tokens=len(pieces),
            temperatures=(params.temperature,) * len(pieces),
        )

    async def stream(
        self, messages: Sequence[ChatMessage], params: SamplingParams
    ) -> AsyncIterator[str]:
        pieces, _ = self._answer(messages, params)
        for piece in pieces:
            yield piece

    async def aclose(self) -> None:
        self.available = False

    def _answer(
        self, messages: Sequence[ChatMessage], params: SamplingParams
    ) -> tuple[list[str], Literal["stop", "length"]]:
        if not self.available:
            raise ModelUnavailableError(f"{self._name} is unavailable (scripted)")
        self.requests.append(ScriptedRequest(tuple(messages), params))
        if callable(self._replies):
            text = self._replies(messages, params)
        else:
            text = self._replies[min(self._turn, len(self._replies) - 1)]
            self._turn += 1
        words = re.findall(r"\S+\s*", text) or [text]
        reason: Literal["stop", "length"] = "stop"
        if len(words) > params.max_tokens:
            words, reason = words[: params.max_tokens], "length"
        matcher = StopMatcher(params.stop)
        pieces = [p for p in (matcher.feed(w) for w in words) if p]
        if matcher.stopped:
            reason = "stop"
        elif tail := matcher.flush():
            pieces.append(tail)
        return pieces, reason
