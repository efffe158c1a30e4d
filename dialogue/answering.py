"""Knowledge answers for ``action_knowledge_answer``: ``TurnKnowledge``, the protocol the
engine calls with a turn's question, entities and slots (the pipeline that answers a
question from a graph is ``dialogue.knowledge.KnowledgeAnswerer``, one level down).

The knowledge-graph + language-model pipeline implements it
(:class:`dialogue.knowledge.conversation.ConversationKnowledge`), in production and in
``kefu shell`` / ``kefu test stories`` alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "SET_QUESTION_SLOT",
    "SET_SHOWN_SLOT",
    "FactSource",
    "KnowledgeReply",
    "QuestionScope",
    "TurnKnowledge",
]


# Slots that keep the list a conversation is going through (where the domain declares
# them): the set question's words and the things shown so far.
SET_QUESTION_SLOT = "set_question"
SET_SHOWN_SLOT = "set_shown"


@dataclass(frozen=True)
class KnowledgeReply:
    """An answer; ``fell_back`` True when there was nothing to answer from: the engine
    then asks which one is meant when ``ask_which`` (the question asks about something it
    does not name: "how much is it?" with nothing in focus), else says plainly that it
    does not know and offers a person. ``sources`` are the facts used, ``claims`` the checked
    sentences (``{"text", "status", "facts"}``). ``draft`` is what the model wrote before
    checking, ``caught`` the draft's claims that the graph did not support
    (contradicted or unverifiable) and ``repairs`` what was done about them
    (``{"kind", "before", "after"}``): the record agents and metrics see."""

    text: str
    sources: tuple[Mapping[str, Any], ...] = ()
    claims: tuple[Mapping[str, Any], ...] = ()
    fell_back: bool = False
    ask_which: bool = False
    draft: str | None = None
    # The graph nodes the conversation is about after this answer (the things named, else
    # the answer's subjects): in focus for the next turn ("how much is it?").
    focus: tuple[str, ...] = ()
    caught: tuple[Mapping[str, Any], ...] = ()
    repairs: tuple[Mapping[str, Any], ...] = ()
    # A list answer: the set question it answered and the things shown so far, for
    # "something else?" (``dialogue.knowledge.listing``); None for any other answer.
    listing: tuple[str, tuple[str, ...]] | None = None
    # Seconds spent writing (``generation``) and checking (``checking``) the answer.
    timings: Mapping[str, float] = field(default_factory=dict)


class TurnKnowledge(Protocol):
    async def answer(
        self,
        question: str,
        *,
        entities: Sequence[Mapping[str, Any]],
        slots: Mapping[str, Any],
        language: str,
        intent: str | None = None,
    ) -> KnowledgeReply:
        """Answer ``question`` in ``language`` ("en" or "zh"); never raise for "don't know":
        return ``fell_back=True`` instead."""
        ...


@runtime_checkable
class FactSource(Protocol):
    """A knowledge answerer that can also say one fact, for ``{kg:NODE:PREDICATE}``
    placeholders in responses."""

    def render_fact(self, node: str, predicate: str, language: str) -> str | None:
        """The value(s) of ``predicate`` on ``node`` as said in ``language``, or None."""
        ...


@runtime_checkable
class QuestionScope(Protocol):
    """A knowledge answerer that can tell, cheaply and without answering, whether a
    message asks something its graph holds: the engine then answers a message the NLU
    was unsure of instead of asking the customer to rephrase."""

    def covers(
        self, question: str, *, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> bool:
        """True when ``question`` names something the graph knows (a product, a policy,
        a group or value, or the thing in focus) and asks about it (an attribute, a list,
        a ranking or a comparison), or asks a yes/no question about a thing it names."""
        ...

    def asked_attributes(
        self, question: str, *, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> tuple[str, ...]:
        """The graph's predicates ``question`` asks about (empty when it names none)."""
        ...

    def asks_of_focus(
        self, question: str, *, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> bool:
        """True when ``question`` points back at the thing in focus ("where is it held?"
        about an event) and asks an attribute that thing has: the graph's to answer even
        when a process (order tracking) was read with confidence."""
        ...

    def without_values(
        self, entities: Sequence[Mapping[str, Any]]
    ) -> tuple[Mapping[str, Any], ...]:
        """``entities`` less those the NLU took for the thing talked about that are an
        attribute's value in this graph and name no thing ("San Jose", a city, read as a
        product by an NLU trained on another catalogue): they must not replace the
        thing in focus."""
        ...
