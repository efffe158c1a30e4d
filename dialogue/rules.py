"""The rule policy: short conversation snippets that always apply (Rasa's RulePolicy).

A rule becomes *fragments*: for each action it predicts, the partial states leading up
to it. A fragment matches when each of its states is contained in the conversation's
state at the same distance from the end (only the features the rule mentions count).
A rule that is not ``conversation_start`` may match anywhere; a rule ``condition``
holds for its first state; leading actions of a rule are context, not predictions; the
latest intent only constrains the state right after the customer's message; after the
last action the bot listens (an *implicit* listen) unless ``wait_for_user_input: false``.

When several fragments match, the longest wins, then the one with more features, then
one anchored at the conversation start.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from dialogue.domain import Domain
from dialogue.events import ACTION_LISTEN
from dialogue.stories import (
    ActionStep,
    BotStep,
    LoopStep,
    SlotStep,
    Story,
    UserStep,
)
from dialogue.turn_states import State, StateRecord, slot_feature

__all__ = ["RuleFragment", "RuleMatch", "RulePolicy", "rule_fragments"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RuleFragment:
    rule: str
    states: tuple[State, ...]
    action: str
    implicit_listen: bool = False
    conversation_start: bool = False

    @property
    def weight(self) -> tuple[int, int, bool]:
        # Longer and more specific first; anchored at the start beats anywhere.
        return len(self.states), sum(len(s) for s in self.states), self.conversation_start


@dataclass(frozen=True, slots=True)
class RuleMatch:
    action: str
    rule: str
    implicit_listen: bool


def _slot_features(domain: Domain, step: SlotStep) -> dict[str, Hashable]:
    return {f"slot:{name}": slot_feature(domain.slot(name), value) for name, value in step.slots}


def rule_fragments(rule: Story, domain: Domain) -> list[RuleFragment]:
    """The fragments of one rule, in step order."""
    current: dict[str, Hashable] = {}
    for condition in rule.condition:
        if isinstance(condition, LoopStep):
            current["active_loop"] = condition.name
        else:
            current.update(_slot_features(domain, condition))
    history: list[State] = []
    fragments: list[RuleFragment] = []
    last_was_action = False

    def predict(action: str, *, implicit: bool = False) -> None:
        states = (*history, dict(current))
        fragments.append(RuleFragment(rule.name, states, action, implicit, rule.conversation_start))

    def advance(action: str) -> None:
        # After an action, the next state no longer constrains the latest message.
        history.append(dict(current))
        current.pop("intent", None)
        current.pop("text", None)
        current.pop("entities", None)
        current["prev_action"] = action

    for index, step in enumerate(rule.steps):
        match step:
            case UserStep():
                if last_was_action:
                    predict(ACTION_LISTEN)
                    advance(ACTION_LISTEN)
                elif not history and "prev_action" not in current:
                    current["prev_action"] = ACTION_LISTEN
                if step.intent is not None:
                    current["intent"] = step.intent
                else:
                    current["text"] = (step.text or "").strip()
                if step.entities:
                    current["entities"] = frozenset(e.entity for e in step.entities)
                last_was_action = False
            case ActionStep() | BotStep():
                key = step.name if isinstance(step, ActionStep) else f"text:{step.text}"
                if index == 0 and not rule.conversation_start:
                    # A rule that starts with an action: that action is the context.
                    current["prev_action"] = key
                else:
                    predict(key)
                    advance(key)
                last_was_action = True
            case LoopStep():
                current["active_loop"] = step.name
            case SlotStep():
                current.update(_slot_features(domain, step))
    if last_was_action and rule.wait_for_user_input and not rule.ends_anywhere:
        predict(ACTION_LISTEN, implicit=True)
    return fragments


def _contains(state: State, part: State) -> bool:
    return all(state.get(key) == value for key, value in part.items())


class RulePolicy:
    """Predicts the action of the best matching rule fragment, or nothing."""

    name = "RulePolicy"

    def __init__(self, fragments: Sequence[RuleFragment]) -> None:
        # Longest fragments first, so the first match found is the best one.
        self.fragments = sorted(fragments, key=lambda f: f.weight, reverse=True)
        # No fragment looks further back than its own length: a turn reads that many states.
        self.reach = max((len(f.states) for f in self.fragments), default=0)
        self.contradictions = _contradictions(self.fragments)
        for message in self.contradictions:
            log.warning("contradicting rules: %s", message)

    @classmethod
    def train(cls, rules: Sequence[Story], domain: Domain) -> RulePolicy:
        fragments = [f for rule in rules for f in rule_fragments(rule, domain)]
        return cls(fragments)

    def predict(
        self,
        records: Sequence[StateRecord],
        current: State,
        *,
        skip_implicit_listen: bool = False,
    ) -> RuleMatch | None:
        """The best fragment's action for a conversation whose past states are
        ``records`` and whose state now is ``current``."""
        total = len(records) + 1
        states = [*(r.state for r in records[max(0, total - self.reach) :]), current]
        for fragment in self.fragments:
            if skip_implicit_listen and fragment.implicit_listen:
                continue
            size = len(fragment.states)
            if size > total or (fragment.conversation_start and size != total):
                continue
            offset = len(states) - size
            if all(_contains(states[offset + i], part) for i, part in enumerate(fragment.states)):
                return RuleMatch(fragment.action, fragment.rule, fragment.implicit_listen)
        return None


def _contradictions(fragments: Sequence[RuleFragment]) -> list[str]:
    seen: dict[tuple[object, ...], RuleFragment] = {}
    problems = []
    for fragment in fragments:
        key = (
            fragment.conversation_start,
            *(tuple(sorted(s.items(), key=lambda kv: kv[0])) for s in fragment.states),
        )
        other = seen.setdefault(key, fragment)
        if other.action != fragment.action:
            problems.append(
                f"{other.rule!r} predicts {other.action} where {fragment.rule!r} "
                f"predicts {fragment.action}"
            )
    return problems
