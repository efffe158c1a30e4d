from __future__ import annotations

import json

import pytest

from dialogue.nlu import Entity, IntentScore, ParseResult, detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("where is my order?", "en"),
        ("我的订单到哪了", "zh"),
        ("Aurora X2 有银色的吗?", "zh"),
        ("A10001", "en"),
        ("", "en"),
        ("？！", "en"),  # full-width punctuation alone is not Chinese
        ("𠀀", "zh"),  # extension B
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_parse_reports_the_best_ten_intents_as_rasa_does() -> None:
    scores = tuple(IntentScore(f"intent_{i}", 0.5**i) for i in range(1, 31))
    result = ParseResult("hi", scores[0], scores, (), "en")
    ranking = result.to_dict()["intent_ranking"]
    assert [s["name"] for s in ranking] == [f"intent_{i}" for i in range(1, 11)]
    assert len(result.intent_ranking) == 30  # the parse itself keeps every candidate


def test_parse_result_to_dict_has_rasa_shape() -> None:
    result = ParseResult(
        text="Aurora X2 有银色的吗?",
        intent=IntentScore("product_colors", 0.9),
        intent_ranking=(IntentScore("product_colors", 0.9), IntentScore("greet", 0.1)),
        entities=(
            Entity("color", "silver", 10, 12, "regex", 1.0, text="银色"),
            Entity("city", "Berlin", 0, 6, "tagger", 0.8, role="from", group="1", text="Berlin"),
        ),
        language="zh",
    )
    data = result.to_dict()
    assert data["intent"] == {"name": "product_colors", "confidence": 0.9}
    assert data["intent_ranking"][1] == {"name": "greet", "confidence": 0.1}
    assert data["entities"][0] == {
        "entity": "color",
        "start": 10,
        "end": 12,
        "value": "silver",
        "extractor": "regex",
        "confidence_entity": 1.0,
        "text": "银色",
    }
    assert data["entities"][1]["role"] == "from" and data["entities"][1]["group"] == "1"
    assert data["language"] == "zh"
    json.dumps(data)  # serialisable as is
