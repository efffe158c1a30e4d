"""Bulk import: read a CSV-triples or native JSON file, plan what it changes, and bind the
preview to the graph it was made against.

Two modes. ``merge`` (the default): every node in the file gets exactly the file's facts,
other nodes are kept; a CSV object equal to the id of a node in the file *or in the
graph* is an edge, so a file of new products may point at existing categories.
``replace``: the graph becomes the file (nodes missing from it are deleted).

The preview token is ``<revision>.<digest of format, mode and file>``: applying sends the
file and the token again, and is refused when the graph moved on since the preview
(``StalePreviewError``) or the file is not the one previewed. Nothing is kept on the
server between the two calls, so any replica can apply a preview made on another.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum
from typing import Any

import networkx as nx

from app.admin.drafts import Draft, apply_edits
from app.admin.exceptions import PreviewMismatchError
from knowledge_graph import Fact, GraphFormatError, build_graph
from knowledge_graph.csv_triples import read_rows
from knowledge_graph.model import RESERVED, facts_from_rows
from knowledge_graph.native_json import FORMAT, VERSION
from knowledge_graph.persistence import NodeEdit
from knowledge_graph.schema import graph_schema


class ImportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class ImportMode(StrEnum):
    MERGE = "merge"
    REPLACE = "replace"


def read_upload(text: str, fmt: ImportFormat, *, known_nodes: Collection[str] = ()) -> list[Fact]:
    """The file's facts in order; raises ``GraphFormatError`` saying which row is wrong."""
    if fmt is ImportFormat.CSV:
        facts = facts_from_rows(read_rows(text))
        known = set(known_nodes)
        return [
            Fact(f.subject, f.predicate, f.object, "", True)
            if not f.edge and f.predicate not in RESERVED and f.object in known
            else f
            for f in facts
        ]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise GraphFormatError(f"invalid JSON: {error}") from error
    return document_facts(document)


def document_facts(document: Any) -> list[Fact]:
    """The facts of a native JSON document, without building a graph from them alone.

    ``knowledge_graph.parse_json`` builds the graph and so refuses edges to nodes outside
    the file; a merge import needs exactly those, hence this reading of the same format.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise GraphFormatError(f'not a kefu graph document (expected "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise GraphFormatError(
            f"unsupported version {document.get('version')!r}; expected {VERSION}"
        )
    nodes = document.get("nodes", [])
    if not isinstance(nodes, list):
        raise GraphFormatError('"nodes" must be a list')
    facts: list[Fact] = []
    for position, node in enumerate(nodes):
        node_id = node.get("id") if isinstance(node, dict) else None
        if not isinstance(node_id, str) or not node_id:
            raise GraphFormatError(f"nodes[{position}] needs a string id")
        for entry in node.get("facts", []):
            predicate = entry.get("predicate") if isinstance(entry, dict) else None
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
    return facts


def plan_import(
    graph: nx.MultiDiGraph,
    incoming: Sequence[Fact],
    mode: ImportMode,
    *,
    versions: Mapping[str, int],
) -> Draft:
    """The edits that make the graph hold the file (checked like any edit).

    ``versions``: the nodes' current versions, sent with the edits so that a node saved
    by someone else in the meantime is a conflict, not overwritten.
    """
    per_node: dict[str, list[Fact]] = {}
    for fact in incoming:
        per_node.setdefault(fact.subject, []).append(fact)
    edits = [
        NodeEdit(node, versions.get(node, 0), tuple(facts), replace=True)
        for node, facts in per_node.items()
    ]
    if mode is ImportMode.REPLACE:
        edits += [
            NodeEdit(node, versions.get(node, 0), (), replace=True)
            for node in graph.nodes
            if node not in per_node
        ]
        # The file is the whole graph: its own values say what each predicate takes.
        try:
            schema = graph_schema(build_graph(incoming))
        except GraphFormatError:
            schema = graph_schema(graph)
    else:
        schema = graph_schema(graph)
    return apply_edits(graph, edits, schema=schema, build=False)


def content_digest(text: str, fmt: ImportFormat, mode: ImportMode) -> str:
    return hashlib.sha256(f"{fmt.value}\n{mode.value}\n{text}".encode()).hexdigest()[:32]


def preview_token(revision: int | None, text: str, fmt: ImportFormat, mode: ImportMode) -> str:
    """Binds a preview to the revision it was made against and to the file."""
    return f"{revision or 0}.{content_digest(text, fmt, mode)}"


def check_token(token: str, text: str, fmt: ImportFormat, mode: ImportMode) -> int:
    """The revision the preview was made against; ``PreviewMismatchError`` when the token
    is malformed or the file (format, mode) is not the one previewed."""
    base, _, digest = token.partition(".")
    if not base.isdigit() or not digest:
        raise PreviewMismatchError("malformed preview token; preview the file first")
    if digest != content_digest(text, fmt, mode):
        raise PreviewMismatchError(
            "this file (or its format or mode) is not the one previewed; preview it again"
        )
    return int(base)
