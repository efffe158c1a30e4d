"""What the policies see of a conversation: one feature set per prediction.

A *state* is a flat mapping of features at the moment an action is chosen:

=================  ========================================================
``intent``         the latest message's intent (``text`` instead, for an
                   end-to-end story step written as text only)
``entities``       the entity types of the latest message (those its intent uses)
``prev_action``    the action before (``action_listen`` after a message)
``active_loop``    the active form, or None
``slot:<name>``    a slot's feature: set or not (text), its value (bool,
                   categorical, float), non-empty (list); None when not set
=================  ========================================================

:class:`StateTracker` turns events into ``(state, action)`` records the same way for a
live conversation and for a story (replayed as events by :func:`story_events`), so
memoized stories match conversations exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dialogue.domain import Domain, Slot
from dialogue.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from dialogue.stories import (
    ANY_VALUE,
    ActionStep,
    BotStep,
    LoopStep,
    SlotStep,
    Story,
    UserStep,
)

__all__ = [
    "State",
    "StateRecord",
    "StateTracker",
    "slot_feature",
    "state_key",
    "story_events",
]

State = Mapping[str, Hashable]

_SET = "set"


def slot_feature(slot: Slot | None, value: Any) -> Hashable:
    """The feature a slot value contributes (None: the slot is not set)."""
    if value is None:
        return None
    if slot is None or value is ANY_VALUE:
        return _SET
    match slot.type:
        case "bool":
            if isinstance(value, str):
                return value.strip().lower() in ("true", "yes", "1")
            return bool(value)
        case "categorical":
            text = str(value).lower()
            known = {str(v).lower() for v in slot.values}
            return text if text in known else "__other__"
        case "float":
            try:
                number = float(value)
            except (TypeError, ValueError):
                return _SET
            if slot.min_value is not None:
                number = max(number, slot.min_value)
            if slot.max_value is not None:
                number = min(number, slot.max_value)
            return number
        case "list":
            return _SET if value else None
    return _SET


def state_key(state: State | None, domain_slots: frozenset[str]) -> frozenset[tuple[str, Hashable]]:
    """A hashable memo key part: the set features, slots limited to ``domain_slots``."""
    if state is None:
        return frozenset()
    return frozenset(
        (k, v)
        for k, v in state.items()
        if v is not None
        and v != frozenset()
        and not k.startswith("_")
        and (not k.startswith("slot:") or k[5:] in domain_slots)
    )


@dataclass(frozen=True, slots=True)
class StateRecord:
    state: State
    action: str  # an action name, or "text:<bot text>"


class StateTracker:
    """Consumes events; ``records`` are the (state, action) pairs so far and
    :meth:`current` the state for the next prediction. Only the current session counts."""

    def __init__(self, domain: Domain, *, initial_slots: Mapping[str, Any] | None = None) -> None:
        self.domain = domain
        self._slot_specs = {s.name: s for s in domain.slots}
        self._initial = dict(initial_slots or {})
        self.records: list[StateRecord] = []
        self._reset()

    def _reset(self) -> None:
        self.records = []
        self._slots: dict[str, Hashable] = {
            name: slot_feature(self._slot_specs.get(name), value)
            for name, value in self._initial.items()
        }
        self._user: dict[str, Hashable] = {}
        self._prev_action: str | None = None
        self._loop: str | None = None

    def add_all(self, events: Iterable[Event]) -> StateTracker:
        for event in events:
            self.add(event)
        return self

    def add(self, event: Event) -> None:
        match event:
            case UserUttered():
                self._user = self._user_features(event)
            case ActionExecuted():
                key = event.key
                # The listen before the first message of a session predicts nothing useful.
                if not (key == ACTION_LISTEN and self._prev_action is None and not self._user):
                    self.records.append(StateRecord(self.current(), key))
                self._prev_action = key
            case SlotSet():
                self._slots[event.name] = slot_feature(
                    self._slot_specs.get(event.name), event.value
                )
            case ActiveLoop():
                self._loop = event.name
            case Restarted() | SessionStarted():
                self._reset()
            case AllSlotsReset():
                initial = self._initial
                self._slots = {
                    n: slot_feature(self._slot_specs.get(n), v) for n, v in initial.items()
                }
            case _:
                pass

    def _user_features(self, message: UserUttered) -> dict[str, Hashable]:
        if message.intent is None:
            return {"text": message.text.strip(), "entities": frozenset()}
        used = self.domain.entities_for_intent(message.intent)
        influential = {e.name for e in self.domain.entities if e.influence_conversation}
        names = frozenset(
            str(e.get("entity"))
            for e in message.entities
            if e.get("entity") in used and e.get("entity") in influential
        )
        # ``_text`` is not a feature: memoization swaps it in for end-to-end stories.
        return {"intent": message.intent, "entities": names, "_text": message.text.strip()}

    def current(self) -> dict[str, Hashable]:
        """The state now: the latest message, the previous action, the form and slots."""
        state: dict[str, Hashable] = dict(self._user)
        state["prev_action"] = self._prev_action
        state["active_loop"] = self._loop
        for name, feature in self._slots.items():
            state[f"slot:{name}"] = feature
        return state


def story_events(story: Story) -> list[Event]:
    """``story`` replayed as the events a conversation following it would have."""
    events: list[Event] = [ActionExecuted(ACTION_LISTEN)]
    last_action: str | None = ACTION_LISTEN
    for step in story.steps:
        match step:
            case UserStep():
                if last_action != ACTION_LISTEN:
                    events.append(ActionExecuted(ACTION_LISTEN))
                events.append(
                    UserUttered(
                        text=step.text or "",
                        intent=step.intent,
                        entities=tuple(
                            {"entity": e.entity, "value": e.value, "role": e.role}
                            for e in step.entities
                        ),
                    )
                )
                last_action = None
            case ActionStep():
                events.append(ActionExecuted(step.name))
                last_action = step.name
            case BotStep():
                events.append(ActionExecuted(None, action_text=step.text))
                last_action = f"text:{step.text}"
            case LoopStep():
                events.append(ActiveLoop(step.name))
            case SlotStep():
                events.extend(SlotSet(name, value) for name, value in step.slots)
    if (
        last_action not in (None, ACTION_LISTEN)
        and story.wait_for_user_input
        and not story.ends_anywhere
    ):
        events.append(ActionExecuted(ACTION_LISTEN))
    return events


def window(records: Sequence[StateRecord], current: State, max_history: int) -> list[State | None]:
    """The last ``max_history`` states ending with ``current``, padded with None."""
    states: list[State | None] = [r.state for r in records[-(max_history - 1) :]]
    if max_history <= 1:
        states = []
    states.append(current)
    return [None] * (max_history - len(states)) + states
