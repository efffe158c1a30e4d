"""What each predicate of a graph means: the kind of value it takes, its units, its
order, its names, read from the graph itself.

No product schema is written down anywhere. A predicate's kind comes from its
``Attribute`` node when that node declares one (``price kind money``, ``caffeine kind
low<medium<high``, ``price unit USD``), otherwise from the values the graph already holds
for it (every ``price`` is in USD: money), and for a predicate nobody used yet from the unit
its first value gives. Its names are the Attribute node's labels, then the words of its id
and the built-in concept they name (``phone_number``: 电话号码).

The one home of these decisions: linking and retrieval (``knowledge_graph.index``), the
composer and the checker read them through the index; the editor's validation
(``app.admin.validation``) through ``graph_schema``. Pure functions of a frozen graph;
``graph_schema`` is cached per graph.
"""

from __future__ import annotations

import weakref
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import networkx as nx

from knowledge_graph.concepts import Concept, concepts_for, predicate_words, scale_of, zh_name
from knowledge_graph.kinds import LITERAL_KINDS, ValueKind, read_kind
from knowledge_graph.model import ALIAS, ATTRIBUTE_TYPE, KIND, NAME, TYPE
from knowledge_graph.values import UNITS, Dimension, Flag, Quantity, Text, canonical_unit, unit_info

__all__ = [
    "LITERAL_KINDS",
    "GraphSchema",
    "PredicateSchema",
    "ValueKind",
    "fitting_concepts",
    "graph_schema",
    "schema_for_new",
    "spoken_names",
]

# Predicate an Attribute node may use to declare its predicate's units.
UNIT = "unit"

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
    **{
        d: ValueKind.MEASURE
        for d in (
            Dimension.LENGTH,
            Dimension.POWER,
            Dimension.ENERGY,
            Dimension.CHARGE,
            Dimension.DATA,
            Dimension.VOLUME,
            Dimension.SPEED,
        )
    },
}
# The order units are offered in; the predicate's most used unit comes first anyway.
# The order units are offered in; the predicate's most used unit comes first anyway.
_DURATION_UNITS = ("days", "weeks", "months", "years", "business days", "hours", "minutes")
_MAX_CHOICES = 30


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
    # The kinds of values the graph holds for it (TEXT, BOOLEAN, MONEY, ...).
    dimensions: frozenset[Dimension] = frozenset()
    # Text values lowest first, casefolded: declared (kind ORDERED, the only values it
    # takes) or a built-in scale all its values lie on (for ranking only).
    order: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        """Values that are numbers: compared, ranked and bounded as numbers."""
        return bool(self.dimensions) and not self.dimensions & {Dimension.TEXT, Dimension.BOOLEAN}

    def to_json(self) -> dict[str, object]:
        return {
            "predicate": self.predicate,
            "kind": self.kind.value,
            "units": list(self.units),
            "target_types": list(self.target_types),
            "choices": list(self.choices),
            "names": dict(self.names),
            "source": self.source,
            "order": list(self.order),
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
    labels: dict[str, dict[str, str]] = {}
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
                    labels.setdefault(node, {}).setdefault(fact.unit or "en", fact.object)
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
        predicates[predicate] = _predicate_schema(
            predicate,
            declared=declared.get(predicate, {}),
            edges=edge_counts[predicate],
            targets=edge_targets[predicate],
            dimensions=dimensions[predicate],
            seen_units=units[predicate],
            texts=texts[predicate],
            names=spoken_names(predicate, labels.get(predicate, {}), dimensions[predicate]),
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
    stated = next(filter(None, map(read_kind, declared.get(KIND, []))), None)
    declared_kind = stated.kind if stated is not None else None
    if declared_kind is None and declared_units:
        declared_kind = _KIND_OF_DIMENSION.get(unit_info(declared_units[0]).dimension)
    held = frozenset(dimensions)
    if stated is not None and stated.order:
        order = stated.order
    elif Dimension.TEXT in held:  # text values that all lie on a known scale (low, medium, high)
        order = scale_of({t.strip().casefold() for t in texts})
    else:
        order = ()
    if declared_kind is ValueKind.ORDERED:  # only the values of its order
        return PredicateSchema(
            predicate,
            ValueKind.ORDERED,
            ("",),
            choices=order,
            names=names,
            source="attribute",
            dimensions=held,
            order=order,
        )
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
            dimensions=held,
            order=order,
        )
    if edges and not dimensions:
        return PredicateSchema(
            predicate,
            ValueKind.LINK,
            target_types=tuple(sorted(targets)),
            names=names,
            dimensions=held,
            order=order,
        )
    if edges or len(dimensions) > 1:
        return PredicateSchema(
            predicate,
            ValueKind.ANY,
            units=tuple(u for u, _ in seen_units.most_common()),
            target_types=tuple(sorted(targets)),
            names=names,
            dimensions=held,
            order=order,
        )
    kind = _KIND_OF_DIMENSION[next(iter(dimensions))]
    if kind is ValueKind.TEXT and _repeats(texts):
        kind = ValueKind.ENUMERATION
    used = tuple(u for u, _ in seen_units.most_common())
    if kind is ValueKind.COUNT and set(used) == {""}:
        kind = ValueKind.NUMBER  # plain numbers (a rating of 4.5): no counted noun
    return PredicateSchema(
        predicate,
        kind,
        units=_allowed_units(kind, used, money_units),
        choices=_choices(texts) if kind is ValueKind.ENUMERATION else (),
        names=names,
        dimensions=held,
        order=order,
    )


def spoken_names(
    predicate: str, labels: Mapping[str, str], dimensions: Collection[Dimension]
) -> dict[str, str]:
    """A predicate's name per language: the graph's own labels first, then its id's words
    (``weight_kg``: weight) and the built-in concept they name, then a Chinese reading
    of an English id (``phone_number``: 电话号码)."""
    names = dict(labels)
    names.setdefault("en", " ".join(predicate_words(predicate)) or predicate.replace("_", " "))
    fitting = fitting_concepts(predicate, dimensions)
    if fitting:
        for lang, name in fitting[0].names.items():
            names.setdefault(lang, name)
    if "zh" not in names and (chinese := zh_name(predicate)) is not None:
        names["zh"] = chinese
    return names


def fitting_concepts(predicate: str, dimensions: Collection[Dimension]) -> tuple[Concept, ...]:
    """The built-in concepts ``predicate``'s id names whose kind of value fits the values
    it holds (a yes/no ``parking_available`` is no stock status), strongest first."""
    return tuple(
        c
        for c in concepts_for(predicate)
        if not dimensions or not c.dimensions or set(dimensions) & set(c.dimensions)
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
    if kind is ValueKind.NUMBER:
        return tuple(dict.fromkeys(("", *used)))
    if kind is ValueKind.MEASURE:
        # The units of the same quantity as the ones in use (ml, l for a capacity).
        dimensions = {unit_info(u).dimension for u in used}
        same = tuple(u for u, i in UNITS.items() if i.dimension in dimensions)
        return tuple(dict.fromkeys((*used, *same)))
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
