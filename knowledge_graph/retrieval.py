"""Retrieval: the facts a question needs, ranked and bounded. Pure functions of the graph."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from knowledge_graph.index import CueKind, graph_index
from knowledge_graph.language import detect_language
from knowledge_graph.linking import Mention, link
from knowledge_graph.model import RESERVED, Fact
from knowledge_graph.quantities import find_quantities
from knowledge_graph.values import Quantity

_POLAR_EN = re.compile(
    r"^\s*(?:so\s+|and\s+|but\s+)?(?:is|are|does|do|can|could|will|has|have|was|were|did|may|should|would|am)\b",
    re.IGNORECASE,
)
_POLAR_ZH = re.compile(r"吗[?？]?\s*$|是否|能不能|可不可以|有没有|是不是|会不会|行不行|可以吗")


@dataclass(frozen=True, slots=True)
class Question:
    """What a question is about, as far as the graph can tell."""

    text: str
    lang: str
    mentions: tuple[Mention, ...]
    subjects: tuple[str, ...]  # things asked about (products, policies), best first
    values: tuple[str, ...]  # values named in the question (colors, statuses, ...)
    predicates: tuple[str, ...]  # attributes asked about, from cue words
    comparison: tuple[str, CueKind] | None  # "which is lighter": (weight, LESS)
    elapsed: Quantity | None  # "delivered 45 days ago"
    polar: bool  # a yes/no question


def analyse_question(
    graph: nx.MultiDiGraph, text: str, linked: Sequence[Mention] | None = None
) -> Question:
    """Link and read ``text``; pass ``linked`` when you already ran ``link`` on it."""
    index = graph_index(graph)
    mentions = tuple(link(graph, text) if linked is None else linked)
    cues = index.cues.scan(text)
    mentions = tuple(
        m
        for m in mentions
        if not any(
            c.start <= m.start and m.end <= c.end and (c.end - c.start) > (m.end - m.start)
            for c in cues
        )
    )
    subjects: dict[str, float] = {}
    values: dict[str, None] = {}
    for mention in mentions:
        for candidate in mention.candidates:
            if candidate.node in index.value_nodes and not _owns_facts(graph, candidate.node):
                values.setdefault(candidate.node, None)
            else:
                subjects[candidate.node] = max(subjects.get(candidate.node, 0.0), candidate.score)
    predicates: dict[str, None] = {}
    comparison: tuple[str, CueKind] | None = None
    for hit in cues:
        for entry in hit.entries:
            kind = CueKind(entry.kind)
            predicates.setdefault(entry.target, None)
            if kind is not CueKind.ATTRIBUTE and comparison is None:
                comparison = (entry.target, kind)
    for value in values:
        types = set(graph.nodes[value]["types"])
        for predicate, targets in index.target_types.items():
            if targets & types:
                predicates.setdefault(predicate, None)
    elapsed = next((q.quantity for q in find_quantities(text) if q.elapsed), None)
    lang = detect_language(text)
    # The last sentence carries the question ("It came 10 days ago. Can I return it?").
    parts = [p for p in re.split(r"(?<=[.!?。！？])\s*", text.strip()) if p.strip()]
    last = parts[-1] if parts else text
    polar = bool(_POLAR_ZH.search(last)) if lang == "zh" else bool(_POLAR_EN.match(last))
    ranked = tuple(sorted(subjects, key=lambda n: -subjects[n]))
    return Question(
        text, lang, mentions, ranked, tuple(values), tuple(predicates), comparison, elapsed, polar
    )


def _owns_facts(graph: nx.MultiDiGraph, node: str) -> bool:
    """Whether a node says more than its own names (a category with policies about it)."""
    return any(f.predicate not in RESERVED for f in graph.nodes[node]["facts"])


def retrieve(
    graph: nx.MultiDiGraph,
    question: str | Question,
    linked: Sequence[Mention] | None = None,
    *,
    max_facts: int = 12,
) -> list[Fact]:
    """The facts needed to answer ``question``, most relevant first, at most ``max_facts``.

    Facts about the asked attributes of the linked things come first; for values named
    without an owner ("which products come in red?") the edges into them are used.
    """
    q = question if isinstance(question, Question) else analyse_question(graph, question, linked)
    index = graph_index(graph)
    asked = set(q.predicates)
    scores: dict[Fact, float] = {}

    def offer(fact: Fact, score: float) -> None:
        if score > scores.get(fact, 0.0):
            scores[fact] = score

    weights = {node: 1.0 / (1 + rank * 0.15) for rank, node in enumerate(q.subjects)}
    for node in q.subjects:
        facts = [f for f in graph.nodes[node]["facts"] if f.predicate not in RESERVED]
        has_asked = any(f.predicate in asked for f in facts)
        for fact in facts:
            score = weights[node]
            if fact.predicate in asked:
                score *= 3.0
            elif has_asked:
                score *= 0.3
            if fact.edge and fact.object in q.values:
                score *= 2.0
            if q.elapsed is not None and "window" in index.attribute(fact.predicate).semantics:
                score *= 3.0
            offer(fact, score)
        for _, _, data in graph.in_edges(node, data=True):
            offer(data["fact"], 0.4 * weights[node])
    if not q.subjects:
        for value in q.values:
            for _, _, data in graph.in_edges(value, data=True):
                fact = data["fact"]
                offer(fact, 1.0 if fact.predicate in asked else 0.5)
        for predicate in q.predicates:
            owners = index.owners.get(predicate, [])
            if len(owners) == 1:
                for fact in graph.nodes[owners[0]]["facts"]:
                    if fact.predicate not in RESERVED:
                        offer(fact, 2.0 if fact.predicate == predicate else 0.5)
    order = {fact: i for i, fact in enumerate(scores)}
    ranked = sorted(scores, key=lambda f: (-scores[f], order[f]))
    return ranked[:max_facts]
