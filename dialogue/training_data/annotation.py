"""Rasa's inline entity annotation syntax, as a pure parser.

Accepted forms (all of Rasa 3's)::

    [Aurora X2](product)                       value = the text
    [gastro pub](cuisine:gastropub)            value after the colon (Rasa 1/2 shorthand)
    [银色]{"entity": "color", "value": "silver", "role": "...", "group": "..."}
    [NYC][{"entity": "city"}, {"entity": "location", "role": "to"}]   several on one span
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from dialogue.training_data.types import EntityAnnotation

__all__ = ["AnnotationError", "ParsedText", "parse_annotated_text"]

_ENTITY = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
    r"|\{(?P<dict>[^}]+?)\}"
    r"|\[(?P<list>\{.*?\})\])"
)
# What is left of an annotation that did not parse, e.g. "[red](color" or "[red]{color}".
_BROKEN = re.compile(r"\[[^\]]*\]\s*[({]")
_ALLOWED_KEYS = frozenset({"entity", "value", "role", "group"})


class AnnotationError(ValueError):
    """An entity annotation cannot be read; the reader adds file and line."""


@dataclass(frozen=True)
class ParsedText:
    """An example with its annotations removed; entity offsets index ``text``."""

    text: str
    entities: tuple[EntityAnnotation, ...]


def parse_annotated_text(annotated: str) -> ParsedText:
    """Strip annotations from ``annotated``; raise :class:`AnnotationError` when one is broken."""
    plain: list[str] = []
    entities: list[EntityAnnotation] = []
    cursor = 0
    length = 0
    for match in _ENTITY.finditer(annotated):
        before = annotated[cursor : match.start()]
        plain.append(before)
        length += len(before)
        surface = match.group("text")
        start, end = length, length + len(surface)
        for spec in _specs(match):
            entities.append(
                EntityAnnotation(
                    start=start,
                    end=end,
                    entity=spec["entity"],
                    value=spec.get("value", surface),
                    text=surface,
                    role=spec.get("role"),
                    group=spec.get("group"),
                )
            )
        plain.append(surface)
        length = end
        cursor = match.end()
    plain.append(annotated[cursor:])
    text = "".join(plain)
    leftover = _ENTITY.sub("", annotated)
    broken = _BROKEN.search(leftover)
    if broken is not None:
        raise AnnotationError(
            f"unfinished entity annotation near {broken.group(0)!r} in {annotated!r}; "
            'write [text](entity) or [text]{"entity": "name", "value": "canonical"}'
        )
    return ParsedText(text=text, entities=tuple(entities))


def _specs(match: re.Match[str]) -> list[dict[str, Any]]:
    if match.group("entity") is not None:
        spec: dict[str, Any] = {"entity": match.group("entity").strip()}
        if match.group("value") is not None:
            spec["value"] = match.group("value").strip()
        return [spec]
    raw = match.group("dict")
    source = "{" + raw + "}" if raw is not None else "[" + match.group("list") + "]"
    try:
        loaded = json.loads(source)
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"entity annotation {source} is not valid JSON: {exc.msg}") from None
    specs = loaded if isinstance(loaded, list) else [loaded]
    for spec in specs:
        if (
            not isinstance(spec, dict)
            or not isinstance(spec.get("entity"), str)
            or not spec["entity"]
        ):
            raise AnnotationError(f'entity annotation {source} needs an "entity" name')
        unknown = set(spec) - _ALLOWED_KEYS
        if unknown:
            raise AnnotationError(
                f"entity annotation {source} has unknown keys {sorted(unknown)}; "
                f"allowed: {sorted(_ALLOWED_KEYS)}"
            )
        for key in ("role", "group"):
            if key in spec and not isinstance(spec[key], str):
                raise AnnotationError(f"entity annotation {source}: {key!r} must be a string")
    return specs
