"""Conversation tests: test stories run through a real engine, actions executed.

:func:`run_test_stories` plays each test story (Rasa's format: user steps with the
customer's text and the expected ``intent``) against a fresh engine: every message is
parsed by the NLU and answered by the policies and the actions, and each expected step
is compared with what happened:

- ``intent`` (and annotated entities): what the NLU found;
- ``action``: the next action the bot ran (``action_listen`` when it stopped);
- ``bot``: the next message the bot sent, word for word;
- ``active_loop`` and ``slot_was_set``: the form and the slots after the actions so far.

A story stops at its first failed step. :func:`check_training_stories` is the other
check: it replays training stories and rules event by event (no NLU, no actions; the
story's own slots and forms are taken as given, as ``rasa test core`` does) and reports
where the trained policies would predict another action.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialogue.domain import Domain
from dialogue.engine import Engine
from dialogue.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
    event_from_dict,
)
from dialogue.slot_filling import extract_form_slots, extract_global_slots
from dialogue.stories import (
    ANY_VALUE,
    ActionStep,
    BotStep,
    LoopStep,
    SlotStep,
    Step,
    Story,
    UserStep,
)
from dialogue.tracker import ConversationState, StateFolder
from dialogue.turn import Turn
from dialogue.turn_states import story_events

__all__ = [
    "StoryFailure",
    "StoryResult",
    "TestReport",
    "check_training_stories",
    "run_test_stories",
]


@dataclass(frozen=True)
class StoryFailure:
    """The first step of a story that did not happen as written."""

    step: int  # 1-based index in the story's steps
    line: int | None
    expected: str
    predicted: str


@dataclass(frozen=True)
class StoryResult:
    story: Story
    failure: StoryFailure | None = None
    transcript: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.failure is None

    def describe(self) -> str:
        """A readable account of a failure (empty for a pass)."""
        if self.failure is None:
            return ""
        f = self.failure
        where = f"{self.story.path}:{f.line}" if f.line is not None else self.story.where
        lines = [
            f"FAILED {self.story.name!r} ({where}), step {f.step}",
            f"  expected:  {f.expected}",
            f"  predicted: {f.predicted}",
        ]
        if self.transcript:
            lines.append("  conversation:")
            lines.extend(f"    {line}" for line in self.transcript)
        return "\n".join(lines)


@dataclass(frozen=True)
class TestReport:
    results: tuple[StoryResult, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[StoryResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    @property
    def passed(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        n, bad = len(self.results), len(self.failed)
        return f"{n - bad}/{n} stories passed" + (f", {bad} failed" if bad else "")


def _step_text(step: Step) -> str:
    match step:
        case UserStep():
            return f"intent: {step.intent}" if step.intent else f"user: {step.text}"
        case ActionStep():
            return f"action: {step.name}"
        case BotStep():
            return f"bot: {step.text}"
        case LoopStep():
            return f"active_loop: {step.name if step.name is not None else 'null'}"
        case SlotStep():
            return "slot_was_set: " + ", ".join(
                f"{n}" if v is ANY_VALUE else f"{n}: {json.dumps(v, ensure_ascii=False)}"
                for n, v in step.slots
            )
    return str(step)


def _payload(step: UserStep) -> str:
    """What to send for a user step written without text: a ``/intent{...}`` payload."""
    entities = {e.entity: e.value for e in step.entities if e.value is not ANY_VALUE}
    suffix = json.dumps(entities, ensure_ascii=False) if entities else ""
    return f"/{step.intent}{suffix}"


_NOT_COMPARED = frozenset({ACTION_LISTEN, "action_session_start"})


@dataclass
class _Segment:
    action: str
    events: list[Event]


def _segments(events: Sequence[Event]) -> tuple[list[Event], list[_Segment]]:
    """Events before the first action, and one segment per action (listen excluded)."""
    head: list[Event] = []
    segments: list[_Segment] = []
    for event in events:
        if isinstance(event, ActionExecuted) and event.name not in _NOT_COMPARED:
            segments.append(_Segment(event.key, [event]))
        elif segments:
            segments[-1].events.append(event)
        else:
            head.append(event)
    return head, segments


def _slot_matches(state: ConversationState, name: str, value: Any) -> bool:
    actual = state.slots.get(name)
    if value is ANY_VALUE:
        return actual is not None
    if isinstance(value, str) and isinstance(actual, str):
        return actual.casefold() == value.casefold()
    return bool(actual == value)


async def run_story(engine: Engine, story: Story) -> StoryResult:
    """Play one test story against ``engine``; stop at the first step that differs."""
    history: list[Mapping[str, Any]] = []
    folder = StateFolder(engine.initial_slots)
    transcript: list[str] = []
    steps = story.steps
    index = 0

    def fail(step_index: int, expected: str, predicted: str) -> StoryResult:
        step = steps[step_index] if step_index < len(steps) else None
        line = getattr(step, "line", None) if step is not None else None
        return StoryResult(
            story, StoryFailure(step_index + 1, line, expected, predicted), tuple(transcript)
        )

    if steps and not isinstance(steps[0], UserStep):
        return fail(0, _step_text(steps[0]), "a test story starts with a user message")
    while index < len(steps):
        step = steps[index]
        assert isinstance(step, UserStep)
        text = step.text if step.text is not None else _payload(step)
        outcome = await engine.handle(history=history, text=text)
        history.extend(outcome.events)
        transcript.append(f"user: {text}")
        parse = outcome.parse
        events = [event_from_dict(e) for e in outcome.events]
        for event in events:
            if isinstance(event, BotUttered):
                transcript.append(f"bot:  {event.text}")
        if parse is not None and step.intent is not None and parse.intent.name != step.intent:
            return fail(
                index,
                f"intent: {step.intent}",
                f"intent: {parse.intent.name} ({parse.intent.confidence:.2f})",
            )
        if parse is not None and step.text is not None:
            found = {(e.entity, str(e.value)) for e in parse.entities}
            for expected in step.entities:
                if (expected.entity, str(expected.value)) not in found:
                    return fail(
                        index,
                        f"entity {expected.entity}={expected.value}",
                        "entities: " + (", ".join(f"{k}={v}" for k, v in sorted(found)) or "none"),
                    )
        head, segments = _segments(events)
        for event in head:
            folder.apply(event)
        # Each bot message with the index of the action (segment) that sent it.
        bot_messages = [
            (number, e.text)
            for number, segment in enumerate(segments)
            for e in segment.events
            if isinstance(e, BotUttered)
        ]
        next_segment, next_message = 0, 0
        index += 1
        while index < len(steps) and not isinstance(steps[index], UserStep):
            step = steps[index]
            match step:
                case ActionStep() | BotStep() if isinstance(step, ActionStep) or (
                    next_segment < len(segments)
                    and segments[next_segment].action.startswith("text:")
                ):
                    expected_key = (
                        step.name if isinstance(step, ActionStep) else f"text:{step.text}"
                    )
                    actual = (
                        segments[next_segment].action
                        if next_segment < len(segments)
                        else ACTION_LISTEN
                    )
                    if actual != expected_key:
                        return fail(index, _step_text(step), f"action: {actual}")
                    for event in segments[next_segment].events:
                        folder.apply(event)
                    # The messages of this action come next; earlier ones are passed.
                    while next_message < len(bot_messages) and (
                        bot_messages[next_message][0] < next_segment
                    ):
                        next_message += 1
                    next_segment += 1
                case BotStep():
                    said = (
                        bot_messages[next_message][1] if next_message < len(bot_messages) else None
                    )
                    if said is None or said.strip() != step.text.strip():
                        return fail(index, _step_text(step), f"bot: {said}")
                    next_message += 1
                case LoopStep():
                    actual_loop = folder.state.active_loop_name
                    if actual_loop != step.name:
                        return fail(
                            index, _step_text(step), f"active_loop: {actual_loop or 'null'}"
                        )
                case SlotStep():
                    state = folder.state
                    for name, value in step.slots:
                        if not _slot_matches(state, name, value):
                            actual_value = json.dumps(state.slots.get(name), ensure_ascii=False)
                            return fail(
                                index, _step_text(step), f"slot_was_set: {name}: {actual_value}"
                            )
            index += 1
        if next_segment < len(segments):
            return fail(index, "action: action_listen", f"action: {segments[next_segment].action}")
        folder = StateFolder(engine.initial_slots)
        for event in (event_from_dict(e) for e in history):
            folder.apply(event)
    return StoryResult(story, None, tuple(transcript))


async def run_test_stories(
    make_engine: Callable[[], Engine | Awaitable[Engine]], stories: Iterable[Story]
) -> TestReport:
    """Run each story against a fresh engine from ``make_engine`` (fresh orders each)."""
    results = []
    for story in stories:
        made = make_engine()
        engine = await made if isinstance(made, Awaitable) else made
        results.append(await run_story(engine, story))
    return TestReport(tuple(results))


def check_training_stories(engine: Engine, stories: Iterable[Story]) -> TestReport:
    """Replay stories and rules event by event and compare each action with the policies'
    prediction. A form predicted right after a message that gives it nothing is taken as
    rejected (as if it ran), so unhappy form paths replay as they would run."""
    results = []
    for story in stories:
        results.append(_replay(engine, story))
    return TestReport(tuple(results))


def _replay(engine: Engine, story: Story) -> StoryResult:
    domain = engine.domain
    turn = Turn(domain, _condition_events(story), initial_slots=engine.initial_slots, now=0.0)
    # A rule that starts with an action takes that action as given, not as a prediction.
    context_first = (
        story.kind == "rule"
        and not story.conversation_start
        and bool(story.steps)
        and isinstance(story.steps[0], ActionStep | BotStep)
    )
    actions = 0
    for event in story_events(story):
        if isinstance(event, ActionExecuted) and turn.new:
            actions += 1
            if not (context_first and actions == 1):
                predicted = _predict_as_run(engine, turn, domain)
                if predicted != event.key:
                    return StoryResult(
                        story,
                        StoryFailure(
                            actions, story.line, f"action: {event.key}", f"action: {predicted}"
                        ),
                    )
        turn.add(event)
        if isinstance(event, UserUttered):
            for name, value in extract_global_slots(domain, event).items():
                if turn.state.slots.get(name) != value:
                    turn.add(SlotSet(name, value))
    return StoryResult(story)


def _condition_events(story: Story) -> list[Event]:
    result: list[Event] = []
    for condition in story.condition:
        if isinstance(condition, LoopStep):
            result.append(ActiveLoop(condition.name))
        else:
            result.extend(SlotSet(n, True if v is ANY_VALUE else v) for n, v in condition.slots)
    return result


def _predict_as_run(engine: Engine, turn: Turn, domain: Domain) -> str:
    prediction = engine.predict(turn)
    state = turn.state
    loop = state.active_loop
    message = state.latest_message
    if (
        loop is not None
        and prediction.action == loop.name
        and state.latest_action == ACTION_LISTEN
        and loop.validate
        and message is not None
    ):
        spec = domain.form(loop.name)
        required = spec.required_slots if spec is not None else ()
        # Stories leave out requested_slot: the form asks for its first empty slot.
        requested = state.requested_slot or next(
            (s for s in required if state.slots.get(s) is None), None
        )
        found = {**extract_global_slots(domain, message)}
        found.update(extract_form_slots(domain, message, form=loop.name, requested_slot=requested))
        if not any(name in required for name in found):
            turn.add(ActionExecutionRejected(loop.name))
            prediction = engine.predict(turn)
    return prediction.action
