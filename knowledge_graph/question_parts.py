"""The parts of a customer's message that the graph has nothing on.

"Where are they located? Do they serve alcohol?" of a restaurant whose graph records its
address but nothing about alcohol: the first sentence is answered, the second must not be
passed over in silence. A part is a sentence of the message that asks something and links
to nothing of the graph beyond the things already asked about (no attribute, value, kind
or limit), while naming something with a word the graph does not know.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from knowledge_graph.claims import split_sentences
from knowledge_graph.index import graph_index
from knowledge_graph.questions import analyse_question, is_request

__all__ = ["UnlinkedPart", "unlinked_parts"]

# Words that ask, point or fill, not what is asked about.
_FUNCTION_WORDS = frozenset(
    {
        *("what", "which", "where", "when", "who", "whom", "whose", "why", "how", "much"),
        *("many", "does", "have", "they", "them", "their", "there", "this", "that", "these"),
        *("those", "with", "from", "into", "about", "your", "yours", "please", "could"),
        *("would", "should", "will", "also", "tell", "know", "like", "want", "need", "some"),
        *("any", "anything", "something", "place", "still", "just", "really", "here"),
        *("more", "else", "other", "them", "then", "than", "very", "well", "okay", "sure"),
        *("the", "you", "are", "can", "has", "had", "get", "for", "and", "how", "who", "why"),
        *("our", "its", "was", "did", "may", "let", "out", "all", "one", "too", "not", "but"),
        *("got", "see", "hey", "yes", "any", "way", "use", "ask", "say", "bit", "lot"),
        *("right", "true", "correct", "wrong", "just", "sorry", "thanks", "thank", "great"),
    }
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
# "I need a hotel in Chicago for 2 nights, any with a pool?": a clause after a comma asks
# on its own.
_CLAUSE_BREAK = re.compile(
    r"[,;]\s+(?=(?:any|and|also|do|does|is|are|can|could|what|how|where|when|which|who|"
    r"will|would|plus)\b)",
    re.IGNORECASE,
)
_SUBORDINATE = re.compile(
    r"^\s*(?:if|when|whenever|after|before|since|because|although|though|once|while|unless|"
    r"in case|as soon as)\b",
    re.IGNORECASE,
)


def _clauses(sentence: str) -> list[str]:
    """A sentence, or its clauses where a comma starts another question ("…, any with a
    pool?"); "If the price drops, do I get the difference?" and "Which is lighter, A or
    B?" stay one question."""
    if _SUBORDINATE.match(sentence):
        return [sentence]
    return _CLAUSE_BREAK.split(sentence)


@dataclass(frozen=True, slots=True)
class UnlinkedPart:
    """A sentence of the message (``text``) that the graph has nothing on."""

    text: str
    unknown_words: tuple[str, ...]


def unlinked_parts(
    graph: nx.MultiDiGraph, message: str, *, focus: Sequence[str] = ()
) -> tuple[UnlinkedPart, ...]:
    """The sentences (or clauses) of ``message`` that ask about something the graph does
    not hold.

    Only a message of several sentences or clauses has parts: a message that links to
    nothing as a whole is the plain "I don't know" of the whole answer. ``focus``: the
    things the message is about (what "they" in a part refers to)."""
    pieces = [
        piece.strip()
        for sentence in split_sentences(message)
        for piece in _clauses(sentence.text)
        if piece.strip()
    ]
    if len(pieces) < 2:
        return ()
    index = graph_index(graph)
    parts: list[UnlinkedPart] = []
    for text in pieces:
        if not is_request(text) or not re.search(r"[A-Za-z]", text):
            continue
        q = analyse_question(graph, text, focus=focus)
        if (
            q.predicates
            or q.values
            or q.texts
            or q.types
            or q.groups
            or q.flags
            or q.bounds
            or q.comparison
            or q.count is not None
            or set(q.subjects) - set(focus)
        ):
            continue
        unknown = tuple(
            w
            for w in (m.group(0).casefold() for m in _WORD.finditer(text))
            if w not in _FUNCTION_WORDS and w not in index.known_words
        )
        if unknown:
            parts.append(UnlinkedPart(text, unknown))
    return tuple(parts)
