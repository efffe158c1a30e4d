"""Repair an answer before it is sent: no contradicted claim survives.

For each sentence with a contradicted claim, in order: substitute the graph's value,
ask the caller to regenerate the sentence (colder), or replace it with a sentence composed
from the facts; drop it if nothing checks. Unverifiable claims are dropped or hedged.
The result is re-checked as a whole until no contradiction is left.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from knowledge_graph.checking import CheckReport, ClaimCheck, ClaimStatus, check
from knowledge_graph.claims import ClaimKind, Sentence
from knowledge_graph.counting import count_sentence
from knowledge_graph.language import detect_language
from knowledge_graph.model import Fact, display_name
from knowledge_graph.values import Quantity, convert
from knowledge_graph.verbalise import (
    render_quantity,
    render_value,
    verbalise,
    verbalise_comparison,
    verbalise_window,
)


class UnverifiablePolicy(StrEnum):
    DROP = "drop"  # remove sentences whose store claims the graph cannot confirm
    HEDGE = "hedge"  # keep them, marked as unconfirmed
    KEEP = "keep"


class RepairKind(StrEnum):
    SUBSTITUTED = "substituted"
    REGENERATED = "regenerated"
    COMPOSED = "composed"
    DROPPED = "dropped"
    HEDGED = "hedged"
    UNGROUNDED = "ungrounded"  # dropped: says something no supported claim covers


@dataclass(frozen=True, slots=True)
class RepairAction:
    sentence: int
    kind: RepairKind
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class RegenerateRequest:
    """A sentence the caller may rewrite (e.g. with the model at temperature 0)."""

    sentence: str
    lang: str
    problems: tuple[ClaimCheck, ...]
    facts: tuple[Fact, ...]  # the graph facts the rewrite must agree with


@dataclass(frozen=True, slots=True)
class RepairResult:
    text: str
    report: CheckReport  # the final check of ``text``: never a contradicted claim
    actions: tuple[RepairAction, ...]

    @property
    def changed(self) -> bool:
        return bool(self.actions)


_HEDGE = {"en": " (I could not confirm this.)", "zh": "（此信息未经核实）"}
_ADJECTIVAL = re.compile(r"\d\s*-\s*[A-Za-z]")


def repair(
    graph: nx.MultiDiGraph,
    text: str,
    *,
    context: Sequence[str] = (),
    report: CheckReport | None = None,
    regenerate: Callable[[RegenerateRequest], str | None] | None = None,
    unverifiable: UnverifiablePolicy = UnverifiablePolicy.DROP,
) -> RepairResult:
    """Repair ``text`` synchronously; ``regenerate`` is optional."""
    steps = _repair_steps(graph, text, context, report, unverifiable, regenerate is not None)
    try:
        request = next(steps)
        while True:
            request = steps.send(regenerate(request) if regenerate else None)
    except StopIteration as stop:
        result: RepairResult = stop.value
        return result


async def arepair(
    graph: nx.MultiDiGraph,
    text: str,
    *,
    context: Sequence[str] = (),
    report: CheckReport | None = None,
    regenerate: Callable[[RegenerateRequest], Awaitable[str | None]] | None = None,
    unverifiable: UnverifiablePolicy = UnverifiablePolicy.DROP,
) -> RepairResult:
    """Like ``repair`` with an async ``regenerate`` (a model call)."""
    steps = _repair_steps(graph, text, context, report, unverifiable, regenerate is not None)
    try:
        request = next(steps)
        while True:
            reply = await regenerate(request) if regenerate else None
            request = steps.send(reply)
    except StopIteration as stop:
        result: RepairResult = stop.value
        return result


def _repair_steps(
    graph: nx.MultiDiGraph,
    text: str,
    context: Sequence[str],
    report: CheckReport | None,
    unverifiable: UnverifiablePolicy,
    can_regenerate: bool,
) -> Generator[RegenerateRequest, str | None, RepairResult]:
    report = (
        report
        if report is not None and report.text == text
        else check(graph, text, context=context)
    )
    actions: list[RepairAction] = []
    kept: list[str] = []
    for sentence in report.sentences:
        checks = report.in_sentence(sentence.index)
        lang = detect_language(sentence.text)
        local_context = tuple(
            dict.fromkeys([*(s for c in checks for s in c.claim.subjects), *context])
        )
        contradicted = [c for c in checks if c.status is ClaimStatus.CONTRADICTED]
        if contradicted:
            fixed = _substitute(graph, sentence, contradicted, lang)
            if fixed is not None and _clean(graph, fixed, local_context):
                actions.append(
                    RepairAction(sentence.index, RepairKind.SUBSTITUTED, sentence.text, fixed)
                )
                kept.append(fixed)
                continue
            if can_regenerate:
                facts = tuple(dict.fromkeys(f for c in checks for f in c.facts))
                rewritten = yield RegenerateRequest(sentence.text, lang, tuple(contradicted), facts)
                if (
                    rewritten
                    and rewritten.strip()
                    and _clean(graph, rewritten.strip(), local_context, need_support=True)
                ):
                    actions.append(
                        RepairAction(
                            sentence.index, RepairKind.REGENERATED, sentence.text, rewritten.strip()
                        )
                    )
                    kept.append(rewritten.strip())
                    continue
            composed = _compose(graph, checks, lang)
            if composed and _clean(graph, composed, local_context):
                actions.append(
                    RepairAction(sentence.index, RepairKind.COMPOSED, sentence.text, composed)
                )
                kept.append(composed)
            else:
                actions.append(RepairAction(sentence.index, RepairKind.DROPPED, sentence.text, ""))
            continue
        doubtful = [c for c in checks if c.status is ClaimStatus.UNVERIFIABLE]
        if doubtful and unverifiable is UnverifiablePolicy.HEDGE:
            hedged = sentence.text + _HEDGE[lang]
            actions.append(RepairAction(sentence.index, RepairKind.HEDGED, sentence.text, hedged))
            kept.append(hedged)
        elif doubtful and unverifiable is UnverifiablePolicy.DROP:
            supported = [c for c in checks if c.status is ClaimStatus.SUPPORTED]
            composed = _compose(graph, supported, lang) if supported else None
            if composed and _clean(graph, composed, local_context):
                actions.append(
                    RepairAction(sentence.index, RepairKind.COMPOSED, sentence.text, composed)
                )
                kept.append(composed)
            else:
                actions.append(RepairAction(sentence.index, RepairKind.DROPPED, sentence.text, ""))
        else:
            kept.append(sentence.text)
    final_text, final = _settle(graph, kept, context, actions)
    return RepairResult(final_text, final, tuple(actions))


def _wide(ch: str) -> bool:
    return detect_language(ch) == "zh" or ord(ch) >= 0x3000


def _join(sentences: Sequence[str]) -> str:
    """Sentences back into one text; no space between Chinese sentences."""
    out = ""
    for sentence in sentences:
        if out and not (_wide(out[-1]) or _wide(sentence[:1])):
            out += " "
        out += sentence
    return out


def _settle(
    graph: nx.MultiDiGraph,
    sentences: list[str],
    context: Sequence[str],
    actions: list[RepairAction],
) -> tuple[str, CheckReport]:
    """Re-check the whole text; drop sentences that still contradict (pronouns can shift)."""
    while True:
        text = _join(sentences)
        report = check(graph, text, context=context)
        bad = {c.claim.sentence for c in report.checks if c.status is ClaimStatus.CONTRADICTED}
        if not bad:
            return text, report
        for index in sorted(bad, reverse=True):
            actions.append(
                RepairAction(index, RepairKind.DROPPED, report.sentences[index].text, "")
            )
        survivors = [s.text for s in report.sentences if s.index not in bad]
        sentences = survivors


def _clean(
    graph: nx.MultiDiGraph, text: str, context: Sequence[str], *, need_support: bool = False
) -> bool:
    """No contradiction; with ``need_support`` also at least one supported claim (a
    regenerated sentence that states nothing checkable is not a repair)."""
    report = check(graph, text, context=context)
    if need_support and not report.with_status(ClaimStatus.SUPPORTED):
        return False
    return report.ok and bool(report.sentences)


def _substitute(
    graph: nx.MultiDiGraph, sentence: Sentence, problems: Sequence[ClaimCheck], lang: str
) -> str | None:
    """The sentence with each wrong value replaced by the graph's, or None if one cannot be."""
    edits: list[tuple[int, int, str]] = []
    for problem in problems:
        claim = problem.claim
        if (
            claim.kind is not ClaimKind.ATTRIBUTE
            or claim.negated
            or not isinstance(claim.value, Quantity)
        ):
            return None
        truths = {f for f in problem.facts if f.subject == claim.subjects[0]}
        if len(truths) != 1 or claim.predicate is None:
            return None
        fact = truths.pop()
        start, end = claim.span
        original = sentence.text[start - sentence.start : end - sentence.start]
        edits.append(
            (
                start - sentence.start,
                end - sentence.start,
                _render_like(graph, fact, claim.value, original, lang),
            )
        )
    text = sentence.text
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _render_like(
    graph: nx.MultiDiGraph, fact: Fact, stated: Quantity, original: str, lang: str
) -> str:
    """The fact's value in the unit and style the answer used ("12-month" -> "24-month")."""
    truth = fact.value
    if not isinstance(truth, Quantity):
        return render_value(graph, fact, lang)
    if truth.unit == stated.unit:
        value, rendered = truth, render_value(graph, fact, lang)  # keep "1899.00" as written
    else:
        converted = convert(truth, stated.unit)
        exact = converted is not None and converted.low == converted.low.to_integral_value()
        value = converted if exact and converted is not None else truth
        rendered = render_quantity(value, lang) if exact else render_value(graph, fact, lang)
    if lang == "en" and _ADJECTIVAL.search(original) and not value.is_range:
        number, _, unit = rendered.partition(" ")
        singular = unit[:-1] if unit.endswith("s") else unit
        return f"{number}-{singular}"
    return rendered


