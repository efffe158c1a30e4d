"""Typed tracker events. A conversation's state is whatever its events add up to.

Events are stored as Rasa-style dicts (``{"event": "user", ...}``): ``to_dict`` writes one
and :func:`event_from_dict` reads one back, so trackers written by one kefu version stay
readable by the next, and a rasa-sdk action's returned events read the same way. A
dict of a type this version does not know becomes :class:`UnknownEvent`, which keeps
the dict as it was (it round-trips and changes no state).

Derive the state with :func:`dialogue.tracker.derive_state`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "ACTION_LISTEN",
    "ActionExecuted",
    "ActionExecutionRejected",
    "ActionReverted",
    "ActiveLoop",
    "AllSlotsReset",
    "BotUttered",
    "ConversationPaused",
    "ConversationResumed",
    "Event",
    "FollowupAction",
    "Handoff",
    "HandoffStatus",
    "LoopInterrupted",
    "Restarted",
    "SessionStarted",
    "SlotSet",
    "UnknownEvent",
    "UserUtteranceReverted",
    "UserUttered",
    "event_from_dict",
    "events_from_dicts",
    "slots_from",
]

#: The action that ends the bot's turn: the bot waits for the customer.
ACTION_LISTEN = "action_listen"


def _stamp(data: dict[str, Any], timestamp: float | None) -> dict[str, Any]:
    if timestamp is not None:
        data["timestamp"] = timestamp
    return data


def _time(data: Mapping[str, Any]) -> float | None:
    value = data.get("timestamp")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class UserUttered:
    """A customer message with its parse; ``intent`` None for a text-only (end-to-end) turn."""

    text: str
    intent: str | None = None
    confidence: float | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    language: str | None = None
    message_seq: int | None = None
    parse_data: Mapping[str, Any] = field(default_factory=dict)
    timestamp: float | None = None

    def entity_values(self, entity: str) -> list[Any]:
        """Values of the entities of type ``entity`` in this message, in order."""
        return [e.get("value") for e in self.entities if e.get("entity") == entity]

    @property
    def intent_ranking(self) -> list[Mapping[str, Any]]:
        ranking = self.parse_data.get("intent_ranking")
        return list(ranking) if isinstance(ranking, list) else []

    def to_dict(self) -> dict[str, Any]:
        parse = dict(self.parse_data)
        parse.setdefault("text", self.text)
        parse["intent"] = {"name": self.intent, "confidence": self.confidence}
        parse["entities"] = [dict(e) for e in self.entities]
        if self.language is not None:
            parse["language"] = self.language
        data = {
            "event": "user",
            "text": self.text,
            "parse_data": parse,
            "metadata": {"message_seq": self.message_seq},
        }
        return _stamp(data, self.timestamp)


@dataclass(frozen=True, slots=True)
class BotUttered:
    """A bot message; ``response`` names the domain response it came from, if any."""

    text: str
    response: str | None = None
    buttons: tuple[Mapping[str, Any], ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "event": "bot",
            "text": self.text,
            "data": {**self.data, "buttons": [dict(b) for b in self.buttons]},
            "metadata": {"utter_action": self.response},
        }
        return _stamp(data, self.timestamp)


@dataclass(frozen=True, slots=True)
class SlotSet:
    name: str
    value: Any
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "slot", "name": self.name, "value": self.value}, self.timestamp)


@dataclass(frozen=True, slots=True)
class ActionExecuted:
    """An action ran; ``action_text`` instead of ``name`` for an end-to-end bot text."""

    name: str | None
    policy: str | None = None
    confidence: float | None = None
    action_text: str | None = None
    timestamp: float | None = None

    @property
    def key(self) -> str:
        """The name, or ``text:<action_text>`` for an end-to-end bot text."""
        return self.name if self.name is not None else f"text:{self.action_text}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "event": "action",
            "name": self.name,
            "policy": self.policy,
            "confidence": self.confidence,
        }
        if self.action_text is not None:
            data["action_text"] = self.action_text
        return _stamp(data, self.timestamp)


@dataclass(frozen=True, slots=True)
class ActionExecutionRejected:
    """The active form could not use the latest message; other policies decide instead."""

    name: str
    policy: str | None = None
    confidence: float | None = None
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "event": "action_execution_rejected",
            "name": self.name,
            "policy": self.policy,
            "confidence": self.confidence,
        }
        return _stamp(data, self.timestamp)


@dataclass(frozen=True, slots=True)
class ActiveLoop:
    """A form starts (``name``) or stops (None)."""

    name: str | None
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "active_loop", "name": self.name}, self.timestamp)


@dataclass(frozen=True, slots=True)
class LoopInterrupted:
    """Another action answered while a form was active: the form will not validate the
    message that interrupted it and asks its question again."""

    is_interrupted: bool
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"event": "loop_interrupted", "is_interrupted": self.is_interrupted}
        return _stamp(data, self.timestamp)


class HandoffStatus(StrEnum):
    """Where a conversation stands with human agents (the app's conversation status)."""

    REQUESTED = "requested"  # the bot asked for a person; the app makes it pending
    PENDING = "pending"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    BOT = "bot"  # returned to the bot


@dataclass(frozen=True, slots=True)
class Handoff:
    """A change in the conversation's handoff status; the bot is silent while assigned."""

    status: str
    reason: str | None = None
    agent: str | None = None
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"event": "handoff", "status": self.status, "reason": self.reason}
        data["agent"] = self.agent
        return _stamp(data, self.timestamp)


