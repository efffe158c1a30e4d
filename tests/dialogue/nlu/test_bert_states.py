"""The serving forward pass (``bert_states``) against Hugging Face's, on real MiniLM."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import torch

from dialogue.nlu.bert_states import bert_states, supports
from dialogue.nlu.embeddings import load_transformer, packaged_minilm
from dialogue.nlu.tuned_encoder import _quantized, _tokenize

pytestmark = [pytest.mark.model]

_TEXTS = [
    "where is my order A10003",
    "我想退货，订单号是A10001",
    "do you have the Aurora X2 in 银色?",
    "",
    "a very long message " * 40,  # cut at max_length
]


@pytest.fixture(scope="module")
def minilm() -> tuple[Any, Any]:
    tokenizer, model = load_transformer(packaged_minilm())
    return tokenizer, model.eval()


@pytest.mark.parametrize("int8", [False, True], ids=["float32", "int8"])
def test_the_same_states_as_the_hugging_face_forward(minilm: tuple[Any, Any], int8: bool) -> None:
    tokenizer, model = minilm
    model = _quantized(model) if int8 else model
    with torch.inference_mode():
        for text in _TEXTS:  # one message at a time: no padding
            batch = _tokenize(tokenizer, [text], 64)
            expected = model(**{k: batch[k] for k in ("input_ids", "attention_mask")})
            states = bert_states(model, batch["input_ids"], batch["attention_mask"])
            assert torch.allclose(states, expected.last_hidden_state, atol=1e-5)
        batch = _tokenize(tokenizer, _TEXTS, 64)  # padded: real pieces must not see padding
        expected = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        states = bert_states(model, batch["input_ids"], batch["attention_mask"])
    real = batch["attention_mask"].bool()
    assert not bool(real.all())
    assert torch.allclose(states[real], expected.last_hidden_state[real], atol=1e-5)


def test_only_plain_bert_encoders_are_supported(minilm: tuple[Any, Any]) -> None:
    _, model = minilm
    assert supports(model)
    for change in (
        {"position_embedding_type": "relative_key"},
        {"hidden_act": "gelu_new"},
        {"is_decoder": True},
        {"model_type": "roberta"},
    ):
        other = copy.copy(model)
        other.config = copy.deepcopy(model.config)
        for name, value in change.items():
            setattr(other.config, name, value)
        assert not supports(other), change
    assert not supports(object())
