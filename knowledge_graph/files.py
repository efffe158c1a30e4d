"""Read and write graph files; the format follows the extension (.csv, .json, .graphml)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from knowledge_graph.csv_triples import dump_csv, parse_csv
from knowledge_graph.exceptions import GraphFormatError
from knowledge_graph.graphml import dump_graphml, parse_graphml
from knowledge_graph.native_json import dump_json, parse_json

SUFFIXES = (".csv", ".json", ".graphml")


def _suffix(path: Path) -> str:
    suffix = path.suffix.casefold()
    if suffix not in SUFFIXES:
        raise GraphFormatError(
            f"{path}: unknown graph format {suffix!r}; use one of {', '.join(SUFFIXES)}"
        )
    return suffix


def load_graph(*paths: str | Path) -> nx.MultiDiGraph:
    """One graph from one file, or from several CSV-triples files read as one."""
    if not paths:
        raise GraphFormatError("no graph file given")
    resolved = [Path(p) for p in paths]
    suffixes = {_suffix(p) for p in resolved}
    if len(resolved) > 1 and suffixes != {".csv"}:
        raise GraphFormatError("only CSV-triples files can be combined into one graph")
    texts = [p.read_text(encoding="utf-8") for p in resolved]
    suffix = suffixes.pop()
    if suffix == ".csv":
        return parse_csv(*texts)
    if suffix == ".json":
        return parse_json(texts[0])
    return parse_graphml(texts[0])


def save_graph(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    target = Path(path)
    suffix = _suffix(target)
    text = {".csv": dump_csv, ".json": dump_json, ".graphml": dump_graphml}[suffix](graph)
    target.write_text(text, encoding="utf-8")
    return target
