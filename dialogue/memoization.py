"""The memoization policy: replays the stories (Rasa's MemoizationPolicy).

Training turns every story into ``(state, action)`` records and remembers, for each
action, the states that led to it: the last ``max_history`` states, or all of them near
the start of a story. A conversation whose recent states equal a remembered window gets
that window's action. States the stories disagree about are forgotten (no prediction).

``augmented=True`` (Rasa's AugmentedMemoizationPolicy) also tries shorter and shorter
recent windows when the full one is not remembered, so that a story still applies after
a conversation began differently (a greeting first, say).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from dialogue.domain import Domain
from dialogue.stories import Story
from dialogue.turn_states import State, StateRecord, StateTracker, state_key, story_events

__all__ = ["MemoMatch", "MemoizationPolicy"]

_Key = tuple[frozenset[tuple[str, Hashable]], ...]
_CONFLICT = "\0conflict"


@dataclass(frozen=True, slots=True)
class MemoMatch:
    action: str
    history: int  # how many states matched


class MemoizationPolicy:
    name = "MemoizationPolicy"

    def __init__(
        self,
        lookup: dict[_Key, str],
        *,
        max_history: int,
        slot_names: frozenset[str],
        augmented: bool = False,
    ) -> None:
        self.lookup = lookup
        self.max_history = max_history
        self.slot_names = slot_names
        self.augmented = augmented
        self.uses_text = any(any(k == "text" for part in key for k, _ in part) for key in lookup)

    @classmethod
    def train(
        cls,
        stories: Sequence[Story],
        domain: Domain,
        *,
        max_history: int = 5,
        augmented: bool = False,
    ) -> MemoizationPolicy:
        if max_history < 1:
            raise ValueError(f"max_history is {max_history}; use 1 or more (Rasa's default: 5)")
        slot_names = frozenset(s.name for s in domain.slots if s.influence_conversation)
        lookup: dict[_Key, str] = {}
        for story in stories:
            tracker = StateTracker(domain).add_all(story_events(story))
            records = tracker.records
            for index, record in enumerate(records):
                states = [r.state for r in records[: index + 1]]
                lengths = (
                    range(1, min(len(states), max_history) + 1)
                    if augmented
                    else (min(len(states), max_history),)
                )
                for length in lengths:
                    key = tuple(state_key(s, slot_names) for s in states[-length:])
                    known = lookup.setdefault(key, record.action)
                    if known != record.action:
                        lookup[key] = _CONFLICT
        return cls(lookup, max_history=max_history, slot_names=slot_names, augmented=augmented)

    def predict(self, records: Sequence[StateRecord], current: State) -> MemoMatch | None:
        """The remembered action for the conversation's recent states, or None."""
        recent = records[max(0, len(records) - self.max_history + 1) :]
        states: list[State] = [*(r.state for r in recent), current]
        variants = [states]
        if self.uses_text:
            variants.insert(0, _with_text(states))
        longest = min(len(states), self.max_history)
        lengths = range(longest, 0, -1) if self.augmented else (longest,)
        for length in lengths:
            for variant in variants:
                key = tuple(state_key(s, self.slot_names) for s in variant[-length:])
                action = self.lookup.get(key)
                if action == _CONFLICT:
                    return None
                if action is not None:
                    return MemoMatch(action, length)
        return None


def _with_text(states: list[State]) -> list[State]:
    """The states since the latest message with its text in place of its intent (end-to-end
    stories are written with the customer's words)."""
    result = list(states)
    for index in range(len(result) - 1, -1, -1):
        state = dict(result[index])
        if "intent" not in state:
            break
        state.pop("intent", None)
        state["text"] = state.pop("_text", None)
        state["entities"] = frozenset()
        result[index] = state
        if state.get("prev_action") == "action_listen":
            break
    return result
