"""Scoring an NLU on labelled examples: intent accuracy/F1, entity span F1, confusion.

Pure: :func:`predict` runs a parser over examples, :func:`score` turns predictions into an
:class:`EvaluationReport`; writing files is the CLI's job. Entities count as correct when
type, start and end all match (CoNLL-style exact spans, as in SNIPS slot F1).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dialogue.nlu.types import ParseResult
from dialogue.training_data import TrainingData, TrainingExample

if TYPE_CHECKING:
    from dialogue.domain import Domain
    from dialogue.nlu.config import NLUConfig
    from dialogue.project import ProjectConfig

__all__ = [
    "EvaluationReport",
    "Prediction",
    "classification_scores",
    "cross_validate",
    "predict",
    "score",
    "span_scores",
    "stratified_folds",
]

Span = tuple[str, int, int]


@dataclass(frozen=True)
class Prediction:
    """One labelled example with the parse the NLU gave it."""

    example: TrainingExample
    parse: ParseResult

    @property
    def gold_spans(self) -> set[Span]:
        return {(a.entity, a.start, a.end) for a in self.example.entities}

    @property
    def predicted_spans(self) -> set[Span]:
        return {(e.entity, e.start, e.end) for e in self.parse.entities}


@dataclass(frozen=True)
class EvaluationReport:
    """Scores of one evaluation; :meth:`to_json` is report.json's exact shape."""

    n: int
    intent_accuracy: float
    intent_macro_f1: float
    per_intent: dict[str, dict[str, float]]
    entity_micro_f1: float
    per_entity: dict[str, dict[str, float]]
    confusion_labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: gold, columns: predicted
    errors: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "intent": {
                "accuracy": self.intent_accuracy,
                "macro_f1": self.intent_macro_f1,
                "per_intent": self.per_intent,
            },
            "entities": {"micro_f1": self.entity_micro_f1, "per_entity": self.per_entity},
        }


def predict(
    parse: Callable[[str], ParseResult], examples: Iterable[TrainingExample]
) -> list[Prediction]:
    """Parse every example's text (one at a time, as in production)."""
    return [Prediction(e, parse(e.text)) for e in examples]


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def classification_scores(
    gold: Sequence[str], predicted: Sequence[str]
) -> tuple[float, float, dict[str, dict[str, float]]]:
    """(accuracy, macro F1, per label {precision, recall, f1, support}); labels are the
    union of gold and predicted ones, as scikit-learn's macro average."""
    labels = sorted(set(gold) | set(predicted))
    pairs = Counter(zip(gold, predicted, strict=True))
    per_label: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = pairs[(label, label)]
        support = sum(1 for g in gold if g == label)
        predicted_n = sum(1 for p in predicted if p == label)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        per_label[label] = {
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "support": support,
        }
    accuracy = sum(pairs[(label, label)] for label in labels) / len(gold) if gold else 0.0
    macro = sum(s["f1"] for s in per_label.values()) / len(labels) if labels else 0.0
    return accuracy, macro, per_label


def span_scores(
    gold: Sequence[set[Span]], predicted: Sequence[set[Span]]
) -> tuple[float, dict[str, dict[str, float]]]:
    """(micro F1, per entity type {precision, recall, f1, support}) over exact spans.

    With no gold and no predicted entity at all, micro F1 is 1.0 (nothing to get wrong).
    """
    tp: Counter[str] = Counter()
    gold_n: Counter[str] = Counter()
    predicted_n: Counter[str] = Counter()
    for gold_set, predicted_set in zip(gold, predicted, strict=True):
        for span in gold_set:
            gold_n[span[0]] += 1
        for span in predicted_set:
            predicted_n[span[0]] += 1
        for span in gold_set & predicted_set:
            tp[span[0]] += 1
    per_entity = {}
    for entity in sorted(set(gold_n) | set(predicted_n)):
        precision = tp[entity] / predicted_n[entity] if predicted_n[entity] else 0.0
        recall = tp[entity] / gold_n[entity] if gold_n[entity] else 0.0
        per_entity[entity] = {
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "support": gold_n[entity],
        }
    total_tp, total_gold, total_predicted = (
        sum(tp.values()),
        sum(gold_n.values()),
        sum(predicted_n.values()),
    )
    if not total_gold and not total_predicted:
        return 1.0, per_entity
    precision = total_tp / total_predicted if total_predicted else 0.0
    recall = total_tp / total_gold if total_gold else 0.0
    return _f1(precision, recall), per_entity


