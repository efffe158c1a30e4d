"""Entity linking: mentions in text (any case, aliases, Chinese names, short names, small
typos) to graph nodes with scores. Pure functions of the graph."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import networkx as nx

from knowledge_graph.index import Hit, MatchKind, graph_index

_LATIN_WORD = re.compile(r"[A-Za-z]{5,}")
_FUZZY_PENALTY = 0.85


@dataclass(frozen=True, slots=True)
class Candidate:
    node: str
    score: float
    kind: MatchKind


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the text (``text[start:end]``) and the nodes it may mean, best first."""

    start: int
    end: int
    text: str
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate:
        return self.candidates[0]

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(c.node for c in self.candidates)


def link(
    graph: nx.MultiDiGraph,
    text: str,
    *,
    min_score: float = 0.2,
    types: Collection[str] | None = None,
) -> list[Mention]:
    """Every mention of a node in ``text``, left to right.

    Candidates below ``min_score`` or not of one of ``types`` are left out; a mention
    with several candidates is ambiguous ("Aurora" names two products).
    """
    index = graph_index(graph)
    corrected, offsets, fixed = _correct_typos(text, index.fuzzy_correction, index.known_words)
    hits = index.entities.scan(corrected, offsets if fixed else None)
    mentions: list[Mention] = []
    for hit in hits:
        fuzzy = any(start < hit.end and hit.start < end for start, end in fixed)
        candidates = []
        for entry in hit.entries:
            if types is not None and not set(types) & set(graph.nodes[entry.target]["types"]):
                continue
            score = entry.score * (_FUZZY_PENALTY if fuzzy else 1.0)
            if entry.kind == MatchKind.SHORT and _common_word(text, hit.start, hit.end):
                continue  # "light" in "a light bike" is not the "Lumo Light Set"
            if score >= min_score:
                kind = MatchKind.FUZZY if fuzzy else MatchKind(entry.kind)
                candidates.append(Candidate(entry.target, round(score, 4), kind))
        if candidates:
            best: dict[str, Candidate] = {}
            for candidate in candidates:
                if candidate.node not in best or best[candidate.node].score < candidate.score:
                    best[candidate.node] = candidate
            candidates = list(best.values())
            candidates.sort(key=lambda c: -c.score)
            mentions.append(
                Mention(hit.start, hit.end, text[hit.start : hit.end], tuple(candidates))
            )
    return mentions


def _common_word(text: str, start: int, end: int) -> bool:
    """A lower-case single word: a short name ("Light" of "Lumo Light Set") only counts
    written as a name (capitalised)."""
    surface = text[start:end]
    return surface.isascii() and surface.isalpha() and surface[:1].islower()


def _correct_typos(
    text: str, correct: object, known: set[str]
) -> tuple[str, list[int], list[tuple[int, int]]]:
    """A copy of ``text`` with unknown words replaced by their one-edit vocabulary match."""
    assert callable(correct)
    pieces: list[str] = []
    offsets: list[int] = []
    fixed: list[tuple[int, int]] = []
    cursor = 0
    for match in _LATIN_WORD.finditer(text):
        word = match.group(0)
        if word.casefold() in known:
            continue
        replacement = correct(word)
        if replacement is None:
            continue
        pieces.append(text[cursor : match.start()])
        offsets.extend(range(cursor, match.start()))
        pieces.append(replacement)
        last = match.end() - 1
        offsets.extend(min(match.start() + i, last) for i in range(len(replacement)))
        fixed.append((match.start(), match.end()))
        cursor = match.end()
    if not fixed:
        return text, [], []
    pieces.append(text[cursor:])
    offsets.extend(range(cursor, len(text)))
    return "".join(pieces), offsets, fixed


def surface_forms(graph: nx.MultiDiGraph) -> Mapping[str, tuple[str, str]]:
    """Every unambiguous surface form -> ``(entity type, node id)`` for an entity extractor.

    Entity types are the node's first type in snake case (``Product`` -> ``product``).
    """
    return dict(graph_index(graph).surfaces)


def hits_to_mentions(text: str, hits: list[Hit]) -> list[Mention]:
    """Turn raw trie hits into mentions (used by cue matching)."""
    return [
        Mention(
            h.start,
            h.end,
            text[h.start : h.end],
            tuple(Candidate(e.target, e.score, MatchKind.NAME) for e in h.entries),
        )
        for h in hits
    ]
