"""Retrieval: the facts a question needs, ranked and bounded. Pure functions of the graph."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from knowledge_graph.index import graph_index
from knowledge_graph.linking import Mention
from knowledge_graph.model import RESERVED, Fact, literal_facts
from knowledge_graph.questions import Question, QuestionKind, analyse_question
from knowledge_graph.selection import select, status_facts

__all__ = ["Question", "analyse_question", "retrieve"]

# Things a set answer names at most.
MAX_LISTED = 4


def retrieve(
    graph: nx.MultiDiGraph,
    question: str | Question,
    linked: Sequence[Mention] | None = None,
    *,
    max_facts: int = 12,
    focus: Sequence[str] = (),
) -> list[Fact]:
    """The facts needed to answer ``question``, most relevant first, at most ``max_facts``.

    Facts about the asked attributes of the linked things come first; for values named
    without an owner ("which products come in red?") the edges into them are used.
    """
    q = (
        question
        if isinstance(question, Question)
        else analyse_question(graph, question, linked, focus=focus)
    )
    if q.kind in (QuestionKind.SUPERLATIVE, QuestionKind.RECOMMEND, QuestionKind.FILTER):
        return _set_facts(graph, q)[:max_facts]
    index = graph_index(graph)
    asked = set(q.predicates)
    if q.polar and q.subjects and not asked and not q.buying and not q.values and not q.texts:
        # "Is Rustic Kitchen kid-friendly?" with no such attribute: nothing here answers it.
        return []
    if q.buying:
        asked |= {f.predicate for node in q.subjects for f in status_facts(graph, node)}
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
        # Attributes only one thing has ("the restocking fee") are about that thing; when
        # the attributes asked belong to several things, naming none of them is no answer.
        owners = {o for p in q.predicates for o in index.owners.get(p, [])}
        if len(owners) == 1:
            (owner,) = owners
            for fact in graph.nodes[owner]["facts"]:
                if fact.predicate not in RESERVED:
                    offer(fact, 2.0 if fact.predicate in asked else 0.5)
    order = {fact: i for i, fact in enumerate(scores)}
    ranked = sorted(scores, key=lambda f: (-scores[f], order[f]))
    return ranked[:max_facts]


def _set_facts(graph: nx.MultiDiGraph, q: Question) -> list[Fact]:
    """For a set question: per matching thing (or, when none match, per thing searched)
    the facts it matches by, its ranking value and the attributes asked about."""
    selection = select(graph, q)
    listed = (selection.members or selection.near or selection.scope)[:MAX_LISTED]
    wanted = set(q.predicates)
    if selection.ranking is not None:
        wanted.add(selection.ranking[0])
    for bound in q.bounds:
        # "laptops under 500" when none is: what they do cost.
        wanted.update(bound.predicates)
    if not selection.members:
        wanted.update(p for p, _ in q.texts)
    facts: dict[Fact, None] = {}
    for node in listed:
        for fact in selection.facts.get(node, ()):
            facts.setdefault(fact, None)
        for fact in graph.nodes[node]["facts"]:
            if fact.predicate in wanted and fact.predicate not in RESERVED:
                facts.setdefault(fact, None)
        if q.buying:
            for fact in status_facts(graph, node):
                facts.setdefault(fact, None)
    if selection.ranking is not None:
        for node in selection.scope:
            for fact, _ in literal_facts(graph, node, selection.ranking[0]):
                facts.setdefault(fact, None)
    return list(facts)
