"""Fact checking: each claim is supported, contradicted or unverifiable, with the facts
that decide it. Pure functions of the graph.

Predicates are closed-world: when the graph states a product's colors, those are all of
them, so "comes in red" is contradicted rather than unverifiable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from knowledge_graph.claims import Claim, ClaimKind, Sentence, extract_claims
from knowledge_graph.counting import members_of
from knowledge_graph.index import CueKind, graph_index
from knowledge_graph.language import detect_language, text_key
from knowledge_graph.model import TYPE, Fact, edge_facts, literal_facts
from knowledge_graph.ranking import ranked, single_value
from knowledge_graph.values import Flag, Literal, Quantity, Text, magnitude, value_matches


class ClaimStatus(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """A claim's verdict and the facts behind it (support or contradiction)."""

    claim: Claim
    status: ClaimStatus
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything ``check`` found in one answer."""

    text: str
    sentences: tuple[Sentence, ...]
    checks: tuple[ClaimCheck, ...]

    @property
    def ok(self) -> bool:
        """No claim contradicts the graph: safe to send as far as the facts go."""
        return not any(c.status is ClaimStatus.CONTRADICTED for c in self.checks)

    def with_status(self, status: ClaimStatus) -> tuple[ClaimCheck, ...]:
        return tuple(c for c in self.checks if c.status is status)

    def in_sentence(self, index: int) -> tuple[ClaimCheck, ...]:
        return tuple(c for c in self.checks if c.claim.sentence == index)

    @property
    def sources(self) -> tuple[Fact, ...]:
        """The facts the supported claims rest on, without repeats, in order."""
        seen: dict[Fact, None] = {}
        for check in self.with_status(ClaimStatus.SUPPORTED):
            for fact in check.facts:
                seen.setdefault(fact, None)
        return tuple(seen)


def check(graph: nx.MultiDiGraph, text: str, *, context: Sequence[str] = ()) -> CheckReport:
    """Extract every claim in ``text`` and verify it against ``graph``.

    Pass the question's linked node ids as ``context`` so pronouns resolve. Then repair
    contradicted claims with ``repair`` before sending anything.
    """
    sentences, claims = extract_claims(graph, text, context=context)
    return CheckReport(text, tuple(sentences), tuple(verify(graph, claim) for claim in claims))


def supporting_facts(graph: nx.MultiDiGraph, claim: Claim) -> tuple[Fact, ...]:
    """The facts that entail ``claim``; empty when the graph does not support it."""
    result = verify(graph, claim)
    return result.facts if result.status is ClaimStatus.SUPPORTED else ()


def verify(graph: nx.MultiDiGraph, claim: Claim) -> ClaimCheck:
    """The verdict on one claim."""
    if claim.kind is ClaimKind.COUNT:
        return _count(graph, claim)
    if not claim.subjects or not claim.predicates:
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    if claim.kind is ClaimKind.MEMBERSHIP:
        return _membership(graph, claim)
    if claim.kind is ClaimKind.COMPARISON:
        return _comparison(graph, claim)
    if claim.kind is ClaimKind.WINDOW:
        return _window(graph, claim)
    if claim.kind is ClaimKind.TEXT:
        return _text(graph, claim)
    if claim.kind is ClaimKind.SUPERLATIVE:
        return _superlative(graph, claim)
    return _attribute(graph, claim)


def _text(graph: nx.MultiDiGraph, claim: Claim) -> ClaimCheck:
    assert isinstance(claim.value, Text)
    facts = [
        fact
        for subject in claim.subjects
        for predicate in claim.predicates
        for fact, value in literal_facts(graph, subject, predicate)
        if isinstance(value, Text)
    ]
    if not facts:
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    key = text_key(claim.value.value)
    matching = tuple(f for f in facts if text_key(f.object) == key)
    if claim.negated:
        if matching:
            return ClaimCheck(claim, ClaimStatus.CONTRADICTED, matching)
        return ClaimCheck(claim, ClaimStatus.SUPPORTED, tuple(facts))
    if matching:
        return ClaimCheck(claim, ClaimStatus.SUPPORTED, matching[:1])
    return ClaimCheck(claim, ClaimStatus.CONTRADICTED, tuple(facts))


def superlative_group(graph: nx.MultiDiGraph, subject: str, group: str | None) -> tuple[str, ...]:
    """What a superlative about ``subject`` ranks it among: the members of ``group`` (a
    category node), else every node of the subject's first type."""
    if group is not None:
        known = graph_index(graph).classes.get(group)
        return known[1] if known else ()
    types = graph.nodes[subject]["types"]
    if not types:
        return ()
    return tuple(n for n, data in graph.nodes(data=True) if types[0] in data["types"])


