"""The turn engine: one customer message and the conversation so far in, events and replies out.

This first engine answers each message with the domain's response for the predicted
intent (``utter_<intent>``), in the customer's language, and with ``utter_default`` when
the classifier is not confident. The dialogue engine (rules, stories, forms, actions)
replaces ``_decide`` while keeping :meth:`Engine.handle`'s contract; the app relies only
on that contract.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dialogue.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
    event_from_dict,
    slots_from,
)
from dialogue.nlu.types import IntentScore, ParseResult

if TYPE_CHECKING:
    from dialogue.training import TrainedAssistant

FALLBACK_RESPONSE = "utter_default"
FALLBACK_TEXT = {
    "en": "Sorry, I didn't understand that. Could you rephrase it?",
    "zh": "抱歉，我没有理解您的意思，能换个说法吗？",
}
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w-]*)$")


@dataclass(frozen=True, slots=True)
class BotReply:
    """One message the bot sends; ``extra`` carries sources, claims, ... for storage."""

    text: str
    buttons: tuple[Mapping[str, Any], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    events: tuple[Mapping[str, Any], ...]  # new tracker events, as stored dicts
    replies: tuple[BotReply, ...]
    parse: ParseResult | None = None
    fallback: bool = False


class _TemplateFormatter(string.Formatter):
    """``{slot}`` placeholders from the slots; a placeholder without a value stays as is."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str):
            value = kwargs.get(key)
            return "{" + key + "}" if value is None else value
        return super().get_value(key, args, kwargs)


def fill_template(text: str, slots: Mapping[str, Any]) -> str:
    try:
        return _TemplateFormatter().format(text, **slots)
    except (ValueError, IndexError, AttributeError):
        return text


class Engine:
    """Stateless between turns: everything it knows about a conversation is in its events."""

    def __init__(
        self,
        assistant: TrainedAssistant,
        *,
        fallback_threshold: float = 0.45,
        rng: random.Random | None = None,
    ) -> None:
        self.assistant = assistant
        self.fallback_threshold = fallback_threshold
        self.rng = rng or random.Random()

    def parse(self, text: str) -> ParseResult:
        """NLU for one message; ``/intent`` payloads (from buttons) skip the classifier."""
        payload = _PAYLOAD.match(text.strip())
        if payload and payload["intent"] in self.assistant.domain.intent_names:
            parsed = self.assistant.nlu.parse(text)
            score = IntentScore(payload["intent"], 1.0)
            return ParseResult(
                text=text,
                intent=score,
                intent_ranking=(score,),
                entities=(),
                language=parsed.language,
            )
        return self.assistant.nlu.parse(text)

    async def handle(
        self,
        *,
        history: Sequence[Mapping[str, Any]],
        text: str,
        message_seq: int | None = None,
        locale: str | None = None,
    ) -> TurnOutcome:
        past = [e for e in (event_from_dict(d) for d in history) if e is not None]
        parse = self.parse(text)
        return self._decide(past, parse, message_seq=message_seq)

    def _decide(
        self, past: Sequence[Event], parse: ParseResult, *, message_seq: int | None
    ) -> TurnOutcome:
        slots = slots_from(past)
        new: list[Event] = [
            UserUttered(
                text=parse.text,
                intent=parse.intent.name,
                confidence=parse.intent.confidence,
                entities=tuple(_entity_dict(e) for e in parse.entities),
                language=parse.language,
                message_seq=message_seq,
                parse_data=parse.to_dict(),
            )
        ]
        if slots.get("language") != parse.language:
            new.append(SlotSet("language", parse.language))
            slots["language"] = parse.language
        for entity in parse.entities:
            if self.assistant.domain.slot(entity.entity) is not None:
                new.append(SlotSet(entity.entity, entity.value))
                slots[entity.entity] = entity.value

        fallback = (
            parse.intent.name == "nlu_fallback" or parse.intent.confidence < self.fallback_threshold
        )
        response = FALLBACK_RESPONSE if fallback else f"utter_{parse.intent.name}"
        if response not in self.assistant.domain.responses:
            response, fallback = FALLBACK_RESPONSE, True
        reply = self._render(response, slots, parse.language)
        new.append(
            ActionExecuted(response, policy="intent_response", confidence=parse.intent.confidence)
        )
        new.append(BotUttered(reply.text, response=response, buttons=reply.buttons))
        return TurnOutcome(
            events=tuple(e.to_dict() for e in new),
            replies=(reply,),
            parse=parse,
            fallback=fallback,
        )

    def _render(self, response: str, slots: Mapping[str, Any], language: str) -> BotReply:
        domain = self.assistant.domain
        variation = (
            domain.pick_response(response, slots, rng=self.rng)
            if response in domain.responses
            else None
        )
        if variation is None or not variation.text:
            return BotReply(text=FALLBACK_TEXT.get(language, FALLBACK_TEXT["en"]))
        buttons = tuple({"title": b.title, "payload": b.payload} for b in variation.buttons)
        return BotReply(text=fill_template(variation.text, slots), buttons=buttons)


def _entity_dict(entity: Any) -> dict[str, Any]:
    return {
        "entity": entity.entity,
        "value": entity.value,
        "start": entity.start,
        "end": entity.end,
        "extractor": entity.extractor,
        "confidence": entity.confidence,
    }
