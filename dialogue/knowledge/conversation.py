"""Knowledge answers inside a conversation: the engine's ``TurnKnowledge`` over a
graph and the knowledge pipeline.

The conversation tells the pipeline what the customer is talking about: the products
named in this message (the NLU's entities), the products compared before (``products``
slot) and the product in focus (``product`` slot). "how much is it?" after "Does the
Aurora X2 come in silver?" is about the Aurora X2. Production, ``kefu shell`` and
``kefu test stories`` all answer through this class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from dialogue.answering import KnowledgeReply
from dialogue.knowledge.listing import Continuation, continuation, shown_members
from dialogue.knowledge.pipeline import KnowledgeAnswerer
from dialogue.knowledge.sampling import mode_for_intent
from knowledge_graph import ClaimCheck, ClaimStatus, detect_language, load_graph
from knowledge_graph.index import graph_index
from knowledge_graph.model import RESERVED
from knowledge_graph.questions import Question, QuestionKind, analyse_question, refers_back
from knowledge_graph.verbalise import join_values, render_value

__all__ = ["ConversationKnowledge", "focus_nodes", "project_graph_files"]

_PAYLOAD = re.compile(r"^/(?P<intent>[\w-]+)(?:\{.*\})?$", re.DOTALL)
_FOCUS_SLOTS = ("products", "product")
_WORDS = re.compile(r"[^\W\d_]+|\d+")


def project_graph_files(project_dir: Path) -> list[Path]:
    """A project's own graph: ``knowledge/*.csv`` (CSV triples), ``*.json``, ``*.graphml``."""
    folder = project_dir / "knowledge"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".json", ".graphml"))


def focus_nodes(
    graph: nx.MultiDiGraph, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
) -> tuple[str, ...]:
    """The things the conversation is about, most recent first: nodes named by this
    message's entities, then the compared products, then the product in focus."""
    named: list[str] = [str(e.get("value")) for e in entities if e.get("value") is not None]
    for slot in _FOCUS_SLOTS:
        value = slots.get(slot)
        if isinstance(value, list | tuple):
            named.extend(str(v) for v in value)
        elif value:
            named.append(str(value))
    nodes = (_node_named(graph, n) for n in dict.fromkeys(named))
    return tuple(dict.fromkeys(n for n in nodes if n is not None and _owns_facts(graph, n)))


def _node_named(graph: nx.MultiDiGraph, value: str) -> str | None:
    """``value`` as a node: its id, or the one node it names ("Metro 7" → ``metro-7``),
    so an NLU trained on another catalogue still keeps this graph's product in focus."""
    if value in graph:
        return value
    targets = {e.target for e in graph_index(graph).entities.entries(value)}
    return targets.pop() if len(targets) == 1 else None


def _owns_facts(graph: nx.MultiDiGraph, node: str) -> bool:
    data = graph.nodes[node]
    return bool(data.get("values")) or graph.out_degree(node) > 0


def _continued_language(continued: Continuation | None, text: str) -> str | None:
    """A continued list is answered in the language of the message that continued it
    ("还有别的吗？" after an English list: Chinese)."""
    return detect_language(text) if continued is not None else None


def _listing(
    graph: nx.MultiDiGraph, question: str, answer: str, lang: str, skip: Sequence[str]
) -> tuple[str, tuple[str, ...]] | None:
    shown = shown_members(graph, question, answer, lang, skip)
    return (question, shown) if shown is not None else None


def _names_nothing(graph: nx.MultiDiGraph, text: str, focus: Sequence[str]) -> bool:
    """An attribute question about something it does not name ("how much is it?" with
    nothing in focus): asking which one is meant helps; anything else unanswered is not
    in the graph."""
    q = analyse_question(graph, text, focus=focus)
    if q.kind is not QuestionKind.LOOKUP or q.subjects or q.groups or q.types or q.values:
        return False
    # "how much is it?", "price?": nothing but the attribute. "How much is the Oolong Gift
    # Set?" names something the graph does not hold: that is not a question of which.
    return bool(q.predicates) and (refers_back(text) or len(_WORDS.findall(text)) <= 3)


