"""NLU settings, read from the ``pipeline`` of a project's config.yml.

kefu runs one fixed cascade (intent classifier, then the entity tagger conditioned on the
intent, regexes, lookup tables, synonyms, knowledge-graph names); the pipeline tunes it.
Components with options:

``IntentClassifier`` (or ``CharNGramIntentClassifier``)
    epochs, hidden_dim, learning_rate, batch_size, dropout, feature_dropout,
    char_ngram_max, word_ngram_max, max_features, calibration_fraction, seed
``EntityTagger`` (or ``IntentConditionedEntityExtractor``)
    epochs, embedding_dim, hidden_dim, intent_dim, learning_rate, batch_size, dropout,
    word_dropout, seed, enabled
``FallbackClassifier`` (Rasa's name and options)
    threshold, ambiguity_threshold
``SentenceEmbeddings``
    model_dir (a local Hugging Face folder; default: the packaged all-MiniLM-L6-v2).
    Adds mean-pooled sentence vectors as a second input of the intent classifier (more
    accurate on large English data, about 5-10 ms more per message on CPU).
``TransformerEncoder``
    model_dir, epochs, learning_rate, head_learning_rate, batch_size, max_length,
    label_smoothing, tag_loss_weight, freeze_embeddings, quantize (int8 for serving),
    training_threads, seed.
    Fine-tunes the transformer (default: the packaged all-MiniLM-L6-v2) on the intents and
    entity tags; its intent scores are pooled with the n-gram classifier's and its token
    states feed the entity tagger. The most accurate choice on large data, at the cost of
    minutes of training and one transformer pass per message. Not with SentenceEmbeddings.

``RegexEntityExtractor``, ``LookupEntityExtractor`` and ``EntitySynonymMapper`` are
always part of the cascade. Other Rasa components (tokenizers, featurizers, DIET, ...)
are listed in :attr:`NLUConfig.ignored_components` so callers can say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar

from dialogue.exceptions import ProjectError

if TYPE_CHECKING:
    from dialogue.project import ProjectConfig

__all__ = ["EncoderConfig", "FallbackConfig", "IntentClassifierConfig", "NLUConfig"]

# The first two names are kefu's own and take options; the others are Rasa's.
_CLASSIFIER_NAMES = ("IntentClassifier", "CharNGramIntentClassifier")
_TAGGER_NAMES = ("EntityTagger", "IntentConditionedEntityExtractor")
# Parts of kefu's cascade that always run and have no options.
_BUILT_IN = frozenset(
    {"RegexEntityExtractor", "LookupEntityExtractor", "EntitySynonymMapper", "FallbackClassifier"}
)


@dataclass(frozen=True)
class IntentClassifierConfig:
    """Knobs of the intent classifier; the defaults suit 10-100 examples per intent.

    ``calibration_fraction`` of the examples (per intent) is held out to fit the softmax
    temperature; the final model is then trained on all examples.
    """

    epochs: int = 30
    hidden_dim: int = 256
    learning_rate: float = 5e-3
    batch_size: int = 64
    dropout: float = 0.2
    feature_dropout: float = 0.2
    char_ngram_max: int = 4
    word_ngram_max: int = 2
    max_features: int = 200_000
    calibration_fraction: float = 0.15
    seed: int = 0
    sentence_embeddings: bool = False
    embedding_model_dir: str | None = None

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.hidden_dim < 1 or self.batch_size < 1:
            raise ProjectError("IntentClassifier: epochs, hidden_dim and batch_size must be >= 1")
        if not 0.0 <= self.dropout < 1.0 or not 0.0 <= self.feature_dropout < 1.0:
            raise ProjectError("IntentClassifier: dropout values must be in [0, 1)")
        if not 0.0 <= self.calibration_fraction < 0.5:
            raise ProjectError("IntentClassifier: calibration_fraction must be in [0, 0.5)")
        if self.char_ngram_max < 1 or self.word_ngram_max < 1 or self.max_features < 1:
            raise ProjectError("IntentClassifier: n-gram sizes and max_features must be >= 1")


@dataclass(frozen=True)
class EntityTaggerConfig:
    """Knobs of the tagger; ``word_dropout`` replaces known words by "unknown" in training
    so the tagger learns to rely on context and character n-grams."""

    epochs: int = 12
    embedding_dim: int = 48
    hidden_dim: int = 64
    intent_dim: int = 16
    learning_rate: float = 5e-3
    batch_size: int = 64
    dropout: float = 0.25
    word_dropout: float = 0.1
    seed: int = 0
    enabled: bool = True
    gazetteer: bool = True
    gazetteer_folds: int = 5

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or min(self.embedding_dim, self.hidden_dim) < 1:
            raise ProjectError("EntityTagger: epochs, batch_size and sizes must be >= 1")
        if self.gazetteer_folds < 2:
            raise ProjectError("EntityTagger: gazetteer_folds must be >= 2")
        if not 0 <= self.dropout < 1 or not 0 <= self.word_dropout < 1:
            raise ProjectError("EntityTagger: dropout values must be in [0, 1)")


@dataclass(frozen=True)
class EncoderConfig:
    """Fine-tuning of the ``TransformerEncoder``; ``training_threads`` 0 means all cores
    (a transformer, unlike the small models, gains from every core)."""

    model_dir: str | None = None
    epochs: int = 3
    learning_rate: float = 8e-5
    head_learning_rate: float = 2e-3
    batch_size: int = 32
    max_length: int = 64
    label_smoothing: float = 0.1
    tag_loss_weight: float = 1.0
    freeze_embeddings: bool = True
    quantize: bool = False
    training_threads: int = 0
    #: Fine-tuning arithmetic: "bfloat16" (mixed precision, weights stay float32),
    #: "float32" (the default), or "auto": bfloat16 where the CPU has AVX-512.
    precision: str = "float32"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.precision not in ("auto", "float32", "bfloat16"):
            raise ProjectError(
                f"TransformerEncoder: precision must be auto, float32 or bfloat16, "
                f"not {self.precision!r}"
            )
        if min(self.epochs, self.batch_size) < 1 or self.max_length < 8:
            raise ProjectError(
                "TransformerEncoder: epochs and batch_size must be >= 1, max_length >= 8"
            )
        if self.learning_rate <= 0 or self.head_learning_rate <= 0:
            raise ProjectError("TransformerEncoder: learning rates must be > 0")
        if not 0.0 <= self.label_smoothing < 1.0 or self.tag_loss_weight < 0:
            raise ProjectError(
                "TransformerEncoder: label_smoothing must be in [0, 1), tag_loss_weight >= 0"
            )
        if self.training_threads < 0:
            raise ProjectError("TransformerEncoder: training_threads must be >= 0")


@dataclass(frozen=True)
class _EmbeddingOptions:
    model_dir: str | None = None


@dataclass(frozen=True)
class FallbackConfig:
    """Predict ``nlu_fallback`` when the top confidence is under ``threshold`` or the top
    two are closer than ``ambiguity_threshold`` (Rasa's FallbackClassifier semantics)."""

    threshold: float = 0.3
    ambiguity_threshold: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0 or not 0.0 <= self.ambiguity_threshold <= 1.0:
            raise ProjectError("FallbackClassifier: thresholds must be between 0 and 1")


@dataclass(frozen=True)
class NLUConfig:
    """The whole NLU configuration; ``fallback`` None means never fall back.

    ``training_threads`` is torch's intra-op thread count while training (1: these models
    are small, and more threads slow down badly on a busy machine).
    """

    language: str = "en"
    intent: IntentClassifierConfig = field(default_factory=IntentClassifierConfig)
    entities: EntityTaggerConfig = field(default_factory=EntityTaggerConfig)
    fallback: FallbackConfig | None = None
    ignored_components: tuple[str, ...] = ()
    training_threads: int = 1
    encoder: EncoderConfig | None = None

    @classmethod
    def from_project_config(cls, config: ProjectConfig) -> NLUConfig:
        """Read the pipeline of a project's config.yml (unknown options raise ProjectError)."""
        intent = IntentClassifierConfig()
        embedding: _EmbeddingOptions | None = None
        entities = EntityTaggerConfig()
        fallback = None
        encoder = None
        ignored = []
        for component in config.pipeline:
            name = str(component.get("name"))
            options = {k: v for k, v in component.items() if k != "name"}
            if name in _CLASSIFIER_NAMES:
                intent = _build(IntentClassifierConfig, options, name)
            elif name == "SentenceEmbeddings":
                embedding = _build(_EmbeddingOptions, options, name)
            elif name in _TAGGER_NAMES:
                entities = _build(EntityTaggerConfig, options, name)
            elif name == "FallbackClassifier":
                fallback = _build(FallbackConfig, options, name)
            elif name == "TransformerEncoder":
                encoder = _build(EncoderConfig, options, name)
            elif name not in _BUILT_IN:
                # Rasa classifiers/extractors are read as kefu's, with default options.
                ignored.append(name)
        if embedding is not None and encoder is not None:
            raise ProjectError(
                "use either SentenceEmbeddings or TransformerEncoder in the pipeline, not both"
            )
        if embedding is not None:
            intent = replace(
                intent, sentence_embeddings=True, embedding_model_dir=embedding.model_dir
            )
        return cls(config.language, intent, entities, fallback, tuple(ignored), encoder=encoder)

    def __post_init__(self) -> None:
        if self.training_threads < 1:
            raise ProjectError("training_threads must be >= 1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NLUConfig:
        """Inverse of :meth:`to_dict` (for stored models)."""
        fallback = data.get("fallback")
        encoder = data.get("encoder")
        return cls(
            language=str(data.get("language", "en")),
            intent=_build(IntentClassifierConfig, data.get("intent") or {}, "IntentClassifier"),
            entities=_build(EntityTaggerConfig, data.get("entities") or {}, "EntityTagger"),
            fallback=_build(FallbackConfig, fallback, "FallbackClassifier") if fallback else None,
            ignored_components=tuple(data.get("ignored_components") or ()),
            training_threads=int(data.get("training_threads", 1)),
            encoder=_build(EncoderConfig, encoder, "TransformerEncoder") if encoder else None,
        )

    def with_fallback(self, fallback: FallbackConfig | None) -> NLUConfig:
        return replace(self, fallback=fallback)


_Options = TypeVar(
    "_Options",
    IntentClassifierConfig,
    EntityTaggerConfig,
    FallbackConfig,
    EncoderConfig,
    _EmbeddingOptions,
)


def _build(kind: type[_Options], options: Mapping[str, Any], component: str) -> _Options:
    allowed = {f.name for f in fields(kind)}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ProjectError(f"{component}: unknown option(s) {unknown}; known: {sorted(allowed)}")
    try:
        return kind(**options)
    except TypeError as exc:
        raise ProjectError(f"{component}: {exc}") from None