def _compose(graph: nx.MultiDiGraph, checks: Sequence[ClaimCheck], lang: str) -> str | None:
    """Sentences stating what the graph says about the claims' subjects."""
    parts: list[str] = []
    facts: list[Fact] = []
    for item in checks:
        claim = item.claim
        if claim.kind is ClaimKind.COMPARISON and claim.other and claim.predicate:
            sentence = verbalise_comparison(
                graph, claim.subjects[0], claim.other, claim.predicate, lang
            )
            if sentence:
                parts.append(sentence)
        elif claim.kind is ClaimKind.COUNT:
            # "We have 7 teas" when there are 6: the count, and the first ones by name.
            members = [f.subject for f in item.facts]
            names = [display_name(graph, node, lang) for node in members]
            parts.append(count_sentence(claim.text, "", names, len(members), lang))
        elif claim.kind is ClaimKind.WINDOW and claim.elapsed is not None and claim.predicate:
            sentence = verbalise_window(
                graph, claim.subjects[0], claim.predicate, claim.elapsed, lang
            )
            if sentence:
                parts.append(sentence)
        else:
            facts.extend(item.facts)
    parts.extend(verbalise(graph, dict.fromkeys(facts), lang))
    unique = list(dict.fromkeys(parts))
    return _join(unique) if unique else None