def _superlative(graph: nx.MultiDiGraph, claim: Claim) -> ClaimCheck:
    subject, predicate = claim.subjects[0], claim.predicates[0]
    group = claim.value if isinstance(claim.value, str) else None
    order = ranked(graph, superlative_group(graph, subject, group), predicate)
    if len(order) < 2 or subject not in {node for _, node, _ in order} or claim.relation is None:
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    best = order[0][0] if claim.relation.downward else order[-1][0]
    mine = next(amount for amount, node, _ in order if node == subject)
    holds = (mine == best) != claim.negated
    status = ClaimStatus.SUPPORTED if holds else ClaimStatus.CONTRADICTED
    return ClaimCheck(claim, status, tuple(fact for _, _, fact in order))


def _count(graph: nx.MultiDiGraph, claim: Claim) -> ClaimCheck:
    """ "We have 2 oolong teas: A and B": as many things as "which oolong teas?" selects,
    and every thing named among them. The facts cited are the members' types."""
    members = members_of(graph, claim.text, detect_language(claim.text))
    if members is None or not isinstance(claim.value, Quantity):
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    holds = claim.value.low == len(members) and set(claim.subjects) <= set(members)
    typed = tuple(
        Fact(node, TYPE, graph.nodes[node]["types"][0])
        for node in members
        if graph.nodes[node]["types"]
    )
    return ClaimCheck(claim, ClaimStatus.SUPPORTED if holds else ClaimStatus.CONTRADICTED, typed)


def _attribute(graph: nx.MultiDiGraph, claim: Claim) -> ClaimCheck:
    assert isinstance(claim.value, Quantity | Flag)
    candidates = [
        (fact, value)
        for subject in claim.subjects
        for predicate in claim.predicates
        for fact, value in literal_facts(graph, subject, predicate)
    ]
    if not candidates:
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    matching = tuple(f for f, v in candidates if value_matches(v, claim.value, claim.qualifier))
    everything = tuple(f for f, _ in candidates)
    if claim.negated:
        if matching:
            return ClaimCheck(claim, ClaimStatus.CONTRADICTED, matching)
        return ClaimCheck(claim, ClaimStatus.SUPPORTED, everything)
    if matching:
        return ClaimCheck(claim, ClaimStatus.SUPPORTED, matching)
    return ClaimCheck(claim, ClaimStatus.CONTRADICTED, everything)


def _membership(graph: nx.MultiDiGraph, claim: Claim) -> ClaimCheck:
    facts = [f for s in claim.subjects for p in claim.predicates for f in edge_facts(graph, s, p)]
    if not facts:
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    member = tuple(f for f in facts if f.object == claim.value)
    if claim.negated:
        if member:
            return ClaimCheck(claim, ClaimStatus.CONTRADICTED, member)
        return ClaimCheck(claim, ClaimStatus.SUPPORTED, tuple(facts))
    if member:
        return ClaimCheck(claim, ClaimStatus.SUPPORTED, member[:1])
    return ClaimCheck(claim, ClaimStatus.CONTRADICTED, tuple(facts))


def _comparison(graph: nx.MultiDiGraph, claim: Claim) -> ClaimCheck:
    predicate = claim.predicates[0]
    first = single_value(graph, claim.subjects[0], predicate)
    second = single_value(graph, claim.other, predicate) if claim.other else None
    if first is None or second is None:
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    holds = comparison_holds(first[1], second[1], claim)
    if holds is None:
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    status = ClaimStatus.SUPPORTED if holds else ClaimStatus.CONTRADICTED
    return ClaimCheck(claim, status, (first[0], second[0]))