@dataclass(frozen=True, slots=True)
class ConversationPaused:
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "pause"}, self.timestamp)


@dataclass(frozen=True, slots=True)
class ConversationResumed:
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "resume"}, self.timestamp)


@dataclass(frozen=True, slots=True)
class Restarted:
    """Forget everything before: slots back to their initial values, no form."""

    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "restart"}, self.timestamp)


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """A new session; the slots it carries over follow as SlotSet events."""

    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "session_started"}, self.timestamp)


@dataclass(frozen=True, slots=True)
class AllSlotsReset:
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "reset_slots"}, self.timestamp)


@dataclass(frozen=True, slots=True)
class FollowupAction:
    """Run ``name`` next, before any policy is asked."""

    name: str
    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "followup", "name": self.name}, self.timestamp)


@dataclass(frozen=True, slots=True)
class UserUtteranceReverted:
    """Undo everything back to and including the latest customer message."""

    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "rewind"}, self.timestamp)


@dataclass(frozen=True, slots=True)
class ActionReverted:
    """Undo everything back to and including the latest action."""

    timestamp: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _stamp({"event": "undo"}, self.timestamp)


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event type this version does not know: kept as stored, ignored by the state."""

    data: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


Event = (
    UserUttered
    | BotUttered
    | SlotSet
    | ActionExecuted
    | ActionExecutionRejected
    | ActiveLoop
    | LoopInterrupted
    | Handoff
    | ConversationPaused
    | ConversationResumed
    | Restarted
    | SessionStarted
    | AllSlotsReset
    | FollowupAction
    | UserUtteranceReverted
    | ActionReverted
    | UnknownEvent
)

_SIMPLE: dict[str, Any] = {
    "pause": ConversationPaused,
    "resume": ConversationResumed,
    "restart": Restarted,
    "session_started": SessionStarted,
    "reset_slots": AllSlotsReset,
    "rewind": UserUtteranceReverted,
    "undo": ActionReverted,
}


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The typed event for a stored (or rasa-sdk returned) dict.

    Never raises: a dict of an unknown type, or one missing what its type needs,
    becomes :class:`UnknownEvent` so that a tracker always loads.
    """
    kind = data.get("event")
    stamp = _time(data)
    try:
        match kind:
            case "user":
                parse = dict(data.get("parse_data") or {})
                intent = parse.get("intent") or {}
                metadata = data.get("metadata") or {}
                seq = metadata.get("message_seq") if isinstance(metadata, Mapping) else None
                return UserUttered(
                    text=str(data.get("text") or ""),
                    intent=_optional_str(intent.get("name")),
                    confidence=_number(intent.get("confidence")),
                    entities=tuple(dict(e) for e in parse.get("entities") or ()),
                    language=_optional_str(parse.get("language")),
                    message_seq=seq if isinstance(seq, int) else None,
                    parse_data=parse,
                    timestamp=stamp,
                )
            case "bot":
                payload = dict(data.get("data") or {})
                buttons = tuple(dict(b) for b in payload.pop("buttons", None) or ())
                metadata = data.get("metadata") or {}
                return BotUttered(
                    text=str(data.get("text") or ""),
                    response=_optional_str(metadata.get("utter_action")),
                    buttons=buttons,
                    data=payload,
                    timestamp=stamp,
                )
            case "slot":
                return SlotSet(name=str(data["name"]), value=data.get("value"), timestamp=stamp)
            case "action":
                return ActionExecuted(
                    name=_optional_str(data.get("name")),
                    policy=_optional_str(data.get("policy")),
                    confidence=_number(data.get("confidence")),
                    action_text=_optional_str(data.get("action_text")),
                    timestamp=stamp,
                )
            case "action_execution_rejected":
                return ActionExecutionRejected(
                    name=str(data["name"]),
                    policy=_optional_str(data.get("policy")),
                    confidence=_number(data.get("confidence")),
                    timestamp=stamp,
                )
            case "active_loop" | "form":
                return ActiveLoop(name=_optional_str(data.get("name")), timestamp=stamp)
            case "loop_interrupted" | "form_validation":
                value = data.get("is_interrupted", not data.get("validate", True))
                return LoopInterrupted(is_interrupted=bool(value), timestamp=stamp)
            case "handoff":
                return Handoff(
                    status=str(data["status"]),
                    reason=_optional_str(data.get("reason")),
                    agent=_optional_str(data.get("agent")),
                    timestamp=stamp,
                )
            case "followup":
                return FollowupAction(name=str(data["name"]), timestamp=stamp)
            case str() if kind in _SIMPLE:
                return _SIMPLE[kind](timestamp=stamp)  # type: ignore[no-any-return]
    except (KeyError, TypeError, AttributeError, ValueError):
        pass
    return UnknownEvent(dict(data))


def events_from_dicts(history: Iterable[Mapping[str, Any]]) -> list[Event]:
    """Typed events for stored dicts, in order."""
    return [event_from_dict(d) for d in history]


def slots_from(events: Sequence[Event]) -> dict[str, Any]:
    """The slot values the ``SlotSet`` events of ``events`` leave (no reset semantics:
    use :func:`dialogue.tracker.derive_state` for the real state)."""
    slots: dict[str, Any] = {}
    for event in events:
        if isinstance(event, SlotSet):
            slots[event.name] = event.value
    return slots
