"""One turn under construction: the conversation's events so far plus the new ones, with
the state and the policies' view of it kept up to date as events are added."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialogue.domain import Domain
from dialogue.events import (
    ActionExecuted,
    ActionReverted,
    BotUttered,
    Event,
    Restarted,
    UserUtteranceReverted,
    UserUttered,
)
from dialogue.responses import Message
from dialogue.tracker import ConversationState, StateFolder, applied_events
from dialogue.turn_states import StateTracker

__all__ = ["BotReply", "Turn"]


@dataclass(frozen=True, slots=True)
class BotReply:
    """One message the bot sends; ``extra`` carries sources, claims, ... for storage."""

    text: str
    buttons: tuple[Mapping[str, Any], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


class Turn:
    """Add events with :meth:`add`; :attr:`state` and :attr:`states` follow them."""

    def __init__(
        self,
        domain: Domain,
        past: Sequence[Event],
        *,
        initial_slots: Mapping[str, Any],
        now: float,
        sender_id: str = "customer",
    ) -> None:
        self.domain = domain
        self.sender_id = sender_id
        self.initial_slots = dict(initial_slots)
        self.now = now
        self.events: list[Event] = list(past)
        self.new: list[Event] = []
        self.replies: list[BotReply] = []
        self.rejected: set[str] = set()
        self.fallback = False
        self.handoff = False
        self.stop = False
        self.executed = 0
        self.predictions: list[Any] = []
        # Seconds spent per stage this turn (nlu, policy, action, generation, checking).
        self.timings: dict[str, float] = {}
        self._rebuild()

    def timed(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def _rebuild(self) -> None:
        self._folder = StateFolder(self.initial_slots)
        self.states = StateTracker(self.domain, initial_slots=self.initial_slots)
        for event in applied_events(self.events):
            self._folder.apply(event)
            self.states.add(event)
        self._state: ConversationState | None = None

    def add(self, event: Event) -> None:
        self.events.append(event)
        self.new.append(event)
        if isinstance(event, UserUtteranceReverted | ActionReverted):
            self._rebuild()
            return
        self._folder.apply(event)
        self.states.add(event)
        self._state = None

    def say(self, message: Message) -> None:
        """Send ``message``: a ``bot`` event and a reply."""
        self.add(
            BotUttered(
                text=message.text,
                response=message.response,
                buttons=message.buttons,
                data=dict(message.extra),
                timestamp=self.now,
            )
        )
        self.replies.append(BotReply(message.text, message.buttons, dict(message.extra)))

    @property
    def state(self) -> ConversationState:
        if self._state is None:
            self._state = self._folder.state
        return self._state

    def since_restart(self) -> list[Event]:
        """The events an action sees (Rasa sends those after the last restart)."""
        events = applied_events(self.events)
        for index in range(len(events) - 1, -1, -1):
            if isinstance(events[index], Restarted):
                return events[index + 1 :]
        return events

    def previous_turn_actions(self) -> list[str]:
        """Actions the bot ran in answer to the message before the latest one."""
        names: list[str] = []
        users = 0
        for event in reversed(self.events):
            if isinstance(event, UserUttered):
                users += 1
                if users == 2:
                    return names
            elif users == 1 and isinstance(event, ActionExecuted):
                names.append(event.key)
        return []
