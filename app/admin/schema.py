"""What kind of value each predicate takes, read from the graph itself, and the checks
that keep edited values typed (a price is money, a warranty a duration).

No product schema is written down here. A predicate's kind comes from its ``Attribute``
node when that node declares one (``price kind money``, ``price unit USD``), otherwise
from the values the graph already holds for it (every ``price`` is in USD: money), and
for a predicate nobody used yet from the unit the editor gives. Pure functions of a
frozen graph; ``graph_schema`` is cached per graph.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

import networkx as nx

from app.admin.exceptions import Problem
from knowledge_graph import Fact, Flag, Quantity, Text, UnitError, detect_language, parse_literal
from knowledge_graph.model import ALIAS, ATTRIBUTE_TYPE, LANGUAGE_TAGGED, NAME, TYPE
from knowledge_graph.values import UNITS, Dimension, canonical_unit, count_family, unit_info

# Predicates an Attribute node may use to declare its predicate's kind and units.
KIND = "kind"
UNIT = "unit"


class ValueKind(StrEnum):
    MONEY = "money"
    DURATION = "duration"
    MASS = "mass"
    COUNT = "count"
    PERCENT = "percent"
    DATE = "date"
    TIME = "time"
    BOOLEAN = "boolean"
    ENUMERATION = "enumeration"  # text whose values repeat across nodes: offer them
    TEXT = "text"
    LINK = "link"  # an edge to another node
    ANY = "any"  # the graph holds several kinds for this predicate: any readable value
    TYPE = "type"  # reserved predicates
    LABEL = "label"
    WORDS = "words"  # facts of Attribute nodes: cue words and phrases, not typed values


LITERAL_KINDS = frozenset(
    {
        ValueKind.MONEY,
        ValueKind.DURATION,
        ValueKind.MASS,
        ValueKind.COUNT,
        ValueKind.PERCENT,
        ValueKind.DATE,
        ValueKind.TIME,
        ValueKind.BOOLEAN,
        ValueKind.ENUMERATION,
        ValueKind.TEXT,
    }
)
_KIND_OF_DIMENSION = {
    Dimension.MONEY: ValueKind.MONEY,
    Dimension.DURATION: ValueKind.DURATION,
    Dimension.MASS: ValueKind.MASS,
    Dimension.COUNT: ValueKind.COUNT,
    Dimension.PERCENT: ValueKind.PERCENT,
    Dimension.DATE: ValueKind.DATE,
    Dimension.TIME: ValueKind.TIME,
    Dimension.BOOLEAN: ValueKind.BOOLEAN,
    Dimension.TEXT: ValueKind.TEXT,
}
_DIMENSION_OF_KIND = {kind: dim for dim, kind in _KIND_OF_DIMENSION.items()}
_DIMENSION_OF_KIND[ValueKind.ENUMERATION] = Dimension.TEXT
# The order units are offered in; the predicate's most used unit comes first anyway.
_DURATION_UNITS = ("days", "weeks", "months", "years", "business days", "hours", "minutes")
_MAX_CHOICES = 30

_NUMBER = r"\d+(?:\.\d+)?"
_PLAIN_NUMBER = re.compile(rf"^{_NUMBER}$")
_NUMBER_OR_RANGE = re.compile(rf"^({_NUMBER})(?:\s*[-–~]\s*({_NUMBER}))?$")
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_PREDICATE = re.compile(r"^[\w:.\-]{1,255}$")
_TYPE_NAME = re.compile(r"^\w{1,100}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class PredicateSchema:
    """The kind of value ``predicate`` takes and the units allowed (the first is the default).

    ``source``: ``attribute`` (declared on its Attribute node), ``values`` (inferred from
    the graph's values), ``unit`` (a new predicate: from the unit given) or ``reserved``.
    """

    predicate: str
    kind: ValueKind
    units: tuple[str, ...] = ()
    target_types: tuple[str, ...] = ()  # LINK: the types of nodes it points at
    choices: tuple[str, ...] = ()  # ENUMERATION: values in use; LINK: nothing (search)
    names: Mapping[str, str] = field(default_factory=dict)  # language -> display name
    source: str = "values"

    def to_json(self) -> dict[str, object]:
        return {
            "predicate": self.predicate,
            "kind": self.kind.value,
            "units": list(self.units),
            "target_types": list(self.target_types),
            "choices": list(self.choices),
            "names": dict(self.names),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class GraphSchema:
    """Every predicate's ``PredicateSchema`` plus the node types and languages in use."""

    predicates: Mapping[str, PredicateSchema]
    types: tuple[str, ...]
    languages: tuple[str, ...]
    money_units: tuple[str, ...]

    def get(self, predicate: str) -> PredicateSchema | None:
        return self.predicates.get(predicate)

    def to_json(self) -> dict[str, object]:
        return {
            "predicates": [p.to_json() for p in self.predicates.values()],
            "types": list(self.types),
            "languages": list(self.languages),
        }


_CACHE: weakref.WeakKeyDictionary[nx.MultiDiGraph, GraphSchema] = weakref.WeakKeyDictionary()


def graph_schema(graph: nx.MultiDiGraph) -> GraphSchema:
    """The schema the graph's own data implies; cached while the frozen graph lives."""
    if not nx.is_frozen(graph):
        return _infer(graph)
    cached = _CACHE.get(graph)
    if cached is None:
        cached = _infer(graph)
        _CACHE[graph] = cached
    return cached


def _infer(graph: nx.MultiDiGraph) -> GraphSchema:
    edge_targets: dict[str, set[str]] = defaultdict(set)
    edge_counts: Counter[str] = Counter()
    dimensions: dict[str, set[Dimension]] = defaultdict(set)
    units: dict[str, Counter[str]] = defaultdict(Counter)
    texts: dict[str, Counter[str]] = defaultdict(Counter)
    declared: dict[str, dict[str, list[str]]] = {}
    names: dict[str, dict[str, str]] = {}
    types: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for node, data in graph.nodes(data=True):
        types.update(data["types"])
        for label in data["labels"]:
            languages[label.lang] += 1
        if ATTRIBUTE_TYPE in data["types"]:
            declared[node] = defaultdict(list)
            for fact in data["facts"]:
                if fact.predicate in (KIND, UNIT):
                    declared[node][fact.predicate].append(fact.object.strip())
                elif fact.predicate == NAME:
                    names.setdefault(node, {}).setdefault(fact.unit or "en", fact.object)
            continue
        for fact in data["facts"]:
            if fact.predicate in (TYPE, NAME, ALIAS):
                continue
            if fact.edge:
                edge_counts[fact.predicate] += 1
                edge_targets[fact.predicate].update(graph.nodes[fact.object]["types"])
        for predicate, pairs in data["values"].items():
            for fact, value in pairs:
                dimension = value.info.dimension if isinstance(value, Quantity) else None
                if isinstance(value, Flag):
                    dimension = Dimension.BOOLEAN
                elif isinstance(value, Text):
                    dimension = Dimension.TEXT
                    texts[predicate][value.value] += 1
                assert dimension is not None
                dimensions[predicate].add(dimension)
                units[predicate][canonical_unit(fact.unit)] += 1

    money_units = tuple(
        u
        for u, _ in sum((c for c in units.values()), Counter()).most_common()
        if unit_info(u).dimension is Dimension.MONEY
    )
    predicates: dict[str, PredicateSchema] = {}
    described = {p for p, d in declared.items() if d.get(KIND) or d.get(UNIT)}
    # A predicate with neither values nor a declared kind stays unknown: its first value's
    # unit will say what it is (``schema_for_new``).
    for predicate in sorted({*edge_counts, *dimensions, *described}):
        label = names.get(predicate, {})
        if "en" not in label:
            label = {**label, "en": predicate.replace("_", " ")}
        predicates[predicate] = _predicate_schema(
            predicate,
            declared=declared.get(predicate, {}),
            edges=edge_counts[predicate],
            targets=edge_targets[predicate],
            dimensions=dimensions[predicate],
            seen_units=units[predicate],
            texts=texts[predicate],
            names=label,
            money_units=money_units,
        )
    for predicate in (TYPE, NAME, ALIAS):
        predicates[predicate] = PredicateSchema(
            predicate,
            ValueKind.TYPE if predicate == TYPE else ValueKind.LABEL,
            choices=tuple(sorted(types)) if predicate == TYPE else (),
            names={"en": predicate},
            source="reserved",
        )
    return GraphSchema(
        predicates=predicates,
        types=tuple(sorted(types)),
        languages=tuple(lang for lang, _ in languages.most_common()) or ("en",),
        money_units=money_units,
    )


def _predicate_schema(
    predicate: str,
    *,
    declared: Mapping[str, list[str]],
    edges: int,
    targets: set[str],
    dimensions: set[Dimension],
    seen_units: Counter[str],
    texts: Counter[str],
    names: Mapping[str, str],
    money_units: tuple[str, ...],
) -> PredicateSchema:
    declared_units = tuple(dict.fromkeys(canonical_unit(u) for u in declared.get(UNIT, [])))
    declared_kind = next(
        (ValueKind(k) for k in declared.get(KIND, []) if k in {v.value for v in ValueKind}), None
    )
    if declared_kind is None and declared_units:
        declared_kind = _KIND_OF_DIMENSION.get(unit_info(declared_units[0]).dimension)
    if declared_kind is not None:
        used = tuple(u for u, _ in seen_units.most_common())
        return PredicateSchema(
            predicate,
            declared_kind,
            units=declared_units or _allowed_units(declared_kind, used, money_units),
            target_types=tuple(sorted(targets)),
            choices=_choices(texts) if declared_kind is ValueKind.ENUMERATION else (),
            names=names,
            source="attribute",
        )
    if edges and not dimensions:
        return PredicateSchema(
            predicate, ValueKind.LINK, target_types=tuple(sorted(targets)), names=names
        )
    if edges or len(dimensions) > 1:
        return PredicateSchema(
            predicate,
            ValueKind.ANY,
            units=tuple(u for u, _ in seen_units.most_common()),
            target_types=tuple(sorted(targets)),
            names=names,
        )
    kind = _KIND_OF_DIMENSION[next(iter(dimensions))]
    if kind is ValueKind.TEXT and _repeats(texts):
        kind = ValueKind.ENUMERATION
    used = tuple(u for u, _ in seen_units.most_common())
    return PredicateSchema(
        predicate,
        kind,
        units=_allowed_units(kind, used, money_units),
        choices=_choices(texts) if kind is ValueKind.ENUMERATION else (),
        names=names,
    )


def _repeats(texts: Counter[str]) -> bool:
    """Text is an enumeration when some value is shared by several facts."""
    return len(texts) <= _MAX_CHOICES and any(n > 1 for n in texts.values())


def _choices(texts: Counter[str]) -> tuple[str, ...]:
    return tuple(t for t, _ in texts.most_common(_MAX_CHOICES))


def _allowed_units(
    kind: ValueKind, used: tuple[str, ...], money_units: tuple[str, ...]
) -> tuple[str, ...]:
    """The units a value of ``kind`` may take, the ones already used first."""
    if kind is ValueKind.MONEY:
        # Money stays in the currencies the store already uses (a price in USD is not
        # silently re-entered in CNY); with none in use, any known currency.
        registry = tuple(u for u, i in UNITS.items() if i.dimension is Dimension.MONEY)
        return tuple(dict.fromkeys((*used, *(money_units or registry))))
    if kind is ValueKind.DURATION:
        return tuple(dict.fromkeys((*used, *_DURATION_UNITS)))
    if kind is ValueKind.MASS:
        return tuple(dict.fromkeys((*used, "g", "kg")))
    if kind is ValueKind.PERCENT:
        return ("%",)
    if kind is ValueKind.DATE:
        return ("date",)
    if kind is ValueKind.TIME:
        return ("time",)
    if kind is ValueKind.BOOLEAN:
        return ("bool",)
    if kind is ValueKind.COUNT:
        return used
    return ("",)


def schema_for_new(predicate: str, unit: str) -> PredicateSchema:
    """A predicate the graph has never used: its kind follows the unit the editor chose."""
    info = unit_info(unit)
    kind = _KIND_OF_DIMENSION[info.dimension]
    if kind is ValueKind.COUNT:
        units: tuple[str, ...] = (info.symbol,)
    else:
        units = _allowed_units(kind, (info.symbol,) if info.symbol else (), ())
    return PredicateSchema(predicate, kind, units=units, source="unit")


# --- checking one fact -------------------------------------------------------------------

TargetTypes = Callable[[str], tuple[str, ...] | None]


def check_fact(
    schema: GraphSchema,
    fact: Fact,
    *,
    subject_types: Collection[str],
    target_types: TargetTypes,
) -> Fact | Problem:
    """The fact in normal form (unit spelling, money with two decimals, ``true``/``false``),
    or the ``Problem`` that refuses it, naming the node and the predicate.

    ``subject_types``: the types the fact's node will have; ``target_types(node)``: the
    types of a node in the edited graph, None when there is no such node.
    """
    node, predicate = fact.subject, fact.predicate.strip()
    obj = fact.object.strip()

    def problem(message: str) -> Problem:
        return Problem(node, predicate or "(empty)", message)

    if not _PREDICATE.match(predicate):
        return problem("a predicate is one word of letters, digits, _ : . or - (no spaces)")
    if not obj:
        return problem("the value is empty")
    if len(obj) > MAX_TEXT:
        return problem(f"the value is longer than {MAX_TEXT} characters")
    if predicate == TYPE:
        if fact.edge or not _TYPE_NAME.match(obj):
            return problem("a type is one word such as Product")
        return Fact(node, TYPE, obj)
    if predicate in LANGUAGE_TAGGED and (
        predicate in (NAME, ALIAS) or ATTRIBUTE_TYPE in subject_types
    ):
        lang = fact.unit.strip() or detect_language(obj)
        if fact.edge or not _LANGUAGE.match(lang):
            return problem(f"{lang!r} is not a language tag such as en or zh")
        return Fact(node, predicate, obj, lang)
    if ATTRIBUTE_TYPE in subject_types:
        return _check_attribute_word(fact, predicate, obj, problem)

    known = schema.get(predicate)
    if fact.edge or (known is not None and known.kind is ValueKind.LINK):
        return _check_link(fact, predicate, obj, known, target_types, problem)
    described = known or schema_for_new(predicate, fact.unit)
    return _check_literal(fact, predicate, obj, described, problem)


def _check_attribute_word(
    fact: Fact, predicate: str, obj: str, problem: Callable[[str], Problem]
) -> Fact | Problem:
    if fact.edge:
        return problem("facts of an Attribute node are words, not links")
    if predicate == KIND and obj not in {k.value for k in LITERAL_KINDS | {ValueKind.LINK}}:
        kinds = ", ".join(sorted(k.value for k in LITERAL_KINDS | {ValueKind.LINK}))
        return problem(f"{obj!r} is not a kind; use one of {kinds}")
    if predicate == UNIT:
        if unit_info(obj).dimension is Dimension.TEXT:
            return problem(f"{obj!r} is not a unit")
        return Fact(fact.subject, UNIT, canonical_unit(obj))
    return Fact(fact.subject, predicate, obj, fact.unit.strip())


def _check_link(
    fact: Fact,
    predicate: str,
    obj: str,
    known: PredicateSchema | None,
    target_types: TargetTypes,
    problem: Callable[[str], Problem],
) -> Fact | Problem:
    if known is not None and known.kind in LITERAL_KINDS:
        return problem(f"takes a {known.kind.value} value, not a link to a node")
    found = target_types(obj)
    wanted = known.target_types if known is not None else ()
    if found is None:
        if not fact.edge and wanted:
            return problem(f"links to a {' or '.join(wanted)} node; {obj!r} is none (pick a node)")
        return problem(f"no node {obj!r} to link to")
    if wanted and not set(found) & set(wanted):
        shown = " or ".join(found) or "node without a type"
        return problem(f"links to a {' or '.join(wanted)} node; {obj!r} is a {shown}")
    return Fact(fact.subject, predicate, obj, "", True)


def _check_literal(
    fact: Fact,
    predicate: str,
    obj: str,
    described: PredicateSchema,
    problem: Callable[[str], Problem],
) -> Fact | Problem:
    kind = described.kind
    unit = canonical_unit(fact.unit)
    if kind is ValueKind.ANY:
        try:
            parse_literal(obj, unit)
        except UnitError as error:
            return problem(str(error))
        return Fact(fact.subject, predicate, obj, unit)
    if kind in (ValueKind.TEXT, ValueKind.ENUMERATION):
        if unit:
            return problem(f"is {kind.value}; leave the unit empty (not {fact.unit!r})")
        return Fact(fact.subject, predicate, obj, "")
    if kind is ValueKind.COUNT:
        families = {count_family(u) for u in described.units}
        if not unit or unit_info(unit).dimension is not Dimension.COUNT:
            return problem(
                f"is a count; give the counted noun as the unit ({_one_of(described.units)})"
            )
        if families and count_family(unit) not in families:
            return problem(f"counts {_one_of(described.units)}, not {fact.unit!r}")
    elif unit not in described.units:
        return problem(
            f"is {_KIND_PHRASE[kind]}; the unit must be {_one_of(described.units)}"
            + (f", not {fact.unit!r}" if fact.unit else "")
        )
    try:
        normal = _normal_quantity(kind, obj)
    except _Refused as refused:
        return problem(str(refused))
    return Fact(fact.subject, predicate, normal, unit)


class _Refused(ValueError):
    """A value that does not fit its kind; the message says what would."""


_KIND_PHRASE = {
    ValueKind.MONEY: "money",
    ValueKind.DURATION: "a duration",
    ValueKind.MASS: "a mass",
    ValueKind.COUNT: "a count",
    ValueKind.PERCENT: "a percentage",
    ValueKind.DATE: "a date",
    ValueKind.TIME: "a time of day",
    ValueKind.BOOLEAN: "a flag",
}


def _normal_quantity(kind: ValueKind, obj: str) -> str:
    """The value in normal form; raises ``_Refused`` when it does not fit ``kind``."""
    if kind is ValueKind.BOOLEAN:
        folded = obj.casefold()
        if folded not in ("true", "false"):
            raise _Refused("must be true or false")
        return folded
    if kind is ValueKind.DATE:
        if not _ISO_DATE.match(obj):
            raise _Refused("must be an ISO date: YYYY-MM-DD, YYYY-MM or YYYY")
        try:
            parse_literal(obj, "date")
        except UnitError:
            raise _Refused(f"{obj!r} is not a real date") from None
        return obj
    if kind is ValueKind.TIME:
        try:
            parse_literal(obj, "time")
        except UnitError:
            raise _Refused(
                "must be a time of day like 14:00 UTC+8 or a range like 09:00-18:00 UTC+8"
            ) from None
        return obj
    if kind is ValueKind.MONEY:
        if not _PLAIN_NUMBER.match(obj):
            raise _Refused("must be a non-negative amount like 129.00")
        amount = Decimal(obj)
        if amount != amount.quantize(Decimal("0.01")):
            raise _Refused("use at most two decimals")
        return str(amount.quantize(Decimal("0.01")))
    if kind is ValueKind.PERCENT:
        if not _PLAIN_NUMBER.match(obj) or Decimal(obj) > 100:
            raise _Refused("must be a percentage between 0 and 100")
        return obj
    if kind is ValueKind.MASS:
        if not _PLAIN_NUMBER.match(obj) or Decimal(obj) == 0:
            raise _Refused("must be a positive number like 250")
        return obj
    ranged = _NUMBER_OR_RANGE.match(obj)
    if ranged is None:
        raise _Refused("must be a non-negative number like 24, or a range like 5-7")
    low, high = ranged.group(1), ranged.group(2)
    if kind is ValueKind.COUNT and ("." in low or (high is not None and "." in high)):
        raise _Refused("must be a whole number")
    if high is None:
        return low
    if Decimal(low) > Decimal(high):
        raise _Refused("the range's bounds are the wrong way round")
    return f"{low}-{high}"


def _one_of(units: tuple[str, ...]) -> str:
    shown = [u or "(none)" for u in units]
    if not shown:
        return "a noun such as items"
    return shown[0] if len(shown) == 1 else "one of " + ", ".join(shown)
