"""The NLU cascade: train it with :func:`train_nlu`, run it with :meth:`NLUPipeline.parse`.

Stored models are a folder with ``nlu.json`` (settings, labels, vocabulary) and
``intent_classifier.safetensors`` (tensors); nothing is pickled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from safetensors.torch import load_file, save_file

from dialogue.exceptions import IncompatibleModelError, ModelError
from dialogue.nlu.config import NLUConfig
from dialogue.nlu.features import TextFeaturizer
from dialogue.nlu.intent_classifier import IntentClassifier, IntentNet, train_intent_classifier
from dialogue.nlu.language import detect_language
from dialogue.nlu.types import IntentScore, ParseResult
from dialogue.project import ProjectConfig
from dialogue.training_data import TrainingData

if TYPE_CHECKING:
    from dialogue.domain import Domain

__all__ = ["FALLBACK_INTENT", "MODEL_FORMAT", "NLUPipeline", "Progress", "train_nlu"]

#: The intent predicted when the classifier is unsure (Rasa's name).
FALLBACK_INTENT = "nlu_fallback"
#: Version of the stored model layout; models of another version must be retrained.
MODEL_FORMAT = 1
_META = "nlu.json"
_TENSORS = "intent_classifier.safetensors"

Progress = Callable[[str, int, int], None]


class NLUPipeline:
    """A trained NLU: :meth:`parse` a message, :meth:`save` to and :meth:`load` from a folder."""

    def __init__(self, config: NLUConfig, classifier: IntentClassifier) -> None:
        self.config = config
        self.classifier = classifier

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents the classifier can predict (``nlu_fallback`` is not among them)."""
        return self.classifier.intents

    def parse(self, text: str) -> ParseResult:
        """Intent ranking (calibrated, best first) and entities of one message."""
        ranking = tuple(
            IntentScore(name, confidence) for name, confidence in self.classifier.rank(text)
        )
        return ParseResult(
            text=text,
            intent=self._decide(ranking),
            intent_ranking=ranking,
            entities=(),
            language=detect_language(text),
        )

    def _decide(self, ranking: tuple[IntentScore, ...]) -> IntentScore:
        top = ranking[0]
        fallback = self.config.fallback
        if fallback is None:
            return top
        margin = top.confidence - ranking[1].confidence if len(ranking) > 1 else 1.0
        if top.confidence < fallback.threshold or margin < fallback.ambiguity_threshold:
            # Rasa's FallbackClassifier reports the threshold as the fallback's confidence.
            return IntentScore(FALLBACK_INTENT, fallback.threshold)
        return top

    # --- persistence -----------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the model into ``directory`` (created if needed); read back with :meth:`load`."""
        directory.mkdir(parents=True, exist_ok=True)
        classifier = self.classifier
        tensors = {
            f"net.{k}": v.detach().contiguous() for k, v in classifier.net.state_dict().items()
        }
        tensors["idf"] = torch.tensor(classifier.featurizer.idf, dtype=torch.float64)
        save_file(tensors, str(directory / _TENSORS))
        meta = {
            "format": MODEL_FORMAT,
            "config": self.config.to_dict(),
            "intents": list(classifier.intents),
            "temperature": classifier.temperature,
            "featurizer": {
                "char_ngram_max": classifier.featurizer.char_ngram_max,
                "word_ngram_max": classifier.featurizer.word_ngram_max,
                "vocabulary": list(classifier.featurizer.vocabulary),
            },
        }
        (directory / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> NLUPipeline:
        """Read a model written by :meth:`save`; raises ModelError (or IncompatibleModelError
        for another format version) when it cannot."""
        try:
            meta: dict[str, Any] = json.loads((directory / _META).read_text(encoding="utf-8"))
            tensors = load_file(str(directory / _TENSORS))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read the NLU model in {directory}: {exc}") from exc
        if meta.get("format") != MODEL_FORMAT:
            raise IncompatibleModelError(
                f"the NLU model in {directory} has format {meta.get('format')}, this kefu "
                f"reads {MODEL_FORMAT}; retrain it (kefu train --force)"
            )
        config = NLUConfig.from_dict(meta["config"])
        spec = meta["featurizer"]
        featurizer = TextFeaturizer(
            spec["vocabulary"],
            tensors["idf"].tolist(),
            char_ngram_max=int(spec["char_ngram_max"]),
            word_ngram_max=int(spec["word_ngram_max"]),
        )
        intents = tuple(meta["intents"])
        net = IntentNet(
            featurizer.size, len(intents), config.intent.hidden_dim, config.intent.dropout
        )
        net.load_state_dict(
            {k[len("net.") :]: v for k, v in tensors.items() if k.startswith("net.")}
        )
        net.eval()
        classifier = IntentClassifier(featurizer, intents, net, float(meta["temperature"]))
        return cls(config, classifier)


def train_nlu(
    data: TrainingData,
    config: NLUConfig | ProjectConfig | None = None,
    *,
    domain: Domain | None = None,
    progress: Progress | None = None,
) -> NLUPipeline:
    """Train the NLU on ``data``; ``progress(stage, done, total)`` reports each epoch.

    ``config`` may be a project's config.yml (its pipeline is read) or an NLUConfig.
    Raises ModelError when the data cannot train a classifier (fewer than two intents).
    """
    if isinstance(config, ProjectConfig):
        config = NLUConfig.from_project_config(config)
    config = config or NLUConfig()
    examples = data.intent_examples
    if domain is not None and domain.intents:
        # Examples of intents the domain does not declare would be predicted for nothing.
        declared = set(domain.intent_names)
        examples = tuple(e for e in examples if e.intent in declared)
    try:
        classifier = train_intent_classifier(
            [e.text for e in examples],
            [str(e.intent) for e in examples],
            config.intent,
            progress=progress,
        )
    except ValueError as exc:
        raise ModelError(f"cannot train the NLU: {exc}") from exc
    return NLUPipeline(config, classifier)