def comparison_holds(first: Literal, second: Literal, claim: Claim) -> bool | None:
    """Whether ``first <relation> second`` (and the stated difference) is true; None if
    the two values cannot be ordered."""
    a, b = magnitude(first), magnitude(second)
    if a is None or b is None:
        return None
    holds = a < b if claim.relation is CueKind.LESS else a > b
    if claim.negated:
        holds = not holds
    if (
        holds
        and claim.difference is not None
        and isinstance(first, Quantity)
        and isinstance(second, Quantity)
    ):
        gap = abs(first.in_base()[0] - second.in_base()[0])
        if first.info.family != claim.difference.info.family:
            return False
        holds = gap == claim.difference.in_base()[0]
    return holds


def _window(graph: nx.MultiDiGraph, claim: Claim) -> ClaimCheck:
    windows = [
        (fact, value)
        for s in claim.subjects
        for p in claim.predicates
        for fact, value in literal_facts(graph, s, p)
        if isinstance(value, Quantity)
    ]
    if not windows or claim.elapsed is None or not isinstance(claim.value, Flag):
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    fact, window = windows[0]
    inside = window_contains(window, claim.elapsed)
    if inside is None:
        return ClaimCheck(claim, ClaimStatus.UNVERIFIABLE)
    status = ClaimStatus.SUPPORTED if inside == claim.value.value else ClaimStatus.CONTRADICTED
    return ClaimCheck(claim, status, (fact,))


def window_contains(window: Quantity, elapsed: Quantity) -> bool | None:
    """Whether ``elapsed`` time is still inside ``window`` (the last day counts)."""
    if window.info.family == elapsed.info.family:
        return elapsed.in_base()[1] <= window.in_base()[1]
    w, e = window.approx_days(), elapsed.approx_days()
    if w is None or e is None:
        return None
    return e[1] <= w[1]


def entails(facts: Sequence[Fact], claim: Claim) -> bool:
    """Whether ``facts`` alone (closed world for their predicates) make ``claim`` true.

    An independent checker for ``verify``: it never looks at the graph.
    """
    if not facts:
        return False
    if claim.kind is ClaimKind.COUNT:
        # The cited facts are the members' types: as many as said, the named among them.
        members = {f.subject for f in facts}
        return (
            isinstance(claim.value, Quantity)
            and claim.value.low == len(members)
            and set(claim.subjects) <= members
        )
    if claim.kind is ClaimKind.SUPERLATIVE:
        # The cited facts are the group: the subject's value must top them.
        if claim.relation is None or any(f.predicate not in claim.predicates for f in facts):
            return False
        values = [(magnitude(f.value), f.subject) for f in facts]
        if any(v is None for v, _ in values):
            return False
        mine = [v for v, node in values if node in claim.subjects]
        amounts = [v for v, _ in values if v is not None]
        best = min(amounts) if claim.relation.downward else max(amounts)
        return bool(mine) and len(values) >= 2 and ((mine[0] == best) != claim.negated)
    relevant = [f for f in facts if f.subject in claim.subjects or f.subject == claim.other]
    if len(relevant) != len(facts) or any(f.predicate not in claim.predicates for f in facts):
        return False
    if claim.kind is ClaimKind.MEMBERSHIP:
        present = any(f.edge and f.object == claim.value for f in facts)
        return (not present) if claim.negated else present
    if claim.kind is ClaimKind.COMPARISON:
        first = [f for f in facts if f.subject == claim.subjects[0]]
        second = [f for f in facts if f.subject == claim.other]
        if len(first) != 1 or len(second) != 1:
            return False
        return comparison_holds(first[0].value, second[0].value, claim) is True
    if claim.kind is ClaimKind.TEXT:
        if not isinstance(claim.value, Text):
            return False
        key = text_key(claim.value.value)
        present = any(not f.edge and text_key(f.object) == key for f in facts)
        return (not present) if claim.negated else present
    if claim.kind is ClaimKind.WINDOW:
        window = facts[0].value
        if (
            not isinstance(window, Quantity)
            or claim.elapsed is None
            or not isinstance(claim.value, Flag)
        ):
            return False
        return window_contains(window, claim.elapsed) == claim.value.value
    if not isinstance(claim.value, Quantity | Flag):
        return False
    matches = [value_matches(f.value, claim.value, claim.qualifier) for f in facts]
    return (not any(matches)) if claim.negated else any(matches)


__all__ = [
    "CheckReport",
    "ClaimCheck",
    "ClaimStatus",
    "check",
    "comparison_holds",
    "entails",
    "supporting_facts",
    "verify",
    "window_contains",
]
