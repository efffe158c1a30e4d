"""Helpers for the property tests: pick demo facts and change their values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import networkx as nx

from knowledge_graph import Fact, graph_facts
from knowledge_graph.model import ATTRIBUTE_TYPE, RESERVED
from knowledge_graph.values import Dimension, Flag, Quantity, Text


def checkable_facts(graph: nx.MultiDiGraph) -> list[Fact]:
    """Facts whose values the checker can read back (numbers, flags, closed sets)."""
    chosen = []
    for fact in graph_facts(graph):
        if fact.predicate in RESERVED or ATTRIBUTE_TYPE in graph.nodes[fact.subject]["types"]:
            continue
        if fact.edge or not isinstance(fact.value, Text):
            chosen.append(fact)
    return chosen


def _number(value: Decimal) -> str:
    return format(value, "f")


def perturb(graph: nx.MultiDiGraph, fact: Fact, step: int) -> Fact | None:
    """``fact`` with a different value (``step`` >= 1 picks how different), or None."""
    if fact.edge:
        types = set(graph.nodes[fact.object]["types"])
        taken = {
            f.object for f in graph.nodes[fact.subject]["facts"] if f.predicate == fact.predicate
        }
        others = sorted(
            n for n, d in graph.nodes(data=True) if types & set(d["types"]) and n not in taken
        )
        if not others:
            return None
        return Fact(fact.subject, fact.predicate, others[step % len(others)], "", True)
    value = fact.value
    if isinstance(value, Flag):
        return Fact(fact.subject, fact.predicate, "false" if value.value else "true", fact.unit)
    assert isinstance(value, Quantity)
    dimension = value.info.dimension
    if dimension is Dimension.DATE:
        first = dt.date.fromordinal(int(value.low))
        if value.low == value.high:
            return Fact(
                fact.subject,
                fact.predicate,
                (first + dt.timedelta(days=step)).isoformat(),
                fact.unit,
            )
        return Fact(fact.subject, fact.predicate, str(first.year + step), fact.unit)
    if dimension is Dimension.TIME:
        low, high = (int(value.low) // 60 + step) % 24, (int(value.high) // 60 + step) % 24
        obj = f"{low:02d}:00" if not value.is_range else f"{low:02d}:00-{max(high, low):02d}:00"
        return Fact(fact.subject, fact.predicate, f"{obj} {value.tz}".strip(), fact.unit)
    delta = Decimal(step)
    if value.is_range:
        return Fact(
            fact.subject,
            fact.predicate,
            f"{_number(value.low + delta)}-{_number(value.high + delta)}",
            fact.unit,
        )
    return Fact(fact.subject, fact.predicate, _number(value.low + delta), fact.unit)
