"""Stories, rules and test stories in Rasa 3 YAML, read into typed steps.

:func:`read_story_file` reads one file (``stories:`` and/or ``rules:``);
:func:`read_story_files` several. Steps are :class:`UserStep`, :class:`ActionStep`,
:class:`BotStep` (an end-to-end bot text), :class:`LoopStep` (``active_loop``) and
:class:`SlotStep` (``slot_was_set``). ``or:`` steps are expanded into one story per
alternative. Checkpoints are not supported: write the story out instead.

Malformed files raise :class:`dialogue.exceptions.TrainingDataError` naming file and line.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogue.exceptions import TrainingDataError
from dialogue.training_data.annotation import AnnotationError, parse_annotated_text
from dialogue.training_data.yaml_source import YamlMap, line_of, load_yaml

__all__ = [
    "ANY_VALUE",
    "ActionStep",
    "BotStep",
    "EntityValue",
    "LoopStep",
    "SlotStep",
    "Step",
    "Story",
    "StoryFile",
    "UserStep",
    "parse_story_yaml",
    "read_story_file",
    "read_story_files",
]


class _AnyValue:
    """``slot_was_set: [name]`` without a value: the slot has some value."""

    def __repr__(self) -> str:
        return "ANY_VALUE"


ANY_VALUE: Any = _AnyValue()


@dataclass(frozen=True)
class EntityValue:
    entity: str
    value: Any
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class UserStep:
    """The customer says something: an ``intent`` (with ``entities``), a ``text``, or both
    (test stories give both: the text is parsed, the intent is what the NLU should find)."""

    intent: str | None = None
    text: str | None = None
    entities: tuple[EntityValue, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class ActionStep:
    name: str
    line: int | None = None


@dataclass(frozen=True)
class BotStep:
    """The bot says exactly ``text`` (an end-to-end story step)."""

    text: str
    line: int | None = None


@dataclass(frozen=True)
class LoopStep:
    """The active form is ``name`` from here on (None: no form)."""

    name: str | None
    line: int | None = None


@dataclass(frozen=True)
class SlotStep:
    """Slots have these values here (``ANY_VALUE``: any value; None: not set)."""

    slots: tuple[tuple[str, Any], ...]
    line: int | None = None


Step = UserStep | ActionStep | BotStep | LoopStep | SlotStep


@dataclass(frozen=True)
class Story:
    """A story, a rule or a test story. Rules may start anywhere in a conversation
    unless ``conversation_start``; after a rule's last action the bot listens unless
    ``wait_for_user_input`` is False. ``condition`` holds before the first step."""

    name: str
    steps: tuple[Step, ...]
    kind: str = "story"
    path: Path | None = None
    line: int | None = None
    condition: tuple[LoopStep | SlotStep, ...] = ()
    conversation_start: bool = False
    wait_for_user_input: bool = True
    starts_anywhere: bool = False
    ends_anywhere: bool = False

    @property
    def where(self) -> str:
        """``path:line`` of the story, for messages."""
        place = str(self.path) if self.path is not None else "<string>"
        return f"{place}:{self.line}" if self.line is not None else place


@dataclass(frozen=True)
class StoryFile:
    stories: tuple[Story, ...] = ()
    rules: tuple[Story, ...] = ()


def read_story_file(path: Path) -> StoryFile:
    """Stories and rules of one YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"cannot read: {exc}", path=path, line=None) from exc
    return parse_story_yaml(text, path=path)


def read_story_files(paths: Iterable[Path]) -> StoryFile:
    """Stories and rules of several files, in the order given."""
    stories: list[Story] = []
    rules: list[Story] = []
    for path in paths:
        found = read_story_file(path)
        stories.extend(found.stories)
        rules.extend(found.rules)
    return StoryFile(tuple(stories), tuple(rules))


def parse_story_yaml(text: str, *, path: Path | None = None) -> StoryFile:
    """Stories and rules in ``text``; ``path`` only labels errors."""
    document = load_yaml(text, path=path, error=TrainingDataError)
    if document is None:
        return StoryFile()
    if not isinstance(document, YamlMap):
        raise TrainingDataError("a stories file is a mapping (stories:, rules:)", path=path, line=1)
    reader = _Reader(path)
    stories = reader.section(document, "stories", "story")
    rules = reader.section(document, "rules", "rule")
    return StoryFile(tuple(stories), tuple(rules))


