"""The knowledge-answer pipeline: link -> retrieve -> prompt -> generate -> check ->
repair (substitute, regenerate colder, compose) -> reply with sources and claim statuses.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from dialogue.knowledge.composer import ComposedAnswerer
from dialogue.knowledge.exceptions import NoModelError
from dialogue.knowledge.prompt import build_messages, rewrite_messages
from dialogue.knowledge.sampling import REWRITE_SAMPLING, AnswerMode, sampling_for
from knowledge_graph import (
    CheckReport,
    ClaimCheck,
    ClaimKind,
    ClaimStatus,
    Fact,
    RegenerateRequest,
    RepairAction,
    RepairKind,
    UnverifiablePolicy,
    analyse_question,
    arepair,
    check,
    detect_language,
    link,
    repair,
    retrieve,
    split_sentences,
)
from knowledge_graph.grounding import Grounding, grounded_text, join_sentences
from knowledge_graph.language import fold
from knowledge_graph.model import display_name
from knowledge_graph.question_parts import unlinked_parts
from knowledge_graph.questions import QuestionKind
from knowledge_graph.selection import select
from model_runtime.types import ChatMessage, ChatModel, SamplingParams


@dataclass(frozen=True, slots=True)
class KnowledgeAnswer:
    """What the customer gets, plus what the agents' console shows about it."""

    text: str
    lang: str
    claims: tuple[ClaimCheck, ...]  # every claim in ``text`` with its status
    sources: tuple[Fact, ...]  # the facts the text rests on
    sampling: SamplingParams
    fell_back: bool  # True: composed from facts instead of the model's text
    latency_ms: float
    draft: str | None = None  # the model's raw text (None without a model)
    draft_claims: tuple[ClaimCheck, ...] = ()
    repairs: tuple[RepairAction, ...] = ()
    model: str | None = None
    generation_ms: float = 0.0  # of latency_ms, the time spent waiting for the model

    def to_json(self) -> dict[str, Any]:
        """The ``kefu ask --json`` shape (ARCHITECTURE.md)."""
        return {
            "text": self.text,
            "claims": [
                {
                    "text": c.claim.text,
                    "quote": self.text[c.claim.span[0] : c.claim.span[1]],
                    "status": c.status.value,
                    "facts": [f.as_dict() for f in c.facts],
                }
                for c in self.claims
            ],
            "sampling": _sampling_json(self.sampling),
            "latency_ms": round(self.latency_ms, 3),
            "fell_back": self.fell_back,
            "sources": [f.as_dict() for f in self.sources],
        }


def _sampling_json(params: SamplingParams) -> dict[str, Any]:
    data = dataclasses.asdict(params)
    data["stop"] = list(params.stop)
    return data


