from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from dialogue.exceptions import IncompatibleModelError, ModelError
from dialogue.nlu import (
    FALLBACK_INTENT,
    EntityTaggerConfig,
    FallbackConfig,
    IntentClassifierConfig,
    NLUConfig,
    NLUPipeline,
    train_nlu,
)
from dialogue.nlu.calibration import fit_temperature
from dialogue.project import Project
from dialogue.training_data import TrainingData, TrainingExample

CASES = [
    ("hello there", "greet"),
    ("where is my order A10007", "order_status"),
    ("how much is the Nimbus Mini", "product_price"),
    ("I want to return these headphones", "return_item"),
    ("再见", "goodbye"),
    ("我的订单到哪了", "order_status"),
    ("这个耳机多少钱", "product_price"),
    ("Aurora X2 有银色的吗?", "product_colors"),
    ("Nimbus Mini 可以退货吗", "return_item"),
]


@pytest.mark.parametrize(("text", "intent"), CASES)
def test_predicts_english_chinese_and_mixed(shop_nlu: NLUPipeline, text: str, intent: str) -> None:
    assert shop_nlu.parse(text).intent_ranking[0].name == intent


def test_ranking_is_complete_sorted_and_sums_to_one(shop_nlu: NLUPipeline) -> None:
    result = shop_nlu.parse("Aurora X2 有银色的吗?")
    names = [s.name for s in result.intent_ranking]
    assert sorted(names) == sorted(shop_nlu.intents)
    confidences = [s.confidence for s in result.intent_ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert math.isclose(sum(confidences), 1.0, rel_tol=1e-5)
    assert result.language == "zh" and result.text == "Aurora X2 有银色的吗?"


def test_config_comes_from_the_project_pipeline(shop_nlu: NLUPipeline) -> None:
    assert shop_nlu.config.intent.seed == 7
    assert shop_nlu.config.fallback == FallbackConfig(0.3, 0.1)
    assert shop_nlu.config.ignored_components == ("WhitespaceTokenizer",)


def test_save_load_round_trip_gives_identical_parses(shop_nlu: NLUPipeline, tmp_path: Path) -> None:
    shop_nlu.save(tmp_path / "nlu")
    loaded = NLUPipeline.load(tmp_path / "nlu")
    assert loaded.intents == shop_nlu.intents
    for text, _ in [*CASES, ("完全无关的话 zzz", "")]:
        assert loaded.parse(text) == shop_nlu.parse(text)
    assert not list((tmp_path / "nlu").glob("*.pkl"))


def test_training_is_deterministic_and_leaves_global_rng_alone(shop_project: Project) -> None:
    config = NLUConfig(intent=IntentClassifierConfig(epochs=5, seed=3))
    before = torch.get_rng_state()
    first = train_nlu(shop_project.nlu, config)
    assert torch.equal(before, torch.get_rng_state())
    second = train_nlu(shop_project.nlu, config)
    texts = [text for text, _ in CASES]
    assert torch.equal(
        first.classifier.probabilities(texts), second.classifier.probabilities(texts)
    )
    other = train_nlu(shop_project.nlu, replace(config, intent=replace(config.intent, seed=4)))
    assert not torch.equal(
        first.classifier.probabilities(texts), other.classifier.probabilities(texts)
    )


def test_progress_reports_each_epoch(shop_project: Project) -> None:
    calls: list[tuple[str, int, int]] = []
    train_nlu(
        shop_project.nlu,
        NLUConfig(intent=IntentClassifierConfig(epochs=3), entities=EntityTaggerConfig(epochs=2)),
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert calls == [
        *[("calibration", i, 3) for i in (1, 2, 3)],
        *[("intent_classifier", i, 3) for i in (1, 2, 3)],
        *[("entity_tagger", i, 2) for i in (1, 2)],
    ]


def test_fallback_threshold_keeps_the_ranking(shop_nlu: NLUPipeline) -> None:
    strict = NLUPipeline(
        shop_nlu.config.with_fallback(FallbackConfig(threshold=0.999999)), shop_nlu.classifier
    )
    result = strict.parse("where is my order A10001")
    assert result.intent.name == FALLBACK_INTENT and result.intent.confidence == 0.999999
    assert result.intent_ranking[0].name == "order_status"
    lenient = NLUPipeline(shop_nlu.config.with_fallback(None), shop_nlu.classifier)
    assert lenient.parse("where is my order A10001").intent.name == "order_status"


def test_domain_limits_trained_intents(shop_project: Project) -> None:
    data = shop_project.nlu.merge(
        TrainingData((TrainingExample("undeclared words", "not_in_domain"),) * 3)
    )
    pipeline = train_nlu(
        data, NLUConfig(intent=IntentClassifierConfig(epochs=2)), domain=shop_project.domain
    )
    assert "not_in_domain" not in pipeline.intents


def test_too_few_intents_is_a_model_error() -> None:
    data = TrainingData((TrainingExample("hi", "greet"), TrainingExample("hello", "greet")))
    with pytest.raises(ModelError, match="at least two intents"):
        train_nlu(data)


def test_other_model_format_is_refused(shop_nlu: NLUPipeline, tmp_path: Path) -> None:
    shop_nlu.save(tmp_path)
    meta = json.loads((tmp_path / "nlu.json").read_text(encoding="utf-8"))
    meta["format"] = 999
    (tmp_path / "nlu.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IncompatibleModelError):
        NLUPipeline.load(tmp_path)
    with pytest.raises(ModelError):
        NLUPipeline.load(tmp_path / "missing")


def test_temperature_scaling_recovers_overconfidence() -> None:
    generator = torch.Generator().manual_seed(0)
    true_logits = torch.randn(4000, 5, generator=generator) * 2  # (n, classes)
    labels = torch.multinomial(torch.softmax(true_logits, -1), 1, generator=generator).squeeze(1)
    temperature = fit_temperature(true_logits * 3.0, labels)
    assert 2.6 < temperature < 3.4
    assert fit_temperature(torch.zeros(0, 5), torch.zeros(0, dtype=torch.long)) == 1.0
