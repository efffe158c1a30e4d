"""Incremental detokenization never shows half a character."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model_runtime.detokenize import IncrementalDetokenizer
from model_runtime.loading import LoadedModel


@pytest.mark.parametrize(
    "text", ["您好，龍鳳呈祥！退货政策是什么？", "Hello 世界 🎉 naïve café", "保修期为24个月。"]
)
def test_streamed_pieces_are_whole_characters_and_add_up(tiny: LoadedModel, text: str) -> None:
    tokenizer = tiny.tokenizer
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    # Rare characters are split over several byte-level tokens: the case this guards.
    assert len(ids) > len(text) // 2
    detok = IncrementalDetokenizer(tokenizer)
    pieces = [detok.add(i) for i in ids] + [detok.flush()]
    assert all("\ufffd" not in p for p in pieces)
    assert "".join(pieces) == text


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30))
def test_any_text_round_trips(tiny: LoadedModel, text: str) -> None:
    tokenizer = tiny.tokenizer
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    detok = IncrementalDetokenizer(tokenizer)
    joined = "".join(detok.add(i) for i in ids) + detok.flush()
    assert joined == tokenizer.decode(ids, skip_special_tokens=True)
