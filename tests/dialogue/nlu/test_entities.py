from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.nlu import (
    EntityTaggerConfig,
    FallbackConfig,
    IntentClassifierConfig,
    NLUConfig,
    NLUPipeline,
    train_nlu,
)
from dialogue.nlu.entity_rules import RuleExtractor
from dialogue.nlu.entity_tagger import train_entity_tagger
from dialogue.nlu.values import ValueNormaliser, parse_number
from dialogue.training_data import LookupTable, RegexFeature, TrainingData, parse_nlu_yaml


def _entities(pipeline: NLUPipeline, text: str) -> list[tuple[str, str, object]]:
    return [(e.entity, text[e.start : e.end], e.value) for e in pipeline.parse(text).entities]


def test_chinese_and_mixed_spans(shop_nlu: NLUPipeline) -> None:
    text = "Aurora X2 有银色的吗?"
    entities = shop_nlu.parse(text).entities
    assert [(e.entity, e.start, e.end, e.value) for e in entities] == [
        ("product", 0, 9, "Aurora X2"),
        ("color", 11, 13, "silver"),
    ]
    assert all(e.text == text[e.start : e.end] and 0 < e.confidence <= 1 for e in entities)
    # No spaces around the order ID: the regex still finds it (re.ASCII word boundaries).
    assert ("order_id", "A10001", "A10001") in _entities(shop_nlu, "我的订单A10001到哪了")


def test_values_are_normalised(shop_nlu: NLUPipeline) -> None:
    assert ("product", "极光X2", "Aurora X2") in _entities(shop_nlu, "极光X2多少钱")
    found = _entities(shop_nlu, "where is my order a10003? my email is Mia.Chen@Example.com")
    assert ("order_id", "a10003", "A10003") in found
    assert ("email", "Mia.Chen@Example.com", "mia.chen@example.com") in found


def test_domain_restricts_entities_per_intent(shop_nlu: NLUPipeline) -> None:
    # product_price carries only products (use_entities: [product]); colors are dropped.
    text = "how much is the Aurora X2 in black"
    assert shop_nlu.parse(text).intent.name == "product_price"
    assert {e.entity for e in shop_nlu.parse(text).entities} == {"product"}
    colors = shop_nlu.entities("is the Aurora X2 available in black", "product_colors")
    assert {e.entity for e in colors} == {"product", "color"}


def test_knowledge_graph_names(shop_nlu: NLUPipeline) -> None:
    with_names = shop_nlu.with_knowledge(
        {"Vector 14": ("product", "P-104"), "矢量14": ("product", "P-104")}
    )
    found = with_names.parse("how much is the vector 14").entities
    assert [(e.value, e.extractor) for e in found if e.entity == "product"] == [
        ("P-104", "KnowledgeGraphEntityExtractor")
    ]
    assert ("product", "矢量14", "P-104") in _entities(with_names, "矢量14多少钱")


def test_rules_prefer_longest_lookup_and_respect_latin_words() -> None:
    data = TrainingData(
        lookups=(LookupTable("color", ("red", "dark red", "红色")),),
        regexes=(RegexFeature("order_id", (r"\bA\d{5}\b",)),),
    )
    rules = RuleExtractor.build(data, entities={"color", "order_id"})
    found = [(e.entity, e.text) for e in rules.extract("I'm bored of dark red, 要红色的 A12345")]
    assert ("color", "dark red") in found and ("color", "红色") in found
    assert ("color", "red") not in [(e, t) for e, t in found if t == "red"]  # not inside "bored"
    assert ("order_id", "A12345") in found


CONDITIONING = """
nlu:
- intent: inform_city
  examples: |
    - [paris](city)
    - [london](city)
    - [rome](city)
    - I mean [paris](city)
    - I mean [london](city)
- intent: inform_song
  examples: |
    - [paris](song)
    - [london](song)
    - [rome](song)
    - I mean [paris](song)
    - I mean [london](song)
"""