class KnowledgeAnswerer:
    """Answers knowledge questions against a graph with an optional chat model.

    Without a model (or when it fails, times out or writes nothing checkable) the answer
    is composed from the facts. Call ``answer`` with the live graph snapshot of the turn.
    """

    def __init__(
        self,
        model: ChatModel | None = None,
        *,
        store_name: str = "our store",
        max_facts: int = 12,
        unverifiable: UnverifiablePolicy = UnverifiablePolicy.DROP,
        timeout_s: float = 60.0,
        composer: ComposedAnswerer | None = None,
        require_model: bool = False,
        rewrite_budget_s: float = 6.0,
    ) -> None:
        self.model = model
        # Sentences the checker rejects are rewritten by the model only while the answer's
        # generation so far took less than this; past it the sentence is dropped (and a
        # draft left mostly dropped gives way to the composed answer), so a bad draft costs
        # one more short generation, not one per sentence.
        self.rewrite_budget_s = rewrite_budget_s
        self.store_name = store_name
        self.max_facts = max_facts
        self.unverifiable = unverifiable
        self.timeout_s = timeout_s
        self.composer = composer or ComposedAnswerer()
        # True: a model failure raises NoModelError instead of falling back (for benchmarks
        # and health checks that must know the model answered).
        self.require_model = require_model

    async def answer(
        self,
        graph: nx.MultiDiGraph,
        question: str,
        *,
        mode: AnswerMode = AnswerMode.FACTS,
        history: Sequence[ChatMessage] = (),
        focus: Sequence[str] = (),
        language: str | None = None,
        skip: Sequence[str] = (),
    ) -> KnowledgeAnswer:
        """``focus``: node ids the conversation is about, most recent first (what "it"
        and "and the warranty?" refer to); ``language``: the reply's language where the
        question does not show one (a button payload), else the question's; ``skip``:
        the things a list already showed (the customer asked for more: the next ones,
        composed from the graph)."""
        started = time.perf_counter()
        q = analyse_question(graph, question, focus=focus)
        lang = language or q.lang
        facts = retrieve(graph, q, max_facts=self.max_facts)
        sampling = sampling_for(mode)
        context = q.subjects
        composed = self.composer.compose(graph, q, facts, lang, skip=frozenset(skip))
        model = self.model
        if model is None and self.require_model:
            raise NoModelError("no chat model is configured; pass one to KnowledgeAnswerer")
        # "…? Do they serve alcohol?" where nothing says: that part is not passed over.
        unanswered = [
            self.composer.unknown_part(part.text, lang)
            for part in unlinked_parts(graph, question, focus=q.subjects)
        ]
        if model is None or not facts or q.count is not None or skip:
            # Nothing retrieved: no model can write a checked answer from nothing. "How many
            # …?": the number is counted, not written; the composed count is the answer. The
            # next ones of a list: the model would start the list again.
            return self._composed(
                graph, composed, context, sampling, started, None, None, (), unanswered=unanswered
            )
        messages = build_messages(
            graph, question, facts, lang, store_name=self.store_name, history=history
        )
        generation = [0.0]

        async def generate(prompt: Sequence[ChatMessage], params: SamplingParams) -> str:
            began = time.perf_counter()
            try:
                completion = await asyncio.wait_for(model.complete(prompt, params), self.timeout_s)
            finally:
                generation[0] += time.perf_counter() - began
            return completion.text

        try:
            raw = (await generate(messages, sampling)).strip()
        except Exception as error:  # any model failure falls back; the customer still gets facts
            if self.require_model:
                raise NoModelError(f"model {model.name!r} failed: {error!r}") from error
            return self._composed(
                graph,
                composed,
                context,
                sampling,
                started,
                None,
                model.name,
                (),
                generation_s=generation[0],
                unanswered=unanswered,
            )
        # ``raw`` is what the model wrote (kept for the record); ``draft`` what gets checked.
        draft = _without_echo(raw, question)
        if not draft or degenerate(draft):
            return self._composed(
                graph,
                composed,
                context,
                sampling,
                started,
                raw,
                model.name,
                (),
                generation_s=generation[0],
                unanswered=unanswered,
            )
        draft_report = check(graph, draft, context=context)

        async def regenerate(request: RegenerateRequest) -> str | None:
            if generation[0] >= self.rewrite_budget_s:
                return None
            try:
                reply = await generate(rewrite_messages(graph, request), REWRITE_SAMPLING)
            except Exception:
                return None
            sentences = split_sentences(reply.strip())
            return sentences[0].text if sentences else None

        result = await arepair(
            graph,
            draft,
            context=context,
            report=draft_report,
            regenerate=regenerate,
            unverifiable=self.unverifiable,
        )
        # Only grounded sentences reach the customer: each says what supported claims say
        # and nothing else (or is a greeting / offer of help).
        text, verdicts = grounded_text(graph, result.text, context=context)
        dropped = tuple(
            RepairAction(v.sentence.index, RepairKind.UNGROUNDED, v.sentence.text, "")
            for v in verdicts
            if not v.delivered
        )
        actions = result.actions + dropped
        final = check(graph, text, context=context) if dropped else result.report
        supported = final.with_status(ClaimStatus.SUPPORTED)
        # What the answer states: the predicates of the facts its claims rest on ("Shipping
        # is 12.00 CNY" states the fee, not every money attribute shipping has).
        answered: set[str] = set()
        for c in supported:
            stated = {f.predicate for f in c.facts if f.predicate in c.claim.predicates}
            answered |= stated or set(c.claim.predicates)
        asked = set(q.predicates) & {f.predicate for f in facts}
        # A draft that needed most of its sentences rewritten or dropped was a bad draft:
        # the composed answer reads better than a patchwork.
        touched = {a.sentence for a in actions}
        mostly_repaired = len(touched) > max(1, len(draft_report.sentences) // 2)
        # A comparison is answered only by a supported comparison ("X is lighter than Y"),
        # not by the two weights alone: otherwise the composed answer says it.
        compared = q.comparison is None or any(
            c.claim.kind is ClaimKind.COMPARISON for c in supported
        )
        # "What is your most expensive tea?" is answered only by naming the top one: true
        # sentences about another are no answer.
        if q.kind is QuestionKind.SUPERLATIVE and compared:
            members = select(graph, q).members
            compared = not members or any(members[0] in c.claim.subjects for c in supported)
        # "Which of your teas are organic?" names every match the composed answer would:
        # a true sentence about one of them is no answer to which ones.
        if q.kind is QuestionKind.FILTER and compared:
            shown = select(graph, q).members[: self.composer.max_sentences]
            said_text = fold(text)
            compared = all(fold(display_name(graph, m, lang)) in said_text for m in shown)
        # "Tell me about Benissimo Restaurant & Bar": an answer that never names it ("It
        # does not have seating outdoors…") leaves the customer guessing what "it" is.
        names_it = (
            not q.subjects
            or q.from_focus
            or bool(q.predicates)  # "How much is the Vector 14?" -> "It costs $1099.00."
            or _names(graph, text, q.subjects[0])
        )
        # A yes/no question: the model's "No," before a repaired sentence must not say the
        # opposite of what the graph says (the composed answer knows the right word).
        expected, said = _polarity(composed), _polarity(text)
        if (
            not text.strip()
            or mostly_repaired
            or not compared
            or not names_it
            or (expected is not None and said != expected)
            or not any(v.grounding is Grounding.GROUNDED for v in verdicts if v.delivered)
            or (asked and not asked & answered)
        ):
            return self._composed(
                graph,
                composed,
                context,
                sampling,
                started,
                raw,
                model.name,
                draft_report.checks,
                actions,
                generation_s=generation[0],
                unanswered=unanswered,
            )
        missing = self.composer.status_sentences(graph, q, answered, lang)
        # Every asked fact of the thing asked about is said: "How much is shipping?" is the
        # fee and the free-shipping threshold, "when is it open?" opening and closing.
        missing += self.composer.unsaid_asked(graph, q, facts, answered, lang)
        missing = list(dict.fromkeys(m for m in missing if m.rstrip(".。") not in text))
        missing += unanswered
        if missing:
            # Buying or stock questions always hear the status facts (restock date,
            # discontinued) that the model left out, in the graph's own words.
            text = join_sentences([text, *missing])
            final = check(graph, text, context=context)
        return KnowledgeAnswer(
            text=text,
            lang=detect_language(text),
            claims=final.checks,
            sources=final.sources,
            sampling=sampling,
            fell_back=False,
            latency_ms=(time.perf_counter() - started) * 1000,
            draft=raw,
            draft_claims=draft_report.checks,
            repairs=actions,
            model=model.name,
            generation_ms=generation[0] * 1000,
        )

    def _composed(
        self,
        graph: nx.MultiDiGraph,
        composed: str,
        context: Sequence[str],
        sampling: SamplingParams,
        started: float,
        draft: str | None,
        model_name: str | None,
        draft_claims: tuple[ClaimCheck, ...],
        repairs: tuple[RepairAction, ...] = (),
        *,
        generation_s: float = 0.0,
        unanswered: Sequence[str] = (),
    ) -> KnowledgeAnswer:
        # Composed text is checked like any other; repair only guards against a template bug.
        result = repair(graph, composed, context=context, unverifiable=self.unverifiable)
        text = result.text or self.composer.unknown(detect_language(composed))
        report: CheckReport = result.report if result.text else check(graph, text, context=context)
        if result.text and unanswered and text != self.composer.unknown(detect_language(text)):
            # What was answered, then plainly what could not be (no claim in it to check).
            text = join_sentences([text, *unanswered])
            report = check(graph, text, context=context)
        return KnowledgeAnswer(
            text=text,
            lang=detect_language(text),
            claims=report.checks,
            sources=report.sources,
            sampling=sampling,
            fell_back=True,
            latency_ms=(time.perf_counter() - started) * 1000,
            draft=draft,
            draft_claims=draft_claims,
            repairs=repairs + result.actions,
            model=model_name,
            generation_ms=generation_s * 1000,
        )


def _names(graph: nx.MultiDiGraph, text: str, node: str) -> bool:
    """Whether ``text`` names ``node`` (its name, an alias or a short form of it)."""
    return any(node in mention.nodes for mention in link(graph, text))


def degenerate(text: str) -> bool:
    """Whether a draft is a small model's loop ("The answer is: The answer is: ...")."""
    sentences = [s.text for s in split_sentences(text)]
    if len(sentences) >= 4 and len(set(sentences)) / len(sentences) < 0.6:
        return True
    encoded = text.encode("utf-8")
    return len(encoded) > 240 and len(zlib.compress(encoded)) / len(encoded) < 0.3


def _without_echo(draft: str, question: str) -> str:
    """The draft without sentences that repeat the customer's question back."""
    asked = fold(question).rstrip("?？ ")
    kept = [s.text for s in split_sentences(draft) if fold(s.text).rstrip("?？ ") != asked]
    if len(kept) == len(split_sentences(draft)):
        return draft
    return " ".join(kept)


_YES = re.compile(
    r"^\s*(yes|yep|sure|of course|是的|是|有的|可以)(?=[\s,，.。!！]|$)", re.IGNORECASE
)
_NO = re.compile(
    r"^\s*(no|nope|sorry, no|不是|不|没有|不可以|不能)(?=[\s,，.。!！]|$)", re.IGNORECASE
)


def _polarity(text: str) -> bool | None:
    """True for an answer that opens with yes, False with no, None otherwise."""
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    return None
