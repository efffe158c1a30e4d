from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import pytest

from assistants.acme.knowledge import load_demo_graph
from dialogue.knowledge import (
    AnswerMode,
    ComposedAnswerer,
    FactRestatingModel,
    KnowledgeAnswerer,
    ScriptedChatModel,
    mode_for_intent,
    sampling_for,
)
from dialogue.knowledge.conversation import ConversationKnowledge
from knowledge_graph import ClaimStatus, analyse_question, check, load_graph, retrieve
from model_runtime.types import ChatMessage, ChatModel, SamplingParams


@pytest.fixture(scope="module")
def demo() -> nx.MultiDiGraph:
    return load_demo_graph()


def statuses(answer_claims: Sequence[object]) -> set[ClaimStatus]:
    return {c.status for c in answer_claims}  # type: ignore[attr-defined]


async def test_a_wrong_value_is_corrected_from_the_graph(demo: nx.MultiDiGraph) -> None:
    model = ScriptedChatModel(
        ["The Aurora X2 Headphones cost $129.00 and come with a 12-month warranty."]
    )
    answer = await KnowledgeAnswerer(model).answer(demo, "What warranty does the Aurora X2 have?")
    assert answer.text == "The Aurora X2 Headphones cost $129.00 and come with a 24-month warranty."
    assert not answer.fell_back
    assert statuses(answer.claims) == {ClaimStatus.SUPPORTED}
    assert ClaimStatus.CONTRADICTED in statuses(answer.draft_claims)
    assert any(f.predicate == "warranty" for f in answer.sources)
    assert [r.kind.value for r in answer.repairs] == ["substituted"]


async def test_the_conversation_reply_keeps_the_draft_and_what_was_caught(
    demo: nx.MultiDiGraph,
) -> None:
    # What agents see in the console and the metrics count: the model's draft, the
    # claims the checker caught in it, the repairs; the customer gets the checked text.
    model = ScriptedChatModel(["The Aurora X2 Headphones come with a 12-month warranty."])
    knowledge = ConversationKnowledge(lambda: demo, KnowledgeAnswerer(model))
    reply = await knowledge.answer(
        "and the warranty?",
        entities=[],
        slots={"product": "P-100"},
        language="en",
        intent="product_warranty",
    )
    assert "24-month" in reply.text and "12-month" not in reply.text
    assert reply.draft == "The Aurora X2 Headphones come with a 12-month warranty."
    assert [c["status"] for c in reply.caught] == ["contradicted"]
    assert reply.repairs and reply.repairs[0]["before"] == reply.draft
    assert {c["status"] for c in reply.claims} == {"supported"}


async def test_a_model_answer_about_buying_hears_the_restock_date(
    demo: nx.MultiDiGraph,
) -> None:
    model = ScriptedChatModel(["The Nimbus Smart Speaker is out of stock."])
    answer = await KnowledgeAnswerer(model).answer(demo, "Can I buy the Nimbus Smart Speaker?")
    assert answer.text.startswith("The Nimbus Smart Speaker is out of stock.")
    assert "December 15, 2026" in answer.text
    assert statuses(answer.claims) == {ClaimStatus.SUPPORTED}


async def test_a_comparison_needs_a_supported_comparison(demo: nx.MultiDiGraph) -> None:
    # A weight alone does not answer "which is lighter?": the composed comparison is
    # delivered instead.
    model = ScriptedChatModel(["The Vector 16 Pro weighs 2100 g."])
    answer = await KnowledgeAnswerer(model).answer(
        demo, "Which is lighter, the Vector 14 or the Vector 16 Pro?"
    )
    assert answer.text == "Vector 14 Laptop (1350 g) is lighter than Vector 16 Pro Laptop (2100 g)."


async def test_a_wrong_no_never_reaches_the_customer(demo: nx.MultiDiGraph) -> None:
    # Every claim is true (they do come in black), but the "No," answers the question
    # wrongly: the composed yes/no answer is delivered.
    model = ScriptedChatModel(["No, the Aurora X2 Headphones come in black."])
    answer = await KnowledgeAnswerer(model).answer(demo, "Does the Aurora X2 come in silver?")
    assert answer.text.startswith("Yes"), answer.text
    assert "silver" in answer.text


