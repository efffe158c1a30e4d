"""Deterministic stand-ins for a chat model, for tests and the fact-check benchmark.

``ScriptedChatModel`` replies from a script. ``FactRestatingModel`` reads the facts in
the prompt and restates them, deliberately getting some wrong (a noisy small model).
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from dialogue.knowledge.prompt import FACTS_HEADER
from model_runtime.types import ChatMessage, Completion, SamplingParams

Reply = str | Exception | Callable[[Sequence[ChatMessage], SamplingParams], str]


class ScriptedChatModel:
    """Replies with the scripted items in order (the last one repeats); records calls.

    An ``Exception`` item is raised instead of replying; a callable gets the request.
    """

    def __init__(self, replies: Sequence[Reply], *, name: str = "scripted") -> None:
        if not replies:
            raise ValueError("give at least one reply")
        self._replies = list(replies)
        self._name = name
        self.calls: list[tuple[tuple[ChatMessage, ...], SamplingParams]] = []

    @property
    def name(self) -> str:
        return self._name

    def _next(self, messages: Sequence[ChatMessage], params: SamplingParams) -> str:
        self.calls.append((tuple(messages), params))
        item = self._replies[min(len(self.calls) - 1, len(self._replies) - 1)]
        if isinstance(item, Exception):
            raise item
        if callable(item):
            return item(messages, params)
        return item

    async def complete(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Completion:
        text = self._next(messages, params)
        return Completion(text=text, finish_reason="stop", model=self._name)

    async def stream(
        self, messages: Sequence[ChatMessage], params: SamplingParams
    ) -> AsyncIterator[str]:
        for piece in re.findall(r"\S+\s*", self._next(messages, params)):
            yield piece


@dataclass(frozen=True, slots=True)
class Perturbation:
    question: str
    original: str
    changed: str
    sentence: str  # the corrupted sentence as the model wrote it


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_UNIT_SWAPS = (
    ("months", "years"),
    ("business days", "days"),
    ("个月", "年"),
    ("个工作日", "天"),
    ("hours", "days"),
)


@dataclass
class FactRestatingModel:
    """A noisy model: restates the prompt's facts and corrupts a value in ``error_rate`` of
    answers (a number changed, a unit swapped, or a word swapped from ``vocabulary``).

    Colder requests err less: the error rate scales with the sampling's top temperature
    (greedy rewrites are always faithful). Every corruption is logged in ``perturbations``.
    """

    error_rate: float = 0.25
    seed: int = 0
    vocabulary: Sequence[str] = ()
    facts_per_answer: int = 3
    name: str = "fact-restating-fake"
    perturbations: list[Perturbation] = field(default_factory=list)

    async def complete(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Completion:
        return Completion(text=self._reply(messages, params), finish_reason="stop", model=self.name)

    async def stream(
        self, messages: Sequence[ChatMessage], params: SamplingParams
    ) -> AsyncIterator[str]:
        for piece in re.findall(r"\S+\s*", self._reply(messages, params)):
            yield piece

    def _reply(self, messages: Sequence[ChatMessage], params: SamplingParams) -> str:
        system = next((m.content for m in messages if m.role == "system"), "")
        question = messages[-1].content if messages else ""
        facts = [
            line[2:].strip()
            for line in system.split(FACTS_HEADER, 1)[-1].splitlines()
            if line.startswith("- ")
        ]
        facts = [f for f in facts if f != "(no facts found)"]
        rng = random.Random(self.seed * 1_000_003 + zlib.crc32(question.encode("utf-8")))
        if system.startswith("Rewrite"):
            return facts[0] if facts else question
        if not facts:
            return "I'm not sure about that; I can connect you with a human agent."
        chosen = facts[: self.facts_per_answer]
        zh = any("\u4e00" <= ch <= "\u9fff" for ch in question)
        joiner = "" if zh else " "
        text = joiner.join(chosen)
        opener = (
            rng.choice(["", "Sure! ", "Happy to help. "]) if not zh else rng.choice(["", "您好！"])
        )
        temperature = (
            params.dynamic_temperature.t_max if params.dynamic_temperature else params.temperature
        )
        rate = self.error_rate * min(1.0, temperature / 0.3) if temperature > 0 else 0.0
        if rng.random() < rate:
            text = self._corrupt(text, question, rng)
        return opener + text

    def _corrupt(self, text: str, question: str, rng: random.Random) -> str:
        options: list[tuple[int, int, str]] = []
        for m in _NUMBER.finditer(text):
            value = float(m.group(0))
            if 1900 <= value <= 2100:
                changed = str(int(value) + rng.choice([-1, 1]))
            else:
                bumped = value * rng.choice([2, 0.5]) if value > 2 else value + rng.randint(1, 5)
                changed = m.group(0) if bumped == value else _like(m.group(0), bumped)
            if changed != m.group(0):
                options.append((m.start(), m.end(), changed))
        for old, new in _UNIT_SWAPS:
            position = text.find(old)
            if position >= 0 and not text.startswith(new, position):
                options.append((position, position + len(old), new))
        for word in self.vocabulary:
            for m in re.finditer(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text):
                # Swap within one script: "blue" -> "red", "蓝色" -> "红色".
                others = [
                    w
                    for w in self.vocabulary
                    if w != word and w not in text and w.isascii() == word.isascii()
                ]
                if others:
                    options.append((m.start(), m.end(), rng.choice(others)))
        if not options:
            return text
        start, end, replacement = rng.choice(options)
        changed = text[:start] + replacement + text[end:]
        boundaries = [m.end() for m in re.finditer(r"[.!?。！？]\s*", changed)]
        first = max((b for b in boundaries if b <= start), default=0)
        last = min((b for b in boundaries if b > start), default=len(changed))
        self.perturbations.append(
            Perturbation(question, text[start:end], replacement, changed[first:last].strip())
        )
        return changed


def _like(original: str, value: float) -> str:
    if "." in original:
        return f"{value:.{len(original.split('.')[1])}f}"
    return str(round(value))
