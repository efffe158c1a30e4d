"""What the editor shows of a node: its facts sorted into labels, typed attributes and
edges (both ways), and its neighbourhood as graph elements for the drawing. Pure
functions of a frozen graph."""

from __future__ import annotations

from collections import deque
from typing import Any

import networkx as nx

from app.admin.exceptions import NodeNotFoundError
from knowledge_graph import display_name, node_facts
from knowledge_graph.model import ALIAS, ATTRIBUTE_TYPE, NAME, TYPE
from knowledge_graph.schema import GraphSchema, ValueKind

# Units that say how to read a value rather than what it measures; not shown on leaves.
_SILENT_UNITS = frozenset({"date", "time", "bool"})


def _section(fact_predicate: str, edge: bool) -> str:
    if fact_predicate == TYPE:
        return "type"
    if fact_predicate in (NAME, ALIAS):
        return "label"
    return "edge" if edge else "attribute"


def node_view(
    graph: nx.MultiDiGraph,
    node: str,
    *,
    version: int,
    schema: GraphSchema,
) -> dict[str, Any]:
    """The node page's data; ``version`` goes back with the edit (``expected_version``)."""
    if node not in graph:
        raise NodeNotFoundError(node)
    types = tuple(graph.nodes[node]["types"])
    is_attribute = ATTRIBUTE_TYPE in types
    facts: list[dict[str, Any]] = []
    for index, fact in enumerate(node_facts(graph, node)):
        section = _section(fact.predicate, fact.edge)
        described = schema.get(fact.predicate)
        kind = described.kind if described is not None else ValueKind.ANY
        if is_attribute and section == "attribute":
            kind = ValueKind.WORDS
        row: dict[str, Any] = {
            "index": index,
            "predicate": fact.predicate,
            "object": fact.object,
            "unit": fact.unit,
            "edge": fact.edge,
            "section": section,
            "kind": kind.value,
            "units": list(described.units) if described is not None else [],
            "label": described.names.get("en", fact.predicate)
            if described is not None
            else fact.predicate,
        }
        if fact.edge:
            row["target_name"] = display_name(graph, fact.object)
            row["target_types"] = list(graph.nodes[fact.object]["types"])
        facts.append(row)
    incoming = [
        {
            "subject": source,
            "subject_name": display_name(graph, source),
            "subject_types": list(graph.nodes[source]["types"]),
            "predicate": predicate,
        }
        for source, _, predicate in graph.in_edges(node, keys=True)
        if source != node
    ]
    return {
        "id": node,
        "name": display_name(graph, node),
        "version": version,
        "revision": graph.graph.get("revision"),
        "types": list(types),
        "is_attribute": is_attribute,
        "facts": facts,
        "incoming": sorted(incoming, key=lambda e: (e["predicate"], e["subject"])),
    }


def neighbourhood(
    graph: nx.MultiDiGraph, node: str, *, depth: int = 1, max_nodes: int = 80
) -> dict[str, Any]:
    """Nodes within ``depth`` edges of ``node`` (either direction) and the edges among
    them, plus the node's own literal values as leaves; at most ``max_nodes`` nodes."""
    if node not in graph:
        raise NodeNotFoundError(node)
    is_attribute = ATTRIBUTE_TYPE in graph.nodes[node]["types"]
    seen = {node: 0}
    queue = deque([node])
    truncated = False
    while queue:
        current = queue.popleft()
        if seen[current] >= depth:
            continue
        neighbours = [*graph.successors(current), *graph.predecessors(current)]
        for other in dict.fromkeys(neighbours):
            if other in seen:
                continue
            if len(seen) >= max_nodes:
                truncated = True
                break
            seen[other] = seen[current] + 1
            queue.append(other)
    nodes: list[dict[str, Any]] = [
        {
            "id": n,
            "label": display_name(graph, n),
            "types": list(graph.nodes[n]["types"]),
            "center": n == node,
            "literal": False,
        }
        for n in seen
    ]
    edges = [
        {"id": f"{s}|{p}|{t}", "source": s, "target": t, "predicate": p}
        for s, t, p in graph.edges(list(seen), keys=True)
        if t in seen
    ]
    for index, fact in enumerate(node_facts(graph, node)):
        if fact.edge or fact.predicate in (TYPE, NAME, ALIAS):
            continue
        leaf = f"{node}#value{index}"
        shown = "" if fact.unit in _SILENT_UNITS or is_attribute else fact.unit
        nodes.append(
            {
                "id": leaf,
                "label": f"{fact.object} {shown}".strip(),
                "types": [],
                "center": False,
                "literal": True,
            }
        )
        edges.append(
            {"id": f"{leaf}|edge", "source": node, "target": leaf, "predicate": fact.predicate}
        )
    return {"center": node, "nodes": nodes, "edges": edges, "truncated": truncated}
