"""Ordering things by one attribute: numbers by magnitude, levels by their place on the
attribute's order (low < medium < high). Used by the checker (superlatives, comparisons)
and by set answers (the cheapest, the best rated). Pure functions of the graph."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import networkx as nx

from knowledge_graph.index import graph_index
from knowledge_graph.model import Fact, literal_facts
from knowledge_graph.values import Literal, Text, magnitude

__all__ = ["ranked", "single_value"]


def single_value(graph: nx.MultiDiGraph, node: str, predicate: str) -> tuple[Fact, Literal] | None:
    """The one value ``node`` has for ``predicate``, with its fact; None if none or several."""
    pairs = literal_facts(graph, node, predicate)
    return pairs[0] if len(pairs) == 1 else None


def ranked(
    graph: nx.MultiDiGraph, members: Sequence[str], predicate: str
) -> list[tuple[Decimal, str, Fact]]:
    """``(magnitude, node, fact)`` for members with exactly one orderable value, smallest first."""
    out = []
    info = graph_index(graph).attribute(predicate)
    for node in members:
        pair = single_value(graph, node, predicate)
        if pair is None:
            continue
        amount = magnitude(pair[1])
        if amount is None and isinstance(pair[1], Text) and info.order:
            # Levels ("low" < "medium" < "high") rank by their place on the order.
            place = info.rank_of(pair[1].value)
            amount = Decimal(place) if place is not None else None
        if amount is not None:
            out.append((amount, node, pair[0]))
    out.sort(key=lambda item: item[0])
    return out