async def test_a_sentence_is_regenerated_colder(demo: nx.MultiDiGraph) -> None:
    model = ScriptedChatModel(
        ["The Aurora X2 comes in red and green.", "The Aurora X2 comes in black and silver."]
    )
    answer = await KnowledgeAnswerer(model).answer(demo, "Which colors does the Aurora X2 come in?")
    assert answer.text == "The Aurora X2 comes in black and silver."
    assert [r.kind.value for r in answer.repairs] == ["regenerated"]
    (_, first), (rewrite_messages, rewrite_params) = model.calls
    assert first.dynamic_temperature is not None and first.dynamic_temperature.t_max <= 0.3
    assert rewrite_params.temperature == 0.0
    assert rewrite_messages[0].content.startswith("Rewrite")


async def test_falls_back_to_composition_when_regeneration_fails(demo: nx.MultiDiGraph) -> None:
    model = ScriptedChatModel(["The Aurora X2 comes in red.", "Still red, sorry."])
    answer = await KnowledgeAnswerer(model).answer(demo, "Which colors does the Aurora X2 come in?")
    assert "black and silver" in answer.text
    assert "red" not in answer.text
    assert [r.kind.value for r in answer.repairs] == ["composed"]


@pytest.mark.parametrize(
    "reply",
    [RuntimeError("model crashed"), ""],
)
async def test_model_failure_falls_back_never_silence(demo: nx.MultiDiGraph, reply: object) -> None:
    answer = await KnowledgeAnswerer(ScriptedChatModel([reply])).answer(
        demo, "How much is the Vector 14?"
    )  # type: ignore[list-item]
    assert answer.fell_back
    assert "$1099.00" in answer.text
    assert statuses(answer.claims) == {ClaimStatus.SUPPORTED}


async def test_a_slow_model_times_out_into_a_composed_answer(demo: nx.MultiDiGraph) -> None:
    class Slow:
        name = "slow"

        async def complete(self, messages: Sequence[ChatMessage], params: SamplingParams) -> object:
            await asyncio.sleep(5)
            raise AssertionError("not reached")

        def stream(self, messages: Sequence[ChatMessage], params: SamplingParams) -> object:
            raise NotImplementedError

    answer = await KnowledgeAnswerer(Slow(), timeout_s=0.05).answer(
        demo, "How much is the Vector 14?"
    )  # type: ignore[arg-type]
    assert answer.fell_back and "$1099.00" in answer.text


async def test_prompt_carries_facts_question_and_language(demo: nx.MultiDiGraph) -> None:
    model = ScriptedChatModel(["极光 X2 头戴耳机的价格是129.00美元。"])
    answer = await KnowledgeAnswerer(model, store_name="Acme Gadgets").answer(
        demo, "Aurora X2 多少钱？"
    )
    ((messages, _),) = model.calls
    system, user = messages[0].content, messages[-1].content
    assert "Acme Gadgets" in system and "Simplified Chinese" in system
    assert "极光 X2 头戴耳机的价格是129.00美元。" in system  # facts in the customer's language
    assert user == "Aurora X2 多少钱？"
    assert answer.lang == "zh" and statuses(answer.claims) == {ClaimStatus.SUPPORTED}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Does the Aurora X2 come in red?", "No, Aurora X2 Headphones come in black and silver."),
        ("Aurora X2 有银色的吗?", "是的，极光 X2 头戴耳机有黑色和银色可选。"),
        (
            "Which is lighter, the Vector 14 or the Vector 16 Pro?",
            "Vector 14 Laptop (1350 g) is lighter than Vector 16 Pro Laptop (2100 g).",
        ),
        (
            "Is the Vector 16 Pro lighter than the Vector 14?",
            "No, Vector 16 Pro Laptop (2100 g) is heavier than Vector 14 Laptop (1350 g).",
        ),
        (
            "My order was delivered 10 days ago. Can I still return it?",
            "Yes, since 10 days have passed, it is still within the return window of 30 days (Returns), so you can still do it.",
        ),
        (
            "Do prices include sales tax?",
            "No, prices include no sales tax; tax is added at checkout where it applies.",
        ),
        ("退货期限是多久？", "签收后30天内可以退货。"),
        (
            "What is the meaning of life?",
            "Sorry, I don't have that information. I can connect you with a human agent.",
        ),
    ],
)
async def test_composed_answers(demo: nx.MultiDiGraph, question: str, expected: str) -> None:
    answer = await KnowledgeAnswerer().answer(demo, question)
    assert answer.text == expected
    assert answer.fell_back and answer.draft is None
    assert ClaimStatus.CONTRADICTED not in statuses(answer.claims)