def score(predictions: Sequence[Prediction]) -> EvaluationReport:
    """Scores, confusion matrix and the list of mistakes for ``predictions``."""
    gold = [str(p.example.intent) for p in predictions]
    predicted = [p.parse.intent.name for p in predictions]
    accuracy, macro, per_intent = classification_scores(gold, predicted)
    micro, per_entity = span_scores(
        [p.gold_spans for p in predictions], [p.predicted_spans for p in predictions]
    )
    labels = tuple(sorted(set(gold) | set(predicted)))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    errors = []
    for prediction in predictions:
        missing = prediction.gold_spans - prediction.predicted_spans
        extra = prediction.predicted_spans - prediction.gold_spans
        if prediction.parse.intent.name == prediction.example.intent and not missing and not extra:
            continue
        text = prediction.example.text
        errors.append(
            {
                "text": text,
                "intent": prediction.example.intent,
                "predicted": prediction.parse.intent.name,
                "confidence": prediction.parse.intent.confidence,
                "ranking": [
                    {"name": s.name, "confidence": s.confidence}
                    for s in prediction.parse.intent_ranking[:3]
                ],
                "missing_entities": [
                    {"entity": e, "start": s, "end": t, "text": text[s:t]}
                    for e, s, t in sorted(missing)
                ],
                "extra_entities": [
                    {"entity": e, "start": s, "end": t, "text": text[s:t]}
                    for e, s, t in sorted(extra)
                ],
            }
        )
    return EvaluationReport(
        n=len(predictions),
        intent_accuracy=accuracy,
        intent_macro_f1=macro,
        per_intent=per_intent,
        entity_micro_f1=micro,
        per_entity=per_entity,
        confusion_labels=labels,
        confusion=tuple(tuple(row) for row in matrix),
        errors=tuple(errors),
    )


def stratified_folds(
    examples: Sequence[TrainingExample], k: int, *, seed: int = 0
) -> list[tuple[list[TrainingExample], list[TrainingExample]]]:
    """``k`` (train, test) splits; every intent's examples are spread over the folds."""
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    by_intent: dict[str, list[TrainingExample]] = {}
    for example in examples:
        by_intent.setdefault(str(example.intent), []).append(example)
    rng = random.Random(seed)
    folds: list[list[TrainingExample]] = [[] for _ in range(k)]
    position = 0
    for intent in sorted(by_intent):
        members = list(by_intent[intent])
        rng.shuffle(members)
        for example in members:
            folds[position % k].append(example)
            position += 1
    return [
        ([e for j, fold in enumerate(folds) if j != i for e in fold], folds[i]) for i in range(k)
    ]


def cross_validate(
    data: TrainingData,
    config: NLUConfig | ProjectConfig | None,
    folds: int,
    *,
    domain: Domain | None = None,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Prediction]:
    """Train on k-1 folds and predict the held-out one, ``folds`` times; returns the
    predictions of every example (score them with :func:`score`)."""
    from dialogue.nlu.pipeline import train_nlu

    predictions: list[Prediction] = []
    splits = stratified_folds(data.intent_examples, folds, seed=seed)
    for index, (train, test) in enumerate(splits):
        pipeline = train_nlu(data.with_examples(train), config, domain=domain)
        predictions.extend(predict(pipeline.parse, test))
        if progress is not None:
            progress("cross_validation", index + 1, len(splits))
    return predictions