def test_same_token_tagged_by_intent() -> None:
    data = parse_nlu_yaml(CONDITIONING)
    tagger = train_entity_tagger(data.intent_examples, EntityTaggerConfig(epochs=40, seed=1))
    assert tagger is not None
    for text in ("paris", "I mean rome"):
        as_city = tagger.tag(text, "inform_city")
        as_song = tagger.tag(text, "inform_song")
        assert [s.label for s in as_city] == ["city"], text
        assert [s.label for s in as_song] == ["song"], text
        assert as_city[0].start == as_song[0].start
    # The domain can limit the entity types an intent carries: a span of another type is
    # dropped, not relabelled to an allowed type.
    assert [s.label for s in tagger.tag("paris", "inform_song", allowed={"song"})] == ["song"]
    assert tagger.tag("paris", "inform_song", allowed={"city"}) == []
    assert tagger.tag("paris", "inform_song", allowed=set()) == []


def test_roles_come_from_annotations() -> None:
    data = parse_nlu_yaml(
        "nlu:\n- intent: fly\n  examples: |\n"
        + "".join(
            f'    - from [{a}]{{"entity": "city", "role": "from"}} to [{b}]{{"entity": "city", "role": "to"}}\n'
            for a, b in [("paris", "rome"), ("rome", "oslo"), ("oslo", "paris"), ("lima", "rome")]
        )
        + "- intent: greet\n  examples: |\n    - hi\n    - hello\n"
    )
    pipeline = train_nlu(
        data,
        NLUConfig(intent=IntentClassifierConfig(epochs=5), entities=EntityTaggerConfig(epochs=40)),
    )
    found = pipeline.entities("from oslo to lima", "fly")
    assert [(e.text, e.role) for e in found] == [("oslo", "from"), ("lima", "to")]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12), ("1,200", 1200), ("3.5", 3.5), ("１２", 12), ("twenty one", 21),
        ("two hundred", 200), ("十二", 12), ("两", 2), ("三千五百", 3500), ("一万二千", 12000),
        ("一二三", 123), ("apple", None), ("", None),
    ],
)  # fmt: skip
def test_parse_number(text: str, number: float | None) -> None:
    assert parse_number(text) == number


def test_value_normaliser() -> None:
    normalise = ValueNormaliser({"pan asian": "asian"})
    assert normalise.value("cuisine", "Pan Asian", "Pan Asian") == "asian"
    assert normalise.value("order_id", "a 10001", "a 10001") == "A10001"
    assert normalise.value("order_id", "not an id", "not an id") == "not an id"
    assert normalise.value("number", "three", "three") == 3
    assert normalise.value("email", " X@Y.com ", "X@Y.com") == "x@y.com"


def test_numbers_extracted_when_the_data_has_a_number_entity() -> None:
    data = parse_nlu_yaml(
        "nlu:\n- intent: book\n  examples: |\n    - table for [4](number)\n    - table for [two](number)\n"
        "- intent: greet\n  examples: |\n    - hi\n    - hello\n"
    )
    pipeline = train_nlu(
        data,
        NLUConfig(intent=IntentClassifierConfig(epochs=3), entities=EntityTaggerConfig(epochs=3)),
    )
    values = [
        e.value
        for e in pipeline.entities("a table for three people, or 5", "book")
        if e.entity == "number"
    ]
    assert 3 in values and 5 in values


def test_fallback_and_ambiguity_thresholds(shop_nlu: NLUPipeline) -> None:
    text = "where is my order A10001"
    ranking = shop_nlu.parse(text).intent_ranking
    top, second = ranking[0].confidence, ranking[1].confidence
    margin = top - second

    def decided(threshold: float, ambiguity: float) -> str:
        config = shop_nlu.config.with_fallback(FallbackConfig(threshold, ambiguity))
        result = shop_nlu.with_config(config).parse(text)
        assert result.intent_ranking == ranking  # the ranking is kept for clarification
        return result.intent.name

    assert decided(top - 1e-6, 0.0) == "order_status"
    assert decided(min(1.0, top + 1e-6), 0.0) == "nlu_fallback"
    assert decided(0.0, margin - 1e-6) == "order_status"
    assert decided(0.0, min(1.0, margin + 1e-6)) == "nlu_fallback"


def test_fallback_thresholds_come_from_config_yml(tmp_path: Path) -> None:
    from dialogue.project import ProjectConfig

    config = NLUConfig.from_project_config(
        ProjectConfig.from_yaml(
            "pipeline:\n- name: FallbackClassifier\n  threshold: 0.7\n  ambiguity_threshold: 0.2\n"
        )
    )
    assert config.fallback == FallbackConfig(0.7, 0.2)
