"""The conversation state, derived from its events by a pure function.

``derive_state(events, initial_slots=...)`` folds the events into a
:class:`ConversationState`: slots, the active form (and whether it was interrupted or
rejected), the requested slot, the latest message and action, and whether the bot is
paused (a human agent has the conversation). Reverting events (rewind, undo) are
applied first by :func:`applied_events`. Nothing is stored but the events.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from dialogue.domain import REQUESTED_SLOT
from dialogue.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    FollowupAction,
    Handoff,
    HandoffStatus,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)

__all__ = [
    "ConversationState",
    "LoopState",
    "StateFolder",
    "applied_events",
    "derive_state",
    "session_events",
]


@dataclass(frozen=True, slots=True)
class LoopState:
    """The active form. ``validate`` False after an interruption (the form asks again
    without reading the message); ``rejected`` True when it could not use the latest
    message (other policies decide)."""

    name: str
    validate: bool = True
    rejected: bool = False


@dataclass(frozen=True, slots=True)
class ConversationState:
    slots: Mapping[str, Any] = field(default_factory=dict)
    active_loop: LoopState | None = None
    latest_message: UserUttered | None = None
    latest_action: str | None = None
    latest_bot_response: str | None = None
    paused: bool = False
    handoff_status: str | None = None
    followup_action: str | None = None

    @property
    def active_loop_name(self) -> str | None:
        return self.active_loop.name if self.active_loop is not None else None

    @property
    def requested_slot(self) -> str | None:
        value = self.slots.get(REQUESTED_SLOT)
        return str(value) if value is not None else None

    @property
    def language(self) -> str | None:
        value = self.slots.get("language")
        return str(value) if value is not None else None


def applied_events(events: Sequence[Event]) -> list[Event]:
    """``events`` with what rewind (``UserUtteranceReverted``) and undo (``ActionReverted``)
    take back removed, together with those reverting events themselves."""
    kept: list[Event] = []
    for event in events:
        if isinstance(event, UserUtteranceReverted):
            _drop_back_to(kept, UserUttered)
        elif isinstance(event, ActionReverted):
            _drop_back_to(kept, ActionExecuted, skip_listen=True)
        else:
            kept.append(event)
    return kept


def _drop_back_to(kept: list[Event], kind: type, *, skip_listen: bool = False) -> None:
    for index in range(len(kept) - 1, -1, -1):
        event = kept[index]
        if isinstance(event, kind) and not (
            skip_listen and isinstance(event, ActionExecuted) and event.name == ACTION_LISTEN
        ):
            del kept[index:]
            return


def session_events(events: Sequence[Event]) -> list[Event]:
    """The events of the current session: those after the last restart or session start."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], Restarted | SessionStarted):
            return list(events[index + 1 :])
    return list(events)


class StateFolder:
    """Folds events into the state one at a time (reverting events need the whole list:
    use :func:`derive_state` then). Besides the state it keeps what session handling asks
    of the whole history: whether a session is open and the latest event's time."""

    def __init__(self, initial_slots: Mapping[str, Any] | None = None) -> None:
        self.initial = dict(initial_slots or {})
        self.slots = dict(self.initial)
        self.loop: LoopState | None = None
        self.latest_message: UserUttered | None = None
        self.latest_action: str | None = None
        self.latest_response: str | None = None
        self.paused = False
        self.handoff: str | None = None
        self.followup: str | None = None
        self.session_open = False
        self.latest_time: float | None = None

    def copy(self) -> StateFolder:
        twin = copy.copy(self)
        twin.initial, twin.slots = self.initial, dict(self.slots)
        return twin

    def apply(self, event: Event) -> None:
        stamp = getattr(event, "timestamp", None)
        if stamp is not None:
            self.latest_time = stamp
        match event:
            case UserUttered():
                self.latest_message = event
                self.followup = None
                if self.loop is not None:
                    # A new message is a new chance for the form to use it.
                    self.loop = replace(self.loop, rejected=False)
            case BotUttered():
                self.latest_response = event.response
            case SlotSet():
                self.slots[event.name] = event.value
            case ActionExecuted():
                self.latest_action = event.key
                self.followup = None
                if self.loop is not None and event.name == self.loop.name:
                    self.loop = replace(self.loop, validate=True, rejected=False)
            case ActionExecutionRejected():
                if self.loop is not None and event.name == self.loop.name:
                    self.loop = replace(self.loop, rejected=True)
            case ActiveLoop():
                self.loop = LoopState(event.name) if event.name else None
            case LoopInterrupted():
                if self.loop is not None:
                    self.loop = replace(self.loop, validate=not event.is_interrupted)
            case Handoff():
                self.handoff = event.status
                self.paused = event.status == HandoffStatus.ASSIGNED
            case ConversationPaused():
                self.paused = True
            case ConversationResumed():
                self.paused = False
            case Restarted() | SessionStarted():
                self.session_open = isinstance(event, SessionStarted)
                self.slots, self.loop, self.latest_message = dict(self.initial), None, None
                self.latest_action, self.latest_response, self.followup = None, None, None
            case AllSlotsReset():
                self.slots = dict(self.initial)
            case FollowupAction():
                self.followup = event.name

    @property
    def state(self) -> ConversationState:
        return ConversationState(
            slots=MappingProxyType(dict(self.slots)),
            active_loop=self.loop,
            latest_message=self.latest_message,
            latest_action=self.latest_action,
            latest_bot_response=self.latest_response,
            paused=self.paused,
            handoff_status=self.handoff,
            followup_action=self.followup,
        )


def derive_state(
    events: Sequence[Event], *, initial_slots: Mapping[str, Any] | None = None
) -> ConversationState:
    """The state after ``events`` (reverts applied). ``initial_slots`` are the domain's
    initial values, restored by a restart, a session start or a slot reset."""
    folder = StateFolder(initial_slots)
    for event in applied_events(events):
        folder.apply(event)
    return folder.state
