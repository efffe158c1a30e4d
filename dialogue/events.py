"""Typed tracker events. A conversation's state is whatever its events add up to.

Events are stored as Rasa-style dicts (``{"event": "user", ...}``); ``to_dict`` and
``event_from_dict`` convert, so trackers written by one kefu version stay readable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class UserUttered:
    text: str
    intent: str | None = None
    confidence: float | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    language: str | None = None
    message_seq: int | None = None
    parse_data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": "user",
            "text": self.text,
            "parse_data": dict(self.parse_data)
            or {
                "intent": {"name": self.intent, "confidence": self.confidence},
                "entities": [dict(e) for e in self.entities],
                "language": self.language,
            },
            "metadata": {"message_seq": self.message_seq},
        }


@dataclass(frozen=True, slots=True)
class BotUttered:
    text: str
    response: str | None = None
    buttons: tuple[Mapping[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": "bot",
            "text": self.text,
            "data": {"buttons": [dict(b) for b in self.buttons]},
            "metadata": {"utter_action": self.response},
        }


@dataclass(frozen=True, slots=True)
class SlotSet:
    name: str
    value: Any

    def to_dict(self) -> dict[str, Any]:
        return {"event": "slot", "name": self.name, "value": self.value}


@dataclass(frozen=True, slots=True)
class ActionExecuted:
    name: str
    policy: str | None = None
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": "action",
            "name": self.name,
            "policy": self.policy,
            "confidence": self.confidence,
        }


Event = UserUttered | BotUttered | SlotSet | ActionExecuted


def event_from_dict(data: Mapping[str, Any]) -> Event | None:
    """The typed event for a stored dict; None for an event type this version ignores."""
    match data.get("event"):
        case "user":
            parse = dict(data.get("parse_data") or {})
            intent = parse.get("intent") or {}
            metadata = data.get("metadata") or {}
            return UserUttered(
                text=str(data.get("text", "")),
                intent=intent.get("name"),
                confidence=intent.get("confidence"),
                entities=tuple(parse.get("entities") or ()),
                language=parse.get("language"),
                message_seq=metadata.get("message_seq"),
                parse_data=parse,
            )
        case "bot":
            return BotUttered(
                text=str(data.get("text", "")),
                response=(data.get("metadata") or {}).get("utter_action"),
                buttons=tuple((data.get("data") or {}).get("buttons") or ()),
            )
        case "slot":
            return SlotSet(name=str(data["name"]), value=data.get("value"))
        case "action":
            return ActionExecuted(
                name=str(data["name"]), policy=data.get("policy"), confidence=data.get("confidence")
            )
    return None


def slots_from(events: Iterable[Event]) -> dict[str, Any]:
    """The slot values after ``events``."""
    slots: dict[str, Any] = {}
    for event in events:
        if isinstance(event, SlotSet):
            slots[event.name] = event.value
    return slots
