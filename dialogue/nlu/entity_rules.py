"""Entities found by rules: regexes, lookup tables, knowledge-graph names, emails, numbers.

All pure: build the extractors from training data (and a name mapping), call
:meth:`RuleExtractor.extract` per message. Matching is case-insensitive, and a match
that starts or ends with a Latin letter or digit must not touch another one, while
Chinese text needs no spaces ("订单A10001到哪了" finds A10001).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from dialogue.nlu.types import Entity
from dialogue.nlu.values import parse_number
from dialogue.training_data import TrainingData

__all__ = [
    "EMAIL_ENTITY",
    "NUMBER_ENTITY",
    "KnowledgeNames",
    "RuleExtractor",
    "synonym_names",
]

#: Entity names the built-in email and number extractors fill (when the data has them).
EMAIL_ENTITY = "email"
NUMBER_ENTITY = "number"
#: {surface form: (entity type, canonical value)}, e.g. {"极光 X2": ("product", "P-100")}.
KnowledgeNames = Mapping[str, tuple[str, str]]

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])\d+(?:[.,]\d+)?(?![A-Za-z0-9])"
    r"|[零〇一二两三四五六七八九十百千万]+"
    r"|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand)(?:[\s-]+(?:one|two|three|four|"
    r"five|six|seven|eight|nine|hundred|thousand))*\b",
    re.IGNORECASE,
)


def _literal(surface: str) -> str:
    """A pattern for ``surface`` that does not match inside a longer Latin word or number."""
    pattern = re.escape(surface)
    if surface[:1].isascii() and surface[:1].isalnum():
        pattern = r"(?<![A-Za-z0-9])" + pattern
    if surface[-1:].isascii() and surface[-1:].isalnum():
        pattern += r"(?![A-Za-z0-9])"
    return pattern


def _alternation(surfaces: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first, so "Aurora X2 Headphones" wins over "Aurora X2".
    ordered = sorted({s.strip() for s in surfaces if s.strip()}, key=lambda s: (-len(s), s))
    if not ordered:
        return None
    return re.compile("|".join(_literal(s) for s in ordered), re.IGNORECASE)


@dataclass(frozen=True)
class _Rule:
    entity: str
    pattern: re.Pattern[str]
    extractor: str
    values: Mapping[str, str] | None = None  # lower-cased surface -> canonical value


def synonym_names(data: TrainingData) -> dict[str, tuple[str, str]]:
    """Synonym surface forms as names {surface: (entity, canonical)}.

    A synonym has no entity type of its own; it gets the type of the annotations whose
    value is its canonical value (``[极光 X2]{"entity": "product", "value": "Aurora X2"}``
    makes every synonym of "Aurora X2" a product). Synonyms of ambiguous or unannotated
    values are left out.
    """
    types: dict[str, set[str]] = {}
    for example in data.examples:
        for annotation in example.entities:
            if isinstance(annotation.value, str):
                types.setdefault(annotation.value, set()).add(annotation.entity)
    names: dict[str, tuple[str, str]] = {}
    for surface, value in data.entity_synonyms().items():
        kinds = types.get(value, set())
        if len(kinds) == 1:
            names[surface] = (next(iter(kinds)), value)
    return names


class RuleExtractor:
    """Regex, lookup-table, knowledge-name, email and number extraction for one project."""

    def __init__(self, rules: Iterable[_Rule]) -> None:
        self.rules = tuple(rules)

    @classmethod
    def build(
        cls,
        data: TrainingData,
        *,
        entities: Collection[str] | None = None,
        knowledge: KnowledgeNames | None = None,
        synonym_names: KnowledgeNames | None = None,
    ) -> RuleExtractor:
        """Rules for the regexes and lookups of ``data`` whose name is an entity type (of
        ``entities``, default: the entities annotated in ``data``), plus ``knowledge``
        names (from the knowledge graph), ``synonym_names`` (synonym surface forms, see
        :func:`synonym_names`), and emails and numbers when those entity types exist."""
        known = set(entities if entities is not None else data.entities)
        rules: list[_Rule] = []
        for regex in data.regexes:
            if regex.name in known:
                # re.ASCII: \b and \w treat Chinese as non-word, so "订单A10001" has a boundary.
                joined = "|".join(f"(?:{p})" for p in regex.patterns)
                rules.append(
                    _Rule(
                        regex.name,
                        re.compile(joined, re.IGNORECASE | re.ASCII),
                        "RegexEntityExtractor",
                    )
                )
        for table in data.lookups:
            pattern = _alternation(table.elements) if table.name in known else None
            if pattern is not None:
                rules.append(_Rule(table.name, pattern, "LookupEntityExtractor"))
        for names, extractor in (
            (synonym_names, "SynonymEntityExtractor"),
            (knowledge, "KnowledgeGraphEntityExtractor"),
        ):
            by_type: dict[str, dict[str, str]] = {}
            for surface, (entity, value) in (names or {}).items():
                by_type.setdefault(entity, {})[surface.strip().lower()] = value
            for entity, values in sorted(by_type.items()):
                pattern = _alternation(values)
                if pattern is not None:
                    rules.append(_Rule(entity, pattern, extractor, values))
        if EMAIL_ENTITY in known:
            rules.append(_Rule(EMAIL_ENTITY, _EMAIL, "EmailEntityExtractor"))
        if NUMBER_ENTITY in known:
            rules.append(_Rule(NUMBER_ENTITY, _NUMBER, "NumberEntityExtractor"))
        return cls(rules)

    @property
    def entities(self) -> frozenset[str]:
        return frozenset(rule.entity for rule in self.rules)

    def extract(self, text: str) -> list[Entity]:
        """Every rule match in ``text`` (overlaps included; the pipeline resolves them)."""
        found: list[Entity] = []
        for rule in self.rules:
            for match in rule.pattern.finditer(text):
                surface = match.group(0)
                if not surface.strip():
                    continue
                value: object = surface
                if rule.values is not None:
                    value = rule.values.get(surface.lower(), surface)
                elif rule.entity == NUMBER_ENTITY:
                    number = parse_number(surface)
                    if number is None:
                        continue
                    value = number
                found.append(
                    Entity(
                        entity=rule.entity,
                        value=value,
                        start=match.start(),
                        end=match.end(),
                        extractor=rule.extractor,
                        confidence=1.0,
                        text=surface,
                    )
                )
        return found
