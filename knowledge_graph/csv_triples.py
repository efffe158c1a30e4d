"""CSV triples: header ``subject,predicate,object,unit``, one fact a row (ARCHITECTURE.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import networkx as nx

from knowledge_graph.exceptions import GraphFormatError
from knowledge_graph.model import Fact, build_graph, facts_from_rows, graph_facts

HEADER = ("subject", "predicate", "object", "unit")


def read_rows(text: str) -> list[tuple[str, str, str, str]]:
    """The rows of one CSV-triples text, header checked; blank lines skipped."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip().lstrip("\ufeff") for h in header) != HEADER:
        raise GraphFormatError(f"the first row must be {','.join(HEADER)}, got {header}")
    rows: list[tuple[str, str, str, str]] = []
    for number, row in enumerate(reader, start=2):
        if not row or all(not field.strip() for field in row):
            continue
        if len(row) == 3:
            row = [*row, ""]
        if len(row) != 4:
            raise GraphFormatError(f"line {number}: expected 4 fields, got {len(row)}")
        rows.append((row[0], row[1], row[2], row[3]))
    return rows


def parse_csv(*texts: str, revision: int | None = None) -> nx.MultiDiGraph:
    """One graph from one or more CSV-triples texts (the node-id rule spans all of them)."""
    rows = [row for text in texts for row in read_rows(text)]
    return build_graph(facts_from_rows(rows), revision=revision)


def dump_csv(graph: nx.MultiDiGraph) -> str:
    """The graph as CSV-triples text; ``parse_csv(dump_csv(G))`` equals ``G``."""
    return dump_facts(graph_facts(graph))


def dump_facts(facts: Iterable[Fact]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for fact in facts:
        writer.writerow(fact.as_row())
    return out.getvalue()
