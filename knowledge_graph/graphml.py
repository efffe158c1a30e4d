"""GraphML: entity nodes, literal nodes (value + unit) and edges labelled by predicate.

Literals become their own nodes so repeated predicates survive; every edge carries its
``ordinal`` (the fact's position in its subject's facts) so the order does too.
"""

from __future__ import annotations

import io

import networkx as nx

from knowledge_graph.exceptions import GraphFormatError
from knowledge_graph.model import Fact, build_graph

_ENTITY = "entity"
_LITERAL = "literal"


def dump_graphml(graph: nx.MultiDiGraph) -> str:
    export = nx.MultiDiGraph()
    for node in graph.nodes:
        export.add_node(node, kind=_ENTITY)
    literal_count = 0
    for node, data in graph.nodes(data=True):
        for ordinal, fact in enumerate(data["facts"]):
            if fact.edge:
                target = fact.object
            else:
                literal_count += 1
                target = f"_literal{literal_count}"
                export.add_node(target, kind=_LITERAL, value=fact.object, unit=fact.unit)
            export.add_edge(node, target, predicate=fact.predicate, ordinal=ordinal)
    out = io.BytesIO()
    nx.write_graphml(export, out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def parse_graphml(text: str) -> nx.MultiDiGraph:
    """The graph a ``dump_graphml`` text describes."""
    try:
        data = nx.parse_graphml(text, force_multigraph=True)
    except Exception as error:  # networkx raises several unrelated types for bad XML
        raise GraphFormatError(f"invalid GraphML: {error}") from error
    rows: list[tuple[str, int, Fact]] = []
    order = {node: i for i, node in enumerate(data.nodes)}
    for source, target, attributes in data.edges(data=True):
        if data.nodes[source].get("kind") != _ENTITY:
            raise GraphFormatError(f"edge from {source!r}, which is not an entity node")
        predicate = attributes.get("predicate")
        if not predicate:
            raise GraphFormatError(f"edge {source!r} -> {target!r} has no predicate")
        target_data = data.nodes[target]
        if target_data.get("kind") == _LITERAL:
            fact = Fact(
                source,
                predicate,
                str(target_data.get("value", "")),
                str(target_data.get("unit", "")),
            )
        else:
            fact = Fact(source, predicate, target, "", True)
        rows.append((source, int(attributes.get("ordinal", 0)), fact))
    rows.sort(key=lambda row: (order[row[0]], row[1]))
    return build_graph(fact for _, _, fact in rows)