_PROPERTY_OF_IT = re.compile(
    r"^\s*(?:and\s+|so\s+)?(?:is|are|does|do|can|has|have)\s+(?:it|they|this|that|this one|that one)"
    r"\s+(?P<rest>[^?？]+)",
    re.IGNORECASE,
)
# "Tell me about Miramar Beach Restaurant", "what about the Ace Hotel?", "介绍一下铁观音":
# asks what the graph holds on the thing it names.
_ABOUT = re.compile(
    r"\b(?:tell me(?: a bit| a little)?(?: more)? about|what about|how about|"
    r"(?:info|information|details|more) (?:on|about)|describe|i(?:'m| am) interested in)\b"
    r"|介绍|说说|讲讲|了解一下",
    re.IGNORECASE,
)
_NOT_A_PROPERTY = frozenset({"ok", "okay", "true", "right", "there", "so", "real", "you", "me"})


def _asks_a_property(text: str) -> bool:
    """ "Is it family friendly?", "are they wheelchair accessible?": a yes/no question that
    names a property of the thing talked about (not "is it ok?")."""
    found = _PROPERTY_OF_IT.match(text)
    if found is None:
        return False
    words = [w for w in _WORDS.findall(found["rest"].casefold()) if w not in _NOT_A_PROPERTY]
    return len(words) >= 2 or any(len(w) >= 5 for w in words)


def question_text(text: str) -> str:
    """A button payload (``/product_warranty{"product": "P-104"}``) asks what its intent
    names ("product warranty"); typed text is the question itself."""
    payload = _PAYLOAD.match(text.strip())
    if payload is None:
        return text
    return payload["intent"].replace("_", " ").replace("-", " ")


def claim_json(check: ClaimCheck) -> dict[str, Any]:
    return {
        "text": check.claim.text,
        "status": check.status.value,
        "facts": [f.as_dict() for f in check.facts],
    }