class _Reader:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    def fail(self, message: str, line: int | None) -> TrainingDataError:
        return TrainingDataError(message, path=self.path, line=line)

    def section(self, document: YamlMap, key: str, kind: str) -> list[Story]:
        items = document.get(key)
        if items is None:
            return []
        if not isinstance(items, list):
            raise self.fail(f"{key}: must be a list", document.line_of_key(key))
        result: list[Story] = []
        for item in items:
            result.extend(self.story(item, kind))
        return result

    def story(self, item: Any, kind: str) -> list[Story]:
        line = line_of(item)
        if not isinstance(item, YamlMap) or not isinstance(item.get(kind), str):
            raise self.fail(f"each entry needs a name: - {kind}: ...", line)
        name = str(item[kind])
        raw_steps = item.get("steps")
        if not isinstance(raw_steps, list):
            raise self.fail(f"{kind} {name!r} needs steps: as a list", line)
        starts_anywhere = bool(raw_steps) and raw_steps[0] == "..."
        ends_anywhere = len(raw_steps) > 1 and raw_steps[-1] == "..."
        alternatives: list[list[Step]] = []
        for raw in raw_steps:
            if raw == "...":
                continue
            alternatives.append(self.step(raw, name))
        condition = tuple(self.condition(item.get("condition"), name, line))
        conversation_start = bool(item.get("conversation_start", False))
        wait = bool(item.get("wait_for_user_input", True))
        stories = []
        for number, steps in enumerate(itertools.product(*alternatives)):
            stories.append(
                Story(
                    name=name if number == 0 else f"{name} (or {number})",
                    steps=tuple(steps),
                    kind=kind,
                    path=self.path,
                    line=line,
                    condition=condition,
                    conversation_start=conversation_start,
                    wait_for_user_input=wait,
                    starts_anywhere=starts_anywhere,
                    ends_anywhere=ends_anywhere,
                )
            )
        return stories

    def condition(self, raw: Any, name: str, line: int | None) -> list[LoopStep | SlotStep]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.fail(f"condition of {name!r} must be a list", line)
        result: list[LoopStep | SlotStep] = []
        for item in raw:
            step = self.step(item, name)
            if len(step) != 1 or not isinstance(step[0], LoopStep | SlotStep):
                raise self.fail(
                    f"a condition of {name!r} is active_loop: or slot_was_set:", line_of(item, line)
                )
            result.append(step[0])
        return result

    def step(self, raw: Any, name: str) -> list[Step]:
        """One step, or its alternatives (``or:``)."""
        line = line_of(raw)
        if not isinstance(raw, YamlMap):
            raise self.fail(f"a step of {name!r} must be a mapping (intent:, action:, ...)", line)
        if "checkpoint" in raw:
            raise self.fail(
                f"{name!r} uses a checkpoint, which kefu does not support; write the story out",
                line,
            )
        if "or" in raw:
            options = raw["or"]
            if not isinstance(options, list) or not options:
                raise self.fail(f"or: of {name!r} needs a list of steps", line)
            result: list[Step] = []
            for option in options:
                result.extend(self.step(option, name))
            return result
        if "intent" in raw or "user" in raw:
            return [self.user(raw, name, line)]
        if "action" in raw:
            if not isinstance(raw["action"], str):
                raise self.fail(f"action: in {name!r} needs a name", line)
            return [ActionStep(str(raw["action"]), line)]
        if "bot" in raw:
            return [BotStep(str(raw["bot"]).strip(), line)]
        if "active_loop" in raw:
            loop = raw["active_loop"]
            return [LoopStep(str(loop) if loop is not None else None, line)]
        if "slot_was_set" in raw:
            return [SlotStep(self.slots(raw["slot_was_set"], name, line), line)]
        raise self.fail(
            f"unknown step in {name!r}: {sorted(raw)}; use intent, user, action, bot, "
            "active_loop, slot_was_set or or",
            line,
        )

    def user(self, raw: YamlMap, name: str, line: int | None) -> UserStep:
        intent = raw.get("intent")
        text = raw.get("user")
        entities: list[EntityValue] = []
        plain: str | None = None
        if text is not None:
            try:
                parsed = parse_annotated_text(str(text).strip())
            except AnnotationError as exc:
                raise self.fail(str(exc), line) from exc
            plain = parsed.text
            entities.extend(
                EntityValue(e.entity, e.value, e.role, e.group) for e in parsed.entities
            )
        entities.extend(self.entities(raw.get("entities"), name, line))
        if intent is not None and not isinstance(intent, str):
            raise self.fail(f"intent: in {name!r} needs a name", line)
        return UserStep(
            intent=str(intent) if intent is not None else None,
            text=plain,
            entities=tuple(entities),
            line=line,
        )

    def entities(self, raw: Any, name: str, line: int | None) -> list[EntityValue]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.fail(f"entities: in {name!r} must be a list", line)
        result = []
        for item in raw:
            if isinstance(item, str):
                result.append(EntityValue(item, ANY_VALUE))
            elif isinstance(item, YamlMap) and "entity" in item:
                result.append(
                    EntityValue(
                        str(item["entity"]),
                        item.get("value", ANY_VALUE),
                        item.get("role"),
                        item.get("group"),
                    )
                )
            elif isinstance(item, YamlMap) and len(item) == 1:
                ((entity, value),) = item.items()
                result.append(EntityValue(str(entity), value))
            else:
                raise self.fail(
                    f"an entity of {name!r} is name, {{name: value}} or "
                    "{entity: ..., value: ...}",
                    line_of(item, line),
                )
        return result

    def slots(self, raw: Any, name: str, line: int | None) -> tuple[tuple[str, Any], ...]:
        if not isinstance(raw, list):
            raise self.fail(f"slot_was_set: in {name!r} must be a list", line)
        result: list[tuple[str, Any]] = []
        for item in raw:
            if isinstance(item, str):
                result.append((str(item), ANY_VALUE))
            elif isinstance(item, YamlMap) and len(item) == 1:
                ((slot, value),) = item.items()
                result.append((str(slot), value))
            else:
                raise self.fail(
                    f"slot_was_set items of {name!r} are name or {{name: value}}",
                    line_of(item, line),
                )
        return tuple(result)


def user_steps(story: Story) -> Sequence[UserStep]:
    """The customer's steps of ``story``."""
    return [s for s in story.steps if isinstance(s, UserStep)]
