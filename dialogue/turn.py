"""One turn under construction: the conversation's events so far plus the new ones, with
the state and the policies' view of it kept up to date as events are added.

A turn starts either from the stored events (folded from the first) or from the
:class:`TrackerSnapshot` the previous turn left plus the events stored since, so a
conversation's hundredth turn folds no more than its first."""

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

__all__ = ["BotReply", "TrackerSnapshot", "Turn"]


@dataclass(frozen=True, slots=True)
class BotReply:
    """One message the bot sends; ``extra`` carries sources, claims, ... for storage."""

    text: str
    buttons: tuple[Mapping[str, Any], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class TrackerSnapshot:
    """A conversation's first ``size`` stored events, folded: the events, the state and
    the policies' view of them. A turn takes it over (and changes it): keep only the one a
    finished turn hands back (:meth:`Turn.snapshot`), for the events stored with it."""

    size: int
    domain: Domain
    events: list[Event]
    folder: StateFolder
    states: StateTracker


class Turn:
    """Add events with :meth:`add`; :attr:`state` and :attr:`states` follow them.

    ``past`` are the stored events; with ``snapshot``, only those stored after it."""

    def __init__(
        self,
        domain: Domain,
        past: Sequence[Event],
        *,
        initial_slots: Mapping[str, Any],
        now: float,
        sender_id: str = "customer",
        snapshot: TrackerSnapshot | None = None,
    ) -> None:
        self.domain = domain
        self.sender_id = sender_id
        self.initial_slots = dict(initial_slots)
        self.now = now
        self.stored = len(past) + (snapshot.size if snapshot is not None else 0)
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
        if snapshot is None or snapshot.domain is not domain:
            self.events: list[Event] = [*(snapshot.events if snapshot else ()), *past]
            self._rebuild()
            return
        self.events = snapshot.events
        self._folder, self.states = snapshot.folder, snapshot.states
        self._state: ConversationState | None = None
        for event in past:
            self._fold(event)

    def snapshot(self) -> TrackerSnapshot:
        """What the next turn starts from, once this turn's events are stored."""
        return TrackerSnapshot(
            self.stored + len(self.new), self.domain, self.events, self._folder, self.states
        )

    def timed(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def _rebuild(self) -> None:
        self._folder = StateFolder(self.initial_slots)
        self.states = StateTracker(self.domain, initial_slots=self.initial_slots)
        for event in applied_events(self.events):
            self._folder.apply(event)
            self.states.add(event)
        self._state = None

    def add(self, event: Event) -> None:
        self.new.append(event)
        self._fold(event)

    def _fold(self, event: Event) -> None:
        self.events.append(event)
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
    def session_open(self) -> bool:
        """A session was started and not restarted since."""
        return self._folder.session_open

    @property
    def latest_time(self) -> float | None:
        """The timestamp of the latest event that has one."""
        return self._folder.latest_time

    def state_with(self, events: Sequence[Event]) -> ConversationState:
        """The state if ``events`` (no reverts among them) were added; nothing is added."""
        folder = self._folder.copy()
        for event in events:
            folder.apply(event)
        return folder.state

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