class ConversationKnowledge:
    """Answers a turn's knowledge question from ``graph()`` (called once per answer, so a
    live graph's newest revision is used) with ``pipeline``."""

    def __init__(self, graph: Callable[[], nx.MultiDiGraph], pipeline: KnowledgeAnswerer) -> None:
        self.graph = graph
        self.pipeline = pipeline

    @classmethod
    def for_project(
        cls, project_dir: Path, pipeline: KnowledgeAnswerer | None = None
    ) -> ConversationKnowledge | None:
        """Over the project's own graph files, or None when it has none."""
        files = project_graph_files(project_dir)
        if not files:
            return None
        graph = load_graph(*files)
        return cls(lambda: graph, pipeline or KnowledgeAnswerer(None))

    def render_fact(self, node: str, predicate: str, language: str) -> str | None:
        """The graph's value(s) of ``predicate`` on ``node``, said in ``language``."""
        graph = self.graph()
        if node not in graph or predicate in RESERVED:
            return None
        facts = [f for f in graph.nodes[node]["facts"] if f.predicate == predicate]
        if not facts:
            return None
        lang = "zh" if language == "zh" else "en"
        return join_values([render_value(graph, f, lang) for f in facts], lang)

    def _reading(
        self, question: str, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> Question:
        graph = self.graph()
        return analyse_question(
            graph, question_text(question), focus=focus_nodes(graph, entities, slots)
        )

    def covers(
        self, question: str, *, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> bool:
        if continuation(self.graph(), question_text(question), slots) is not None:
            # "Something else you can find?" after a list: the list's next ones.
            return True
        q = self._reading(question, entities, slots)
        if q.count is not None and not q.subjects:
            # "How many apartments in Fresno?", "How many hot tubs do you have?": the
            # graph's to count, or to say plainly that it holds no such thing.
            return True
        if q.kind is QuestionKind.LOOKUP:
            if q.subjects and not q.from_focus and _ABOUT.search(q.text):
                # "Tell me about Miramar Beach Restaurant": what the graph holds on it.
                return True
            # "Is Rustic Kitchen kid-friendly?": a yes/no question about a thing the graph
            # names is the graph's to answer, or to say plainly that it does not know.
            if q.subjects and (q.predicates or (q.polar and not q.from_focus)):
                return True
            # "Is it family friendly?" of the place in focus, which has no such attribute:
            # the graph's to say plainly that it does not know, not small talk's.
            return bool(q.subjects and q.polar and q.from_focus and _asks_a_property(q.text))
        if q.kind is QuestionKind.FILTER:
            # A set named by what it holds ("anything in red?"), not just "any?".
            return bool(q.groups or q.values or q.texts or q.bounds or q.types or q.flags)
        return True

    def asks_of_focus(
        self, question: str, *, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> bool:
        if not refers_back(question_text(question)):
            return False
        q = self._reading(question, entities, slots)
        if q.kind is not QuestionKind.LOOKUP or not q.from_focus or not q.subjects:
            return False
        graph = self.graph()
        subject = q.subjects[0]
        owned = set(graph.nodes[subject]["values"]) | {
            f.predicate for f in graph.nodes[subject]["facts"]
        }
        return bool(owned & set(q.predicates))

    def without_values(
        self, entities: Sequence[Mapping[str, Any]]
    ) -> tuple[Mapping[str, Any], ...]:
        graph = self.graph()
        texts = graph_index(graph).texts
        kept = []
        for entity in entities:
            value = str(entity.get("value") or "")
            if (
                entity.get("entity") in _FOCUS_SLOTS
                and _node_named(graph, value) is None
                and texts.entries(value)
            ):
                continue
            kept.append(entity)
        return tuple(kept)

    def asked_attributes(
        self, question: str, *, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> tuple[str, ...]:
        return self._reading(question, entities, slots).predicates

    async def answer(
        self,
        question: str,
        *,
        entities: Sequence[Mapping[str, Any]],
        slots: Mapping[str, Any],
        language: str,
        intent: str | None = None,
    ) -> KnowledgeReply:
        graph = self.graph()  # one snapshot for the whole answer
        text = question_text(question)
        # "Something else?" / "look for one in SD" after a list: that list's question.
        continued = continuation(graph, text, slots)
        asked = continued.question if continued is not None else text
        skip = continued.skip if continued is not None else ()
        result = await self.pipeline.answer(
            graph,
            asked,
            mode=mode_for_intent(intent),
            focus=() if continued is not None else focus_nodes(graph, entities, slots),
            language=language if text != question else _continued_language(continued, text),
            skip=skip,
        )
        claims = tuple(claim_json(check) for check in result.claims)
        caught = tuple(
            claim_json(check)
            for check in result.draft_claims
            if check.status is not ClaimStatus.SUPPORTED
        )
        repairs = tuple(
            {"kind": r.kind.value, "before": r.before, "after": r.after} for r in result.repairs
        )
        generation_s = result.generation_ms / 1000
        fell_back = not result.text.strip() or not result.sources
        focus = tuple(dict.fromkeys(f.subject for f in result.sources))
        named = focus_nodes(graph, entities, {})
        if named:
            # What the customer named stays in focus, whatever facts answered it (a
            # product's return: the product, not the returns policy).
            focus = named
        elif fell_back:
            # Nothing to say about what was named: it stays the thing talked about.
            reading = analyse_question(graph, text, focus=focus_nodes(graph, entities, slots))
            named = () if reading.from_focus else reading.subjects
            focus = tuple(n for n in named if _owns_facts(graph, n))
        return KnowledgeReply(
            text=result.text,
            sources=tuple(f.as_dict() for f in result.sources),
            claims=claims,
            # Nothing from the graph: the engine asks which one is meant, or says it does
            # not know.
            fell_back=fell_back,
            ask_which=fell_back
            and _names_nothing(graph, text, focus_nodes(graph, entities, slots)),
            draft=result.draft,
            focus=focus,
            listing=_listing(graph, asked, result.text, result.lang, skip),
            caught=caught,
            repairs=repairs,
            timings={
                "generation": generation_s,
                "checking": max(0.0, result.latency_ms / 1000 - generation_s),
            },
        )
