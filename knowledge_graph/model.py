"""The graph model: facts, labels, and the immutable networkx graph built from them.

A graph is a frozen ``networkx.MultiDiGraph``. Node data: ``facts`` (every fact about the
node, in order), ``types``, ``labels`` (names then aliases) and ``values`` (predicate ->
parsed literals). Edges carry their ``fact``; their key is the predicate. Build graphs with
``build_graph``; change them through a ``GraphStore`` or by building a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from knowledge_graph.exceptions import GraphFormatError, UnitError, UnknownNodeError
from knowledge_graph.kinds import declarable_kinds, read_kind, unit_of_kind
from knowledge_graph.language import detect_language
from knowledge_graph.values import Literal, Quantity, parse_literal

TYPE = "type"
NAME = "name"
ALIAS = "alias"
RESERVED = frozenset({TYPE, NAME, ALIAS})

# Nodes of this type describe a predicate (its cue words, comparatives, phrasing) instead
# of a thing in the store; linking skips them.
ATTRIBUTE_TYPE = "Attribute"
# Predicates of Attribute nodes.
LESS = "less"
MORE = "more"
PHRASE = "phrase"
SEMANTICS = "semantics"
KIND = "kind"  # on an Attribute node: number, yes_no, date, time, text, or an order a<b<c
# Predicates whose ``unit`` column holds a language tag rather than a unit.
LANGUAGE_TAGGED = frozenset({NAME, ALIAS, LESS, MORE, PHRASE})


@dataclass(frozen=True, slots=True, order=True)
class Fact:
    """One row of the graph: ``subject predicate object [unit]``.

    ``edge`` facts point at another node (``object`` is its id). For ``name``/``alias``
    facts ``unit`` is the language (``en``, ``zh``).
    """

    subject: str
    predicate: str
    object: str
    unit: str = ""
    edge: bool = False

    def as_row(self) -> tuple[str, str, str, str]:
        return self.subject, self.predicate, self.object, self.unit

    def as_dict(self, *, edge: bool = False) -> dict[str, Any]:
        """The fact as JSON shows it (``kefu ask --json``, ``sources`` of a reply, the
        editor's diffs): subject, predicate, object, unit, and with ``edge`` whether it
        links two nodes."""
        shown: dict[str, Any] = dict(
            zip(("subject", "predicate", "object", "unit"), self.as_row(), strict=True)
        )
        if edge:
            shown["edge"] = self.edge
        return shown

    @property
    def value(self) -> Literal:
        """The parsed literal; raises ``UnitError`` for edges and unreadable objects."""
        if self.edge or self.predicate in RESERVED:
            raise UnitError(f"{self} is not a literal fact")
        return parse_literal(self.object, self.unit)

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.subject} {self.predicate} {self.object}{unit}"


@dataclass(frozen=True, slots=True)
class Label:
    """A name or alias in one language."""

    text: str
    lang: str
    is_name: bool = True


def facts_from_rows(rows: Iterable[Sequence[str]]) -> list[Fact]:
    """Apply the CSV-triples rule: an object equal to a subject in ``rows`` is an edge.

    Rows are ``(subject, predicate, object, unit)``; blank ``unit`` on names and aliases
    is filled with the detected language.
    """
    materialised = _named_by_own_predicate(_described_predicates([tuple(row) for row in rows]))
    subjects = {row[0] for row in materialised}
    facts: list[Fact] = []
    for number, row in enumerate(materialised, start=1):
        if len(row) != 4:
            raise GraphFormatError(f"row {number}: expected 4 fields, got {len(row)}")
        subject, predicate, obj, unit = (field.strip() for field in row)
        if not subject or not predicate:
            raise GraphFormatError(f"row {number}: subject and predicate are required")
        if predicate in LANGUAGE_TAGGED and not unit:
            unit = detect_language(obj)
        edge = predicate not in RESERVED and obj in subjects
        facts.append(Fact(subject, predicate, obj, "" if edge else unit, edge))
    return facts


def _described_predicates(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Rows whose subject is ``@PREDICATE`` describe a predicate (ARCHITECTURE.md):
    ``label`` (a name per language), ``alias``, ``kind`` (``knowledge_graph.kinds``: ``number``,
    ``yes_no``, ``date``, ``money``, … or an order ``low<medium<high``) and the other
    Attribute-node predicates. They become facts of the predicate's Attribute node; a
    ``kind`` also types the predicate's values that have no unit."""
    kinds: dict[str, str] = {}
    out: list[tuple[str, ...]] = []
    typed: set[str] = set()
    for row in rows:
        if len(row) != 4 or not row[0].strip().startswith("@"):
            continue
        predicate, field, obj, unit = row[0].strip()[1:], row[1].strip(), row[2], row[3]
        if not predicate:
            raise GraphFormatError(f"{row[0]!r}: '@' must be followed by a predicate name")
        if predicate not in typed:
            out.append((predicate, TYPE, ATTRIBUTE_TYPE, ""))
            typed.add(predicate)
        if field == "label":
            field = NAME
        elif field == KIND:
            declared = read_kind(obj)
            if declared is None:
                raise GraphFormatError(
                    f"{row[0]!r}: {obj!r} is not a kind; use one of {declarable_kinds()}"
                )
            if (kind_unit := unit_of_kind(declared.kind)) is not None:
                kinds[predicate] = kind_unit
        out.append((predicate, field, obj, unit))
    for row in rows:
        if len(row) == 4 and row[0].strip().startswith("@"):
            continue
        unit = row[3] if len(row) == 4 else ""
        kind_unit = kinds.get(row[1].strip()) if len(row) == 4 else None
        if kind_unit is not None and not unit.strip():
            row = (row[0], row[1], row[2], kind_unit)
        out.append(row)
    return out


_NAME_LIKE = frozenset({"title", "label", "display_name", "full_name"})


def _named_by_own_predicate(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Graphs exported by other systems often name things with their own predicate
    (``restaurant_name``, ``hotel_name``, ``title``). A node with no ``name`` row takes its
    name from such a row: ``<type>_name``, a title-like predicate, or its only ``*_name``
    predicate. The row becomes the node's ``name``; nothing else changes."""
    named: set[str] = set()
    types: dict[str, set[str]] = {}
    candidates: dict[str, list[int]] = {}
    for number, row in enumerate(rows):
        if len(row) != 4:
            continue
        subject, predicate = row[0].strip(), row[1].strip()
        if predicate == NAME:
            named.add(subject)
        elif predicate == TYPE:
            types.setdefault(subject, set()).add(row[2].strip().casefold().replace(" ", "_"))
        elif predicate.casefold() in _NAME_LIKE or predicate.casefold().endswith("_name"):
            candidates.setdefault(subject, []).append(number)
    renamed: dict[int, tuple[str, ...]] = {}
    for subject, numbers in candidates.items():
        if subject in named or subject.startswith("@"):
            continue
        own = {f"{kind}_name" for kind in types.get(subject, ())} | _NAME_LIKE
        preferred = [n for n in numbers if rows[n][1].strip().casefold() in own]
        chosen = preferred or (numbers if len({rows[n][1] for n in numbers}) == 1 else [])
        if chosen:
            row = rows[chosen[0]]
            renamed[chosen[0]] = (row[0], NAME, row[2], row[3])
    return [renamed.get(number, row) for number, row in enumerate(rows)]


def build_graph(facts: Iterable[Fact], *, revision: int | None = None) -> nx.MultiDiGraph:
    """A frozen graph from ``facts`` (duplicates dropped, order kept).

    Raises ``GraphFormatError`` for an edge to a node that has no facts or a literal
    whose object does not fit its unit.
    """
    per_node: dict[str, list[Fact]] = {}
    seen: set[Fact] = set()
    for fact in facts:
        if fact in seen:
            continue
        seen.add(fact)
        per_node.setdefault(fact.subject, []).append(fact)
    graph = nx.MultiDiGraph(revision=revision)
    for node, node_facts in per_node.items():
        graph.add_node(node, **_node_data(node_facts))
    for node_facts in per_node.values():
        for fact in node_facts:
            if not fact.edge:
                continue
            if fact.object not in per_node:
                raise GraphFormatError(f"edge {fact} points at {fact.object!r}, which has no facts")
            graph.add_edge(fact.subject, fact.object, key=fact.predicate, fact=fact)
    return nx.freeze(graph)


def _node_data(facts: list[Fact]) -> dict[str, Any]:
    # Attribute nodes describe predicates; their facts are words, not typed values.
    schema = any(f.predicate == TYPE and f.object == ATTRIBUTE_TYPE for f in facts)
    types: list[str] = []
    names: list[Label] = []
    aliases: list[Label] = []
    values: dict[str, list[tuple[Fact, Literal]]] = {}
    for fact in facts:
        if fact.predicate == TYPE:
            types.append(fact.object)
        elif fact.predicate == NAME:
            names.append(Label(fact.object, fact.unit or detect_language(fact.object)))
        elif fact.predicate == ALIAS:
            aliases.append(Label(fact.object, fact.unit or detect_language(fact.object), False))
        elif not fact.edge and not schema:
            try:
                values.setdefault(fact.predicate, []).append((fact, fact.value))
            except UnitError as error:
                raise GraphFormatError(f"fact {fact}: {error}") from error
    return {
        "facts": tuple(facts),
        "types": tuple(types),
        "labels": (*names, *aliases),
        "values": {p: tuple(v) for p, v in values.items()},
    }


def graph_facts(graph: nx.MultiDiGraph) -> list[Fact]:
    """Every fact, node by node, each node's facts in order (what exporters write)."""
    return [fact for _, data in graph.nodes(data=True) for fact in data["facts"]]


def _data(graph: nx.MultiDiGraph, node: str) -> Mapping[str, Any]:
    try:
        data: Mapping[str, Any] = graph.nodes[node]
    except KeyError:
        raise UnknownNodeError(node) from None
    return data


def node_facts(graph: nx.MultiDiGraph, node: str) -> tuple[Fact, ...]:
    return tuple(_data(graph, node)["facts"])


def node_types(graph: nx.MultiDiGraph, node: str) -> tuple[str, ...]:
    return tuple(_data(graph, node)["types"])


def node_labels(graph: nx.MultiDiGraph, node: str) -> tuple[Label, ...]:
    return tuple(_data(graph, node)["labels"])


def display_name(graph: nx.MultiDiGraph, node: str, lang: str = "en") -> str:
    """The node's name in ``lang`` (names before aliases), else any name, else its id."""
    labels = node_labels(graph, node)
    for label in labels:
        if label.lang == lang:
            return label.text
    return labels[0].text if labels else node


def literal_facts(
    graph: nx.MultiDiGraph, node: str, predicate: str
) -> tuple[tuple[Fact, Literal], ...]:
    """``(fact, parsed value)`` pairs of the node's literal facts with ``predicate``."""
    values: Mapping[str, tuple[tuple[Fact, Literal], ...]] = _data(graph, node)["values"]
    return values.get(predicate, ())


def literal_predicates(graph: nx.MultiDiGraph, node: str) -> tuple[str, ...]:
    return tuple(_data(graph, node)["values"])


def edge_facts(graph: nx.MultiDiGraph, node: str, predicate: str | None = None) -> tuple[Fact, ...]:
    """The node's outgoing edge facts, all or those with ``predicate``, in order."""
    return tuple(
        f
        for f in _data(graph, node)["facts"]
        if f.edge and (predicate is None or f.predicate == predicate)
    )


def quantity_facts(graph: nx.MultiDiGraph, node: str) -> tuple[tuple[Fact, Quantity], ...]:
    values: Mapping[str, tuple[tuple[Fact, Literal], ...]] = _data(graph, node)["values"]
    return tuple((f, v) for pairs in values.values() for f, v in pairs if isinstance(v, Quantity))


def same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    """Equal nodes with equal fact sequences (node order does not matter)."""
    if set(a.nodes) != set(b.nodes):
        return False
    return all(a.nodes[n]["facts"] == b.nodes[n]["facts"] for n in a.nodes)
