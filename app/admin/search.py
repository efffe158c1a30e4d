"""Finding nodes by name, alias or id, in any language.

Substring matching on the library's match key (case, width, spaces and hyphens ignored,
so "aurora-x2", "AURORA X2" and "极光 X2" all match), plus the entity linker for what
substrings miss: generated short names and one-edit typos ("Aurura X2"). Pure functions
of a frozen graph; the label list is cached per graph.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection
from dataclasses import dataclass

import networkx as nx

from knowledge_graph import display_name, link
from knowledge_graph.language import match_key

_NAME, _ALIAS, _ID = 1.0, 0.95, 0.9
_PREFIX, _INFIX = 0.85, 0.7
_LINKED = 0.8


@dataclass(frozen=True, slots=True)
class NodeHit:
    """A node that matches: ``matched`` is the label (or id) that did, in ``lang``."""

    node: str
    name: str
    types: tuple[str, ...]
    matched: str
    lang: str
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.node,
            "name": self.name,
            "types": list(self.types),
            "matched": self.matched,
            "lang": self.lang,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True, slots=True)
class _Label:
    node: str
    key: str
    text: str
    lang: str
    weight: float


_LABELS: weakref.WeakKeyDictionary[nx.MultiDiGraph, tuple[_Label, ...]] = (
    weakref.WeakKeyDictionary()
)


def _labels(graph: nx.MultiDiGraph) -> tuple[_Label, ...]:
    cached = _LABELS.get(graph) if nx.is_frozen(graph) else None
    if cached is not None:
        return cached
    labels: list[_Label] = []
    for node, data in graph.nodes(data=True):
        labels.append(_Label(node, match_key(node), node, "", _ID))
        for label in data["labels"]:
            weight = _NAME if label.is_name else _ALIAS
            labels.append(_Label(node, match_key(label.text), label.text, label.lang, weight))
    built = tuple(labels)
    if nx.is_frozen(graph):
        _LABELS[graph] = built
    return built


def search_nodes(
    graph: nx.MultiDiGraph,
    query: str,
    *,
    limit: int = 20,
    types: Collection[str] | None = None,
) -> list[NodeHit]:
    """The best ``limit`` nodes for ``query``, best first; an empty query lists nodes by
    type and name (browse). ``types`` keeps nodes of those types only."""
    wanted = set(types) if types else None

    def allowed(node: str) -> bool:
        return wanted is None or bool(wanted & set(graph.nodes[node]["types"]))

    key = match_key(query)
    best: dict[str, tuple[float, str, str]] = {}

    def offer(node: str, score: float, text: str, lang: str) -> None:
        if allowed(node) and score > best.get(node, (0.0, "", ""))[0]:
            best[node] = (score, text, lang)

    if not key:
        nodes = sorted(
            (n for n in graph.nodes if allowed(n)),
            key=lambda n: (graph.nodes[n]["types"][:1], display_name(graph, n).casefold()),
        )
        return [_hit(graph, n, 0.0, n, "") for n in nodes[:limit]]
    for label in _labels(graph):
        if label.key == key:
            offer(label.node, label.weight, label.text, label.lang)
        elif label.key.startswith(key):
            offer(label.node, label.weight * _PREFIX, label.text, label.lang)
        elif key in label.key:
            offer(label.node, label.weight * _INFIX, label.text, label.lang)
    for mention in link(graph, query):
        # A mention that is most of the query is as good as a prefix; a word inside a
        # longer query counts less.
        coverage = len(match_key(mention.text)) / len(key)
        for candidate in mention.candidates:
            score = candidate.score * (_LINKED if coverage >= 0.6 else _LINKED / 2)
            offer(candidate.node, score, mention.text, "")
    ranked = sorted(
        best.items(),
        key=lambda item: (-item[1][0], len(display_name(graph, item[0])), item[0]),
    )
    return [_hit(graph, node, score, text, lang) for node, (score, text, lang) in ranked[:limit]]


def _hit(graph: nx.MultiDiGraph, node: str, score: float, text: str, lang: str) -> NodeHit:
    return NodeHit(
        node, display_name(graph, node), tuple(graph.nodes[node]["types"]), text, lang, score
    )