def test_composer_output_always_checks(demo: nx.MultiDiGraph) -> None:
    composer = ComposedAnswerer()
    for question in [
        "price of the Pulse Band",
        "Nimbus Mini 什么颜色",
        "express shipping",
        "Care+",
        "Lumen 4K Webcam 有货吗？",
    ]:
        q = analyse_question(demo, question)
        text = composer.compose(demo, q, retrieve(demo, q), q.lang)
        assert check(demo, text, context=q.subjects).ok, text


def test_sampling_follows_the_dialogue_state() -> None:
    facts, small_talk = sampling_for(AnswerMode.FACTS), sampling_for(AnswerMode.SMALL_TALK)
    assert facts.dynamic_temperature is not None and small_talk.dynamic_temperature is not None
    assert (facts.dynamic_temperature.t_min, facts.dynamic_temperature.t_max) == (0.0, 0.3)
    assert (
        0.7 <= small_talk.dynamic_temperature.t_min <= small_talk.dynamic_temperature.t_max <= 1.0
    )
    assert mode_for_intent("greet") is AnswerMode.SMALL_TALK
    assert mode_for_intent("affirm") is AnswerMode.CONFIRMATION
    assert mode_for_intent("ask_price") is AnswerMode.FACTS


async def test_noisy_model_answers_are_delivered_without_contradictions(
    demo: nx.MultiDiGraph,
) -> None:
    model = FactRestatingModel(
        error_rate=1.0, seed=3, vocabulary=("black", "silver", "white", "red", "blue", "grey")
    )
    answerer = KnowledgeAnswerer(model)
    questions = [
        "Does the Aurora X2 come in red?",
        "How much is express shipping?",
        "How long does a refund take?",
        "What is the warranty on the Vector 14?",
        "Aurora X2 多少钱？",
        "Nimbus Mini 有哪些颜色？",
    ]
    for question in questions:
        answer = await answerer.answer(demo, question)
        assert check(demo, answer.text, context=analyse_question(demo, question).subjects).ok, (
            answer
        )
    assert len(model.perturbations) == len(questions)


def test_fakes_satisfy_the_protocol() -> None:
    assert isinstance(ScriptedChatModel(["x"]), ChatModel)
    assert isinstance(FactRestatingModel(), ChatModel)


def test_json_shape(demo: nx.MultiDiGraph) -> None:
    answer = asyncio.run(KnowledgeAnswerer().answer(demo, "How much is the Vector 14?"))
    data = answer.to_json()
    assert set(data) >= {"text", "claims", "sampling", "latency_ms"}
    assert data["claims"][0]["status"] == "supported"
    assert data["claims"][0]["facts"][0] == {
        "subject": "P-104",
        "predicate": "price",
        "object": "1099.00",
        "unit": "USD",
    }
    assert data["sampling"]["dynamic_temperature"]["t_max"] == 0.3


async def test_require_model_raises_instead_of_falling_back(demo: nx.MultiDiGraph) -> None:
    from dialogue.knowledge import NoModelError

    with pytest.raises(NoModelError):
        await KnowledgeAnswerer(require_model=True).answer(demo, "How much is the Vector 14?")
    failing = ScriptedChatModel([RuntimeError("down")])
    with pytest.raises(NoModelError, match="down"):
        await KnowledgeAnswerer(failing, require_model=True).answer(
            demo, "How much is the Vector 14?"
        )


