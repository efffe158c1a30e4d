"""One end-to-end run with the real small model (SmolLM2-135M): slow, loads real weights."""

from __future__ import annotations

import pytest

from assistants.acme.knowledge import load_demo_graph
from dialogue.knowledge import KnowledgeAnswerer
from knowledge_graph import ClaimStatus, analyse_question, check

pytestmark = [pytest.mark.slow, pytest.mark.model]


async def test_real_model_answers_are_checked_and_never_contradict() -> None:
    runtime = pytest.importorskip("model_runtime")
    load_chat_model = getattr(runtime, "load_chat_model", None)
    if load_chat_model is None:
        pytest.skip("model_runtime.load_chat_model is not available")
    from app.settings import Settings

    settings = Settings()
    model = load_chat_model("smollm2-135m-instruct", device="cpu", cache_dir=settings.cache_dir)
    graph = load_demo_graph()
    try:
        answerer = KnowledgeAnswerer(model, store_name="Acme Gadgets", timeout_s=300)
        for question in (
            "What warranty does the Aurora X2 come with?",
            "How much is express shipping?",
        ):
            answer = await answerer.answer(graph, question)
            assert answer.text
            assert answer.draft is not None  # the model did answer
            context = analyse_question(graph, question).subjects
            assert check(graph, answer.text, context=context).ok
            assert all(c.status is not ClaimStatus.CONTRADICTED for c in answer.claims)
    finally:
        await model.aclose()
