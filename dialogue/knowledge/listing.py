"""The list a conversation is going through: "hotels in Toronto?" answered with the first
four of ten, then "something else you can find?" (the next ones), or "I'd like a three star
hotel." then "look for one in San Diego." (the same question, narrowed).

What is remembered is the set question's own words and the things already shown (two
slots, ``set_question`` and ``set_shown``, where the domain declares them); the set is read
again from the live graph each time, so an edit in between is seen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from dialogue.answering import SET_QUESTION_SLOT, SET_SHOWN_SLOT
from knowledge_graph.language import fold
from knowledge_graph.model import display_name
from knowledge_graph.questions import Question, QuestionKind, analyse_question
from knowledge_graph.selection import select

__all__ = [
    "SET_QUESTION_SLOT",
    "SET_SHOWN_SLOT",
    "Continuation",
    "asks_for_more",
    "continuation",
    "shown_members",
]


_MORE_EN = re.compile(
    r"\b(?:(?:something|anything|anyone|anybody|someone|somewhere|any ?place|what) else"
    r"|any (?:other|more)(?: (?:ones?|options?|places?|choices?))?"
    r"|(?:some|other|more|different) (?:ones|options|choices|places|suggestions|results)"
    r"|another (?:one|option|place|choice)|show me more|(?:are there )?(?:any )?others"
    r"|more like (?:this|that))\b",
    re.IGNORECASE,
)
_MORE_ZH = re.compile(r"还有(?:别的|其他|其它|吗|没有)|别的|其他的|其它的|换一个|换一家|再推荐")
# "Is it smoke free?" is about the thing in focus, not a narrower list ("one" is not
# pointing back: "look for one in SD").
_POINTING_BACK = re.compile(
    r"\b(?:it|its|it's|they|them|their|this|that|these|those)\b|它|这个|那个|这家|那家",
    re.IGNORECASE,
)


def asks_for_more(text: str) -> bool:
    """ "Something else you can find?", "can you find anyone else?", "还有别的吗？"."""
    return bool(_MORE_EN.search(text) or _MORE_ZH.search(text))


@dataclass(frozen=True, slots=True)
class Continuation:
    """The set question a message continues: ``question`` to read, ``skip`` the things
    already shown (asked for more) or () (narrowed: a new list)."""

    question: str
    skip: tuple[str, ...]


def continuation(
    graph: nx.MultiDiGraph, text: str, slots: Mapping[str, Any]
) -> Continuation | None:
    """How ``text`` continues the remembered set question, or None when it does not."""
    previous = slots.get(SET_QUESTION_SLOT)
    if not isinstance(previous, str) or not previous.strip():
        return None
    q = analyse_question(graph, text)
    if q.subjects or (q.predicates and q.kind is not QuestionKind.FILTER):
        return None
    if asks_for_more(text) and not _narrows(q):
        shown = slots.get(SET_SHOWN_SLOT) or []
        return Continuation(previous, tuple(str(s) for s in shown))
    if _narrows(q) and not q.types and not _POINTING_BACK.search(text):
        combined = f"{previous.rstrip(' .?!。？！')}. {text}"
        if analyse_question(graph, combined).kind is QuestionKind.FILTER:
            return Continuation(combined, ())
    return None


def _narrows(q: Question) -> bool:
    return bool(q.texts or q.values or q.bounds or q.flags or q.groups)


def shown_members(
    graph: nx.MultiDiGraph, question: str, answer: str, lang: str, skip: Sequence[str] = ()
) -> tuple[str, ...] | None:
    """The members of ``question``'s set that ``answer`` names (with those of ``skip``,
    shown before), when ``question`` is a set question of several things; else None."""
    q = analyse_question(graph, question)
    if q.kind is not QuestionKind.FILTER:
        return None
    members = select(graph, q).members
    if len(members) < 2:
        return None
    said = fold(answer)
    named = [m for m in members if fold(display_name(graph, m, lang)) in said]
    if not named:
        return None
    return tuple(dict.fromkeys([*skip, *named]))
