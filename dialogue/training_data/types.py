"""Value objects of NLU training data: examples, entity annotations, synonyms, regexes, lookups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "EntityAnnotation",
    "LookupTable",
    "RegexFeature",
    "SourceLocation",
    "Synonym",
    "TrainingData",
    "TrainingExample",
]


@dataclass(frozen=True)
class SourceLocation:
    """Where a piece of training data was written (``line`` is 1-based)."""

    path: Path | None
    line: int | None

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<string>"
        return f"{where}:{self.line}" if self.line is not None else where


@dataclass(frozen=True)
class EntityAnnotation:
    """An entity marked in an example: ``text[start:end]`` is the surface, ``value`` canonical."""

    start: int
    end: int
    entity: str
    value: Any
    text: str
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class TrainingExample:
    """One user message with its intent (None for messages without one) and entities."""

    text: str
    intent: str | None
    entities: tuple[EntityAnnotation, ...] = ()
    metadata: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    source: SourceLocation | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Synonym:
    """Surface forms in ``examples`` that all mean the canonical ``value``."""

    value: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class RegexFeature:
    """Named regular expressions; a name equal to an entity makes them extract that entity."""

    name: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class LookupTable:
    """Named list of values; a name equal to an entity makes them extract that entity."""

    name: str
    elements: tuple[str, ...]


@dataclass(frozen=True)
class TrainingData:
    """Everything an nlu.yml (or several, merged) says. Build it with ``read_nlu_file``."""

    examples: tuple[TrainingExample, ...] = ()
    synonyms: tuple[Synonym, ...] = ()
    regexes: tuple[RegexFeature, ...] = ()
    lookups: tuple[LookupTable, ...] = ()

    @property
    def intents(self) -> tuple[str, ...]:
        """Intents that have at least one example, sorted."""
        return tuple(sorted({e.intent for e in self.examples if e.intent is not None}))

    @property
    def entities(self) -> tuple[str, ...]:
        """Entity types annotated in examples or named by a regex/lookup, sorted."""
        names = {a.entity for e in self.examples for a in e.entities}
        return tuple(sorted(names))

    @property
    def intent_examples(self) -> tuple[TrainingExample, ...]:
        """Examples that carry an intent (what the intent classifier learns from)."""
        return tuple(e for e in self.examples if e.intent is not None and e.text.strip())

    def entity_synonyms(self) -> dict[str, str]:
        """Lower-cased surface form -> canonical value, from ``synonym:`` sections and from
        annotations whose value differs from their text (as Rasa's EntitySynonymMapper)."""
        mapping: dict[str, str] = {}
        for example in self.examples:
            for annotation in example.entities:
                if isinstance(annotation.value, str) and annotation.value != annotation.text:
                    mapping[annotation.text.lower()] = annotation.value
        for synonym in self.synonyms:
            for surface in synonym.examples:
                mapping[surface.lower()] = synonym.value
        return mapping

    def merge(self, *others: TrainingData) -> TrainingData:
        """All examples, synonyms, regexes and lookups of ``self`` and ``others``, in order.

        Regexes and lookup tables of the same name are joined, as Rasa does.
        """
        parts = (self, *others)
        return TrainingData(
            examples=tuple(e for p in parts for e in p.examples),
            synonyms=tuple(s for p in parts for s in p.synonyms),
            regexes=tuple(
                RegexFeature(name, patterns)
                for name, patterns in _join((r.name, r.patterns) for p in parts for r in p.regexes)
            ),
            lookups=tuple(
                LookupTable(name, elements)
                for name, elements in _join((t.name, t.elements) for p in parts for t in p.lookups)
            ),
        )

    def with_examples(self, examples: Iterable[TrainingExample]) -> TrainingData:
        """The same synonyms, regexes and lookups with other examples (for data splits)."""
        return TrainingData(tuple(examples), self.synonyms, self.regexes, self.lookups)


def _join(items: Iterable[tuple[str, tuple[str, ...]]]) -> list[tuple[str, tuple[str, ...]]]:
    joined: dict[str, list[str]] = {}
    for name, values in items:
        bucket = joined.setdefault(name, [])
        bucket.extend(v for v in values if v not in bucket)
    return [(name, tuple(values)) for name, values in joined.items()]