async def test_looping_or_echoing_drafts_fall_back(demo: nx.MultiDiGraph) -> None:
    from dialogue.knowledge.pipeline import degenerate

    loop = "The answer is: yes. " * 8
    assert degenerate(loop) and not degenerate("The Vector 14 costs $1099.00.")
    answer = await KnowledgeAnswerer(ScriptedChatModel([loop])).answer(
        demo, "How much is the Vector 14?"
    )
    assert answer.fell_back and "$1099.00" in answer.text
    echo = ScriptedChatModel(["How much is the Vector 14? It costs $1099.00."])
    answer = await KnowledgeAnswerer(echo).answer(demo, "How much is the Vector 14?")
    assert answer.text == "It costs $1099.00." and not answer.fell_back


async def test_a_mostly_wrong_draft_is_replaced_by_the_composed_answer(
    demo: nx.MultiDiGraph,
) -> None:
    model = ScriptedChatModel(
        ["The Vector 14 costs $999. It weighs 2 kg. It comes in red.", "I am not sure."]
    )
    answer = await KnowledgeAnswerer(model).answer(
        demo, "Tell me about the Vector 14 price and weight"
    )
    assert answer.fell_back
    assert ClaimStatus.CONTRADICTED not in statuses(answer.claims)
    assert "$1099.00" in answer.text


async def test_an_unverifiable_sentence_never_reaches_the_customer(
    demo: nx.MultiDiGraph,
) -> None:
    model = ScriptedChatModel(
        [
            "The Aurora X2 costs 129 USD. It supports MP3, WAV and AAC formats. "
            "Let me know if you have any other questions."
        ]
    )
    answer = await KnowledgeAnswerer(model).answer(demo, "How much is the Aurora X2?")
    assert "MP3" not in answer.text
    assert "129" in answer.text
    assert any(r.kind.value == "ungrounded" for r in answer.repairs)
    assert answer.draft is not None and "MP3" in answer.draft


async def test_a_draft_that_skips_the_asked_fact_is_replaced(demo: nx.MultiDiGraph) -> None:
    model = ScriptedChatModel(["The Aurora X2 comes in black and silver."])
    answer = await KnowledgeAnswerer(model).answer(demo, "How much is the Aurora X2?")
    assert answer.fell_back
    assert "129" in answer.text


async def test_a_description_that_never_names_the_thing_is_replaced(demo: nx.MultiDiGraph) -> None:
    # "Tell me about X" answered "It costs …": true, but which "it"? The composed answer
    # names it. An attribute question may say "it" ("How much is it?" -> "It costs …").
    model = ScriptedChatModel(["It costs $129.00.", "It costs $129.00."])
    described = await KnowledgeAnswerer(model).answer(demo, "Tell me about the Aurora X2")
    assert described.fell_back and "Aurora X2" in described.text
    priced = await KnowledgeAnswerer(model).answer(demo, "How much is the Aurora X2?")
    assert priced.text == "It costs $129.00." and not priced.fell_back


async def test_no_rewrites_once_the_answer_has_taken_its_budget(demo: nx.MultiDiGraph) -> None:
    # A slow first draft with a wrong sentence: no second generation, the composed answer.
    model = ScriptedChatModel(
        ["The Aurora X2 comes in red and green.", "The Aurora X2 comes in black and silver."]
    )
    answer = await KnowledgeAnswerer(model, rewrite_budget_s=0.0).answer(
        demo, "Which colors does the Aurora X2 come in?"
    )
    assert len(model.calls) == 1
    assert "black and silver" in answer.text and "red" not in answer.text


async def test_a_list_answer_names_every_match() -> None:
    """'Which of your teas are organic?': a true sentence about one organic tea is no
    answer to which ones; the composed answer names them all."""
    tea = load_graph(
        Path(__file__).resolve().parents[3]
        / "bench"
        / "data"
        / "businesses"
        / "cloud-mist-tea"
        / "graph.csv"
    )
    question = "Which of your teas are organic?"
    composed = (await KnowledgeAnswerer(None).answer(tea, question)).text
    model = ScriptedChatModel(["Jasmine Silver Needle is organic."])
    answer = await KnowledgeAnswerer(model).answer(tea, question)
    assert answer.fell_back and answer.text == composed
    assert composed.count("is organic") >= 2, composed
