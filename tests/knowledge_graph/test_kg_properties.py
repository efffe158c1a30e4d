"""Property tests pairing the checker with independent producers (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistants.acme.knowledge import load_demo_graph
from knowledge_graph import ClaimStatus, Fact, check, display_name, entails, repair, verbalise
from knowledge_graph.index import graph_index
from knowledge_graph.values import Flag, Quantity, convert
from knowledge_graph.verbalise import render_quantity, render_value
from tests.knowledge_graph.perturb import checkable_facts, perturb

GRAPH = load_demo_graph()
FACTS = checkable_facts(GRAPH)
QUANTITY_FACTS = [f for f in FACTS if not f.edge and isinstance(f.value, Quantity)]
LANGS = st.sampled_from(["en", "zh"])
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def answers(draw: st.DrawFn) -> tuple[str, list[Fact], list[Fact]]:
    """An answer of 1-4 sentences in one language; some state a changed value."""
    lang = draw(LANGS)
    picked = draw(st.lists(st.sampled_from(FACTS), min_size=1, max_size=4, unique=True))
    stated: list[Fact] = []
    wrong: list[Fact] = []
    for fact in picked:
        if draw(st.booleans()):
            changed = perturb(GRAPH, fact, draw(st.integers(1, 9)))
            if changed is not None and changed != fact:
                stated.append(changed)
                wrong.append(changed)
                continue
        stated.append(fact)
    sentences = [s for fact in stated for s in verbalise(GRAPH, [fact], lang)]
    return ("" if lang == "zh" else " ").join(sentences), stated, wrong


@SETTINGS
@given(answers())
def test_every_supported_claim_is_entailed_by_its_facts(
    answer: tuple[str, list[Fact], list[Fact]],
) -> None:
    text, _, _ = answer
    for result in check(GRAPH, text).checks:
        if result.status is ClaimStatus.SUPPORTED:
            assert result.facts
            assert entails(result.facts, result.claim), result
            assert all(
                GRAPH.has_node(f.subject) and f in GRAPH.nodes[f.subject]["facts"]
                for f in result.facts
            )


@SETTINGS
@given(st.sampled_from(FACTS), st.integers(1, 9), LANGS)
def test_a_fact_restated_with_another_value_is_caught(fact: Fact, step: int, lang: str) -> None:
    changed = perturb(GRAPH, fact, step)
    assume(changed is not None and changed != fact)
    assert changed is not None
    if not changed.edge and not isinstance(changed.value, Flag):
        assume(
            not any(
                v == changed.value
                for _, v in GRAPH.nodes[fact.subject]["values"].get(fact.predicate, ())
            )
        )
    (sentence,) = verbalise(GRAPH, [changed], lang)
    report = check(GRAPH, sentence)
    assert not report.ok, (sentence, report.checks)


def _paraphrases(fact: Fact, lang: str) -> list[str]:
    """The fact in other words: a generic template, other units, the other language."""
    info = graph_index(GRAPH).attribute(fact.predicate)
    subject = display_name(GRAPH, fact.subject, lang)
    attribute = info.names.get(lang) or info.names["en"]
    values = [render_value(GRAPH, fact, lang)]
    value = fact.value if not fact.edge else None
    if isinstance(value, Quantity):
        for unit in ("years", "kg", "hours", "days"):
            converted = convert(value, unit)
            if (
                converted is not None
                and converted.unit != value.unit
                and converted.low == converted.low.to_integral_value()
            ):
                values.append(render_quantity(converted, lang))
    if lang == "zh":
        return [f"{subject}的{attribute}是{v}。" for v in values]
    return [f"The {attribute} of {subject} is {v}." for v in values]


@SETTINGS
@given(st.sampled_from(QUANTITY_FACTS), LANGS)
def test_a_fact_in_other_words_or_language_is_supported(fact: Fact, lang: str) -> None:
    for sentence in [*verbalise(GRAPH, [fact], lang), *_paraphrases(fact, lang)]:
        report = check(GRAPH, sentence)
        statuses = [c.status for c in report.checks]
        assert statuses and all(s is ClaimStatus.SUPPORTED for s in statuses), (
            sentence,
            report.checks,
        )


@SETTINGS
@given(answers(), st.sampled_from(["drop", "hedge"]))
def test_repair_never_delivers_a_contradiction(
    answer: tuple[str, list[Fact], list[Fact]], policy: str
) -> None:
    from knowledge_graph import UnverifiablePolicy

    text, _, wrong = answer
    result = repair(GRAPH, text, unverifiable=UnverifiablePolicy(policy))
    assert result.report.ok
    assert check(GRAPH, result.text).ok
    if wrong:
        assert result.actions


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_demo_fact_verbalises_to_supported_claims(lang: str) -> None:
    for fact in FACTS:
        for sentence in verbalise(GRAPH, [fact], lang):
            statuses = [c.status for c in check(GRAPH, sentence).checks]
            assert all(s is ClaimStatus.SUPPORTED for s in statuses), (sentence, statuses)
