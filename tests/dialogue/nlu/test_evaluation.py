from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, f1_score

from dialogue.nlu.evaluation import classification_scores, span_scores, stratified_folds
from dialogue.training_data import TrainingExample

_labels = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(_labels, _labels), min_size=1, max_size=30))
def test_classification_scores_match_scikit_learn(pairs: list[tuple[str, str]]) -> None:
    gold = [g for g, _ in pairs]
    predicted = [p for _, p in pairs]
    accuracy, macro, per_label = classification_scores(gold, predicted)
    assert abs(accuracy - accuracy_score(gold, predicted)) < 1e-9
    assert abs(macro - f1_score(gold, predicted, average="macro", zero_division=0)) < 1e-9
    assert sum(s["support"] for s in per_label.values()) == len(gold)


def test_span_scores() -> None:
    gold = [{("product", 0, 9), ("color", 11, 13)}, set()]
    predicted = [{("product", 0, 9), ("color", 11, 12)}, {("color", 0, 2)}]
    micro, per_entity = span_scores(gold, predicted)
    # tp 1, predicted 3, gold 2 -> precision 1/3, recall 1/2
    assert abs(micro - 0.4) < 1e-9
    assert per_entity["product"]["f1"] == 1.0 and per_entity["color"]["f1"] == 0.0
    assert span_scores([set()], [set()])[0] == 1.0


def test_stratified_folds_cover_every_example_once() -> None:
    examples = [TrainingExample(f"t{i}", "ab"[i % 2]) for i in range(11)]
    folds = stratified_folds(examples, 3)
    tested = [e for _, test in folds for e in test]
    assert sorted(e.text for e in tested) == sorted(e.text for e in examples)
    for train, test in folds:
        assert not set(e.text for e in train) & set(e.text for e in test)
        assert {e.intent for e in test} == {"a", "b"}
