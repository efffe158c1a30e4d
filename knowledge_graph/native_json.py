"""kefu's native JSON: nodes with their facts in order; edges are explicit (``"node"``)."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from knowledge_graph.exceptions import GraphFormatError
from knowledge_graph.model import Fact, build_graph

FORMAT = "kefu-knowledge-graph"
VERSION = 1


def to_document(graph: nx.MultiDiGraph) -> dict[str, Any]:
    nodes = []
    for node, data in graph.nodes(data=True):
        facts: list[dict[str, str]] = []
        for fact in data["facts"]:
            entry = {"predicate": fact.predicate}
            if fact.edge:
                entry["node"] = fact.object
            else:
                entry["object"] = fact.object
                if fact.unit:
                    entry["unit"] = fact.unit
            facts.append(entry)
        nodes.append({"id": node, "facts": facts})
    return {
        "format": FORMAT,
        "version": VERSION,
        "revision": graph.graph.get("revision"),
        "nodes": nodes,
    }


def from_document(document: Any) -> nx.MultiDiGraph:
    """Build the graph a ``to_document`` dict describes; ``GraphFormatError`` says what is wrong."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise GraphFormatError(f'not a kefu graph document (expected "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise GraphFormatError(
            f"unsupported version {document.get('version')!r}; expected {VERSION}"
        )
    facts: list[Fact] = []
    for position, node in enumerate(document.get("nodes", [])):
        node_id = node.get("id") if isinstance(node, dict) else None
        if not isinstance(node_id, str) or not node_id:
            raise GraphFormatError(f"nodes[{position}] needs a string id")
        for entry in node.get("facts", []):
            predicate = entry.get("predicate")
            if not isinstance(predicate, str) or not predicate:
                raise GraphFormatError(f"node {node_id!r}: a fact without a predicate")
            if "node" in entry:
                facts.append(Fact(node_id, predicate, str(entry["node"]), "", True))
            elif "object" in entry:
                facts.append(
                    Fact(node_id, predicate, str(entry["object"]), str(entry.get("unit", "")))
                )
            else:
                raise GraphFormatError(
                    f"node {node_id!r}: fact {predicate!r} has no object or node"
                )
    revision = document.get("revision")
    return build_graph(facts, revision=revision if isinstance(revision, int) else None)


def dump_json(graph: nx.MultiDiGraph) -> str:
    return json.dumps(to_document(graph), ensure_ascii=False, indent=1)


def parse_json(text: str) -> nx.MultiDiGraph:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise GraphFormatError(f"invalid JSON: {error}") from error
    return from_document(document)
