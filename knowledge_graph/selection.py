"""Answering questions about sets: which things match a question's group, values and
limits, ranked by an attribute when it asks for the best. Pure functions of the graph.

``select(graph, question)`` -> ``Selection``: "do you have any red speakers?" keeps the
speakers that come in red; "which smartwatch has the longest battery?" ranks the group by
battery life; "headphones for a long flight?" ranks headphones by what the need implies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import networkx as nx

from knowledge_graph.index import ATTRIBUTE_TYPE, UNAVAILABLE, CueKind, graph_index
from knowledge_graph.language import match_key
from knowledge_graph.model import RESERVED, Fact, literal_facts
from knowledge_graph.questions import Bound, Question
from knowledge_graph.ranking import ranked
from knowledge_graph.values import Flag, Qualifier, Quantity

__all__ = ["Selection", "is_unavailable", "select", "status_facts"]


@dataclass(frozen=True, slots=True)
class Selection:
    """The things a set question is about.

    ``scope`` is what was searched (a group's members, or every thing of the kind asked
    about); ``members`` those that match, best first when ``ranking`` is set; ``facts``
    per member the facts that make it match (its group, the values asked for).
    """

    scope: tuple[str, ...]
    members: tuple[str, ...]
    near: tuple[str, ...]  # when nothing matches: those named by kind and values, not limits
    group: str | None
    ranking: tuple[str, CueKind] | None
    facts: dict[str, tuple[Fact, ...]]


def select(graph: nx.MultiDiGraph, q: Question) -> Selection:
    index = graph_index(graph)
    group = q.groups[0] if q.groups else None
    if q.groups:
        sets = [set(index.classes[g][1]) for g in q.groups if g in index.classes]
        first = index.classes[q.groups[0]][1]
        scope = tuple(n for n in first if all(n in s for s in sets))
        if q.types:
            scope = tuple(n for n in scope if set(q.types) & set(graph.nodes[n]["types"]))
    else:
        scope = _things(graph, q)
    matching: dict[str, tuple[Fact, ...]] = {}
    for node in scope:
        facts = _matches(graph, node, q)
        if facts is not None:
            matching[node] = facts
    members = list(matching)
    ranking = q.superlative
    if ranking is not None:
        order = ranked(graph, members, ranking[0])
        if ranking[1].downward:
            members = [node for _, node, _ in order]
        else:
            members = [node for _, node, _ in reversed(order)]
        # Prefer what can be bought: a discontinued product is no recommendation.
        members.sort(key=lambda n: is_unavailable(graph, n))
    near: tuple[str, ...] = ()
    if not members and (q.flags or q.bounds) and (q.texts or q.values or q.groups):
        # "Which Thai places in Oakland serve alcohol?" when none does: the Thai places in
        # Oakland, by what they do have.
        loose = replace(q, flags=(), bounds=())
        near = tuple(n for n in scope if _matches(graph, n, loose) is not None)
    return Selection(tuple(scope), tuple(members), near, group, ranking, matching)


def _things(graph: nx.MultiDiGraph, q: Question) -> tuple[str, ...]:
    """Every thing of the kind the question is about: the type whose things own most of
    the attributes and values it names, then the commonest (products rather than
    policies; "free museums in Seattle": attractions, which have free entry, not hotels,
    which are in Seattle too)."""
    index = graph_index(graph)
    aspects: list[frozenset[str]] = [frozenset([p]) for p in q.predicates]
    said: dict[str, set[str]] = {}
    for predicate, value in q.texts:
        said.setdefault(match_key(value), set()).add(predicate)
    aspects += [frozenset(predicates) for predicates in said.values()]
    aspects += [frozenset(bound.predicates) for bound in q.bounds]
    coverage: dict[str, int] = {}
    for node, data in graph.nodes(data=True):
        if ATTRIBUTE_TYPE in data["types"] or node in index.value_nodes:
            continue
        has = set(data["values"]) | {f.predicate for f in data["facts"] if f.edge}
        covered = sum(1 for aspect in aspects if aspect & has)
        covered += sum(1 for f in data["facts"] if f.edge and f.object in q.values)
        if covered:
            coverage[node] = covered
    if q.types:
        return tuple(n for n, data in graph.nodes(data=True) if set(q.types) & set(data["types"]))
    if not coverage:
        return ()
    best: dict[str, int] = {}
    count: Counter[str] = Counter()
    for node, covered in coverage.items():
        types = graph.nodes[node]["types"]
        if types:
            best[types[0]] = max(best.get(types[0], 0), covered)
            count[types[0]] += 1
    if not best:
        return tuple(coverage)
    kind = max(best, key=lambda t: (best[t], count[t]))
    return tuple(n for n, data in graph.nodes(data=True) if kind in data["types"])


def _matches(graph: nx.MultiDiGraph, node: str, q: Question) -> tuple[Fact, ...] | None:
    """The facts by which ``node`` matches every value and limit of ``q``, or None."""
    facts: list[Fact] = []
    node_facts = graph.nodes[node]["facts"]
    for group in q.groups:
        edge = next((f for f in node_facts if f.edge and f.object == group), None)
        if edge is None:
            return None
        facts.append(edge)
    for value in q.values:
        edge = next((f for f in node_facts if f.edge and f.object == value), None)
        if edge is None:
            return None
        facts.append(edge)
    # One value said once may be held by several attributes ("Seattle": a hotel's
    # location, a salon's city): any of them matches.
    said: dict[str, list[str]] = {}
    for predicate, value in q.texts:
        said.setdefault(match_key(value), []).append(predicate)
    for key, predicates in said.items():
        found = next(
            (
                f
                for predicate in predicates
                for f, _ in literal_facts(graph, node, predicate)
                if match_key(f.object) == key
            ),
            None,
        )
        if found is None:
            return None
        facts.append(found)
    for predicate, wanted in q.flags:
        flag = next(
            (f for f, v in literal_facts(graph, node, predicate) if v == Flag(wanted)), None
        )
        if flag is None:
            return None
        facts.append(flag)
    for bound in q.bounds:
        fact = _within(graph, node, bound)
        if fact is None:
            return None
        facts.append(fact)
    return tuple(facts)


def _within(graph: nx.MultiDiGraph, node: str, bound: Bound) -> Fact | None:
    for predicate in bound.predicates:
        for fact, value in literal_facts(graph, node, predicate):
            if not isinstance(value, Quantity) or value.info.family != bound.quantity.info.family:
                continue
            low, high = value.in_base()
            limit_low, limit_high = bound.quantity.in_base()
            if bound.qualifier is Qualifier.AT_MOST and high <= limit_high:
                return fact
            if bound.qualifier is Qualifier.AT_LEAST and low >= limit_low:
                return fact
            if bound.qualifier is Qualifier.EXACT and low <= limit_low and limit_high <= high:
                return fact
    return None


def status_facts(graph: nx.MultiDiGraph, node: str) -> tuple[Fact, ...]:
    """The node's stock and availability facts (and restock dates), in graph order."""
    index = graph_index(graph)
    return tuple(
        f
        for f in graph.nodes[node]["facts"]
        if f.predicate not in RESERVED and index.attribute(f.predicate).status
    )


def is_unavailable(graph: nx.MultiDiGraph, node: str) -> bool:
    """Whether the node's status says it cannot be bought now (discontinued, sold out)."""
    return any(UNAVAILABLE.search(_status_text(graph, f)) for f in status_facts(graph, node))


def _status_text(graph: nx.MultiDiGraph, fact: Fact) -> str:
    if fact.edge:
        labels = graph.nodes[fact.object]["labels"]
        return " ".join([fact.object, *(label.text for label in labels)])
    return fact.object
