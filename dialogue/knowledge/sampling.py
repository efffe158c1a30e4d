"""Sampling parameters chosen from the dialogue state: facts cold, small talk warm."""

from __future__ import annotations

from enum import StrEnum

from model_runtime.types import DynamicTemperature, SamplingParams


class AnswerMode(StrEnum):
    FACTS = "facts"  # knowledge answers: exact numbers, cold
    CONFIRMATION = "confirmation"  # "so you want to return A10001?": cold and short
    SMALL_TALK = "small_talk"  # greetings, thanks: warm and varied


# Entropy-scaled temperature: near 0 where the model is sure (the facts), at most 0.3.
# An answer is a few sentences (the composed one at most four): 140 tokens hold them, and
# bound a rambling draft on a CPU to seconds, not the 20 s that 220 tokens took.
FACTS_SAMPLING = SamplingParams(
    temperature=0.2,
    top_p=0.9,
    max_tokens=140,
    dynamic_temperature=DynamicTemperature(kind="minmax", t_min=0.0, t_max=0.3, exponent=1.0),
)
CONFIRMATION_SAMPLING = SamplingParams(
    temperature=0.1,
    top_p=0.9,
    max_tokens=80,
    dynamic_temperature=DynamicTemperature(kind="minmax", t_min=0.0, t_max=0.2, exponent=1.0),
)
SMALL_TALK_SAMPLING = SamplingParams(
    temperature=0.85,
    top_p=0.95,
    max_tokens=120,
    repetition_penalty=1.1,
    dynamic_temperature=DynamicTemperature(kind="minmax", t_min=0.7, t_max=1.0, exponent=1.0),
)
# Used to regenerate a sentence that contradicted the facts: fully greedy.
REWRITE_SAMPLING = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=120)

_BY_MODE = {
    AnswerMode.FACTS: FACTS_SAMPLING,
    AnswerMode.CONFIRMATION: CONFIRMATION_SAMPLING,
    AnswerMode.SMALL_TALK: SMALL_TALK_SAMPLING,
}
SMALL_TALK_INTENTS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "thanks",
        "chitchat",
        "bot_challenge",
        "mood_great",
        "mood_unhappy",
        "small_talk",
    }
)
CONFIRMATION_INTENTS = frozenset({"affirm", "deny", "confirm"})


def sampling_for(mode: AnswerMode) -> SamplingParams:
    """The sampling parameters for a reply in ``mode``."""
    return _BY_MODE[mode]


def mode_for_intent(intent: str | None) -> AnswerMode:
    """Map the NLU's intent to an answer mode; unknown intents are treated as facts."""
    if intent in SMALL_TALK_INTENTS:
        return AnswerMode.SMALL_TALK
    if intent in CONFIRMATION_INTENTS:
        return AnswerMode.CONFIRMATION
    return AnswerMode.FACTS
