"""The NLU cascade: train it with :func:`train_nlu`, run it with :meth:`NLUPipeline.parse`.

One message goes through: intent classifier (calibrated ranking) -> fallback decision ->
entity tagger conditioned on the top intent, with the entity types the domain allows for
that intent -> regexes, lookup tables, knowledge-graph names, emails, numbers -> overlap
resolution -> value normalisation (synonyms, numbers, order IDs, emails).

Stored models are a folder with ``nlu.json`` (settings, labels, vocabularies, rules) and
``*.safetensors`` (tensors); nothing is pickled.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from safetensors.torch import load_file, save_file

from dialogue.exceptions import IncompatibleModelError, ModelError
from dialogue.nlu.compound import asking_part
from dialogue.nlu.config import NLUConfig
from dialogue.nlu.embeddings import SentenceEncoder
from dialogue.nlu.entity_rules import KnowledgeNames, RuleExtractor, synonym_names
from dialogue.nlu.entity_tagger import (
    EntityTagger,
    bio_tags,
    split_label,
    train_entity_tagger,
)
from dialogue.nlu.features import TextFeaturizer
from dialogue.nlu.gazetteer import GazetteerEntry
from dialogue.nlu.intent_classifier import IntentClassifier, IntentNet, train_intent_classifier
from dialogue.nlu.tokens import tokenize_with_offsets
from dialogue.nlu.tuned_encoder import TunedEncoder, fine_tune_encoder
from dialogue.nlu.types import Entity, IntentScore, ParseResult
from dialogue.nlu.values import ValueNormaliser
from dialogue.project import ProjectConfig
from dialogue.training_data import LookupTable, RegexFeature, TrainingData, TrainingExample
from knowledge_graph.language import detect_language

if TYPE_CHECKING:
    from dialogue.domain import Domain

__all__ = ["FALLBACK_INTENT", "MODEL_FORMAT", "NLUPipeline", "Progress", "train_nlu"]

#: The intent predicted when the classifier is unsure (Rasa's name).
FALLBACK_INTENT = "nlu_fallback"
#: Version of the stored model layout; models of another version must be retrained.
#: 3: int8 transformers (``quantize: true``) use per-row weight scales, so a tagger trained
#: on format 2's int8 states would be served other states.
MODEL_FORMAT = 3
_META = "nlu.json"
_CLASSIFIER_TENSORS = "intent_classifier.safetensors"
_TAGGER_TENSORS = "entity_tagger.safetensors"
_ENCODER = "encoder"  # folder of the fine-tuned transformer, when there is one
_TAGGER = "IntentConditionedEntityExtractor"
# Exact patterns beat learned and listed spans when they overlap.
_EXACT_EXTRACTORS = frozenset({"RegexEntityExtractor", "EmailEntityExtractor"})

Progress = Callable[[str, int, int], None]


class NLUPipeline:
    """A trained NLU: :meth:`parse` a message, :meth:`save` to and :meth:`load` from a folder.

    ``entity_scope`` maps an intent to the entity types its messages may carry (from the
    domain's use_entities/ignore_entities); intents not in it may carry any.
    ``entity_types`` are the entity types of the data and domain: regexes and lookup
    tables named after one of them extract it (others stay unused, as in Rasa).
    """

    def __init__(
        self,
        config: NLUConfig,
        classifier: IntentClassifier,
        *,
        tagger: EntityTagger | None = None,
        rule_data: TrainingData | None = None,
        synonyms: Mapping[str, str] | None = None,
        entity_scope: Mapping[str, frozenset[str]] | None = None,
        knowledge: KnowledgeNames | None = None,
        synonym_entities: KnowledgeNames | None = None,
        entity_types: Collection[str] | None = None,
    ) -> None:
        self.config = config
        self.classifier = classifier
        self.tagger = tagger
        self.rule_data = rule_data or TrainingData()
        self.synonyms = dict(synonyms or {})
        self.entity_scope = dict(entity_scope or {})
        self.knowledge = dict(knowledge or {})
        self.synonym_entities = dict(synonym_entities or {})
        self.entity_types = frozenset(entity_types or ()) | {
            split_label(label)[0] for label in (tagger.labels if tagger else ())
        }
        self.rules = RuleExtractor.build(
            self.rule_data,
            entities=self.entity_types,
            knowledge=self.knowledge,
            synonym_names=self.synonym_entities,
        )
        self.normaliser = ValueNormaliser(self.synonyms)

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents the classifier can predict (``nlu_fallback`` is not among them)."""
        return self.classifier.intents

    def with_knowledge(self, knowledge: KnowledgeNames) -> NLUPipeline:
        """A pipeline that also finds ``knowledge`` names: {surface: (entity, canonical)},
        e.g. product names and aliases from the knowledge graph."""
        return NLUPipeline(
            self.config,
            self.classifier,
            tagger=self.tagger,
            rule_data=self.rule_data,
            synonyms=self.synonyms,
            entity_scope=self.entity_scope,
            knowledge=knowledge,
            synonym_entities=self.synonym_entities,
            entity_types=self.entity_types,
        )

    def with_config(self, config: NLUConfig) -> NLUPipeline:
        """The same models with other settings (e.g. fallback thresholds)."""
        pipeline = self.with_knowledge(self.knowledge)
        pipeline.config = config
        return pipeline

    def parse(self, text: str) -> ParseResult:
        """Intent ranking (calibrated, best first), decided intent and entities of a message."""
        ranking = tuple(IntentScore(name, p) for name, p in self.classifier.rank(text))
        entities = self.entities(text, ranking[0].name)
        asking = asking_part(text, entities)
        if asking is not None:
            # "I want to return order A10004, my email is …": the intent is what the
            # request says, where the request alone is surer of it than the whole message
            # is of another; the informing clause only adds its entities.
            asked = tuple(IntentScore(name, p) for name, p in self.classifier.rank(asking))
            if asked[0].name != ranking[0].name and asked[0].confidence > ranking[0].confidence:
                ranking = asked
                entities = self.entities(text, ranking[0].name)
        return ParseResult(
            text=text,
            intent=self._decide(ranking),
            intent_ranking=ranking,
            entities=entities,
            language=detect_language(text),
        )

    def entities(self, text: str, intent: str | None) -> tuple[Entity, ...]:
        """Entities of ``text`` for a message of ``intent`` (the tagger's condition)."""
        allowed = self.entity_scope.get(intent) if intent is not None else None
        candidates: list[Entity] = []
        if self.tagger is not None:
            tuned = self.classifier.tuned
            context = tuned.encode(text).token_states if tuned is not None else None
            for span in self.tagger.tag(text, intent, allowed, context):
                entity, role, group = split_label(span.label)
                surface = text[span.start : span.end]
                candidates.append(
                    Entity(
                        entity,
                        surface,
                        span.start,
                        span.end,
                        _TAGGER,
                        span.confidence,
                        role,
                        group,
                        surface,
                    )
                )
        candidates.extend(
            e for e in self.rules.extract(text) if allowed is None or e.entity in allowed
        )
        chosen = _resolve_overlaps(candidates)
        return tuple(self.normaliser(e) for e in sorted(chosen, key=lambda e: (e.start, e.end)))

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
        """Write the model into ``directory`` (created if needed); read back with :meth:`load`.

        Knowledge-graph names are not stored: pass them again with :meth:`with_knowledge`.
        """
        directory.mkdir(parents=True, exist_ok=True)
        classifier = self.classifier
        tensors = {
            f"net.{k}": v.detach().contiguous() for k, v in classifier.net.state_dict().items()
        }
        tensors["idf"] = torch.tensor(classifier.featurizer.idf, dtype=torch.float64)
        save_file(tensors, str(directory / _CLASSIFIER_TENSORS))
        if classifier.tuned is not None:
            classifier.tuned.save(directory / _ENCODER)
        tagger_meta = None
        if self.tagger is not None:
            tagger_tensors, tagger_meta = self.tagger.state()
            save_file(tagger_tensors, str(directory / _TAGGER_TENSORS))
        meta = {
            "format": MODEL_FORMAT,
            "config": self.config.to_dict(),
            "intents": list(classifier.intents),
            "temperature": classifier.temperature,
            "dense_dim": classifier.net.dense_dim,
            "featurizer": {
                "char_ngram_max": classifier.featurizer.char_ngram_max,
                "word_ngram_max": classifier.featurizer.word_ngram_max,
                "vocabulary": list(classifier.featurizer.vocabulary),
            },
            "tagger": tagger_meta,
            "rules": {
                "entities": sorted(self.entity_types),
                "regexes": [[r.name, list(r.patterns)] for r in self.rule_data.regexes],
                "lookups": [[t.name, list(t.elements)] for t in self.rule_data.lookups],
            },
            "synonyms": self.synonyms,
            "synonym_entities": {k: list(v) for k, v in self.synonym_entities.items()},
            "entity_scope": {k: sorted(v) for k, v in sorted(self.entity_scope.items())},
        }
        (directory / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> NLUPipeline:
        """Read a model written by :meth:`save`; raises ModelError (or IncompatibleModelError
        for another format version) when it cannot."""
        try:
            meta: dict[str, Any] = json.loads((directory / _META).read_text(encoding="utf-8"))
            if meta.get("format") != MODEL_FORMAT:
                raise IncompatibleModelError(
                    f"the NLU model in {directory} has format {meta.get('format')}, this kefu "
                    f"reads {MODEL_FORMAT}; retrain it (kefu train --force)"
                )
            tensors = load_file(str(directory / _CLASSIFIER_TENSORS))
            tagger = None
            if meta.get("tagger") is not None:
                tagger = EntityTagger.from_state(
                    load_file(str(directory / _TAGGER_TENSORS)), meta["tagger"]
                )
            config = NLUConfig.from_dict(meta["config"])
            tuned = None
            if config.encoder is not None:
                tuned = TunedEncoder.load(
                    directory / _ENCODER,
                    meta["intents"],
                    config.encoder.max_length,
                    quantize=config.encoder.quantize,
                )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"cannot read the NLU model in {directory}: {exc}") from exc
        spec = meta["featurizer"]
        featurizer = TextFeaturizer(
            spec["vocabulary"],
            tensors["idf"].tolist(),
            char_ngram_max=int(spec["char_ngram_max"]),
            word_ngram_max=int(spec["word_ngram_max"]),
        )
        intents = tuple(meta["intents"])
        net = IntentNet(
            featurizer.size,
            len(intents),
            config.intent.hidden_dim,
            config.intent.dropout,
            int(meta.get("dense_dim", 0)),
        )
        net.load_state_dict(
            {k[len("net.") :]: v for k, v in tensors.items() if k.startswith("net.")}
        )
        net.eval()
        rules = meta["rules"]
        rule_data = _rule_data(
            [RegexFeature(name, tuple(p)) for name, p in rules["regexes"]],
            [LookupTable(name, tuple(e)) for name, e in rules["lookups"]],
        )
        return cls(
            config,
            IntentClassifier(
                featurizer, intents, net, float(meta["temperature"]), _encoder(config), tuned
            ),
            tagger=tagger,
            rule_data=rule_data,
            synonyms=meta["synonyms"],
            entity_scope={k: frozenset(v) for k, v in meta["entity_scope"].items()},
            synonym_entities={k: (v[0], v[1]) for k, v in meta["synonym_entities"].items()},
            entity_types=rules["entities"],
        )


def _encoder(config: NLUConfig) -> SentenceEncoder | None:
    if not config.intent.sentence_embeddings:
        return None
    model_dir = config.intent.embedding_model_dir
    return SentenceEncoder(Path(model_dir) if model_dir else None)


def _rule_data(regexes: list[RegexFeature], lookups: list[LookupTable]) -> TrainingData:
    return TrainingData(regexes=tuple(regexes), lookups=tuple(lookups))


def _resolve_overlaps(candidates: list[Entity]) -> list[Entity]:
    """Keep non-overlapping entities: exact patterns first, then longer spans, then the
    more confident."""
    ranked = sorted(
        candidates,
        key=lambda e: (e.extractor not in _EXACT_EXTRACTORS, -(e.end - e.start), -e.confidence),
    )
    chosen: list[Entity] = []
    for entity in ranked:
        if all(entity.end <= c.start or entity.start >= c.end for c in chosen):
            chosen.append(entity)
    return chosen


def train_nlu(
    data: TrainingData,
    config: NLUConfig | ProjectConfig | None = None,
    *,
    domain: Domain | None = None,
    progress: Progress | None = None,
) -> NLUPipeline:
    """Train the NLU on ``data``; ``progress(stage, done, total)`` reports each epoch.

    ``config`` may be a project's config.yml (its pipeline is read) or an NLUConfig. With
    a ``domain``, only its intents are learned and each intent keeps only the entity types
    the domain gives it. Raises ModelError when there are fewer than two intents.
    """
    if isinstance(config, ProjectConfig):
        config = NLUConfig.from_project_config(config)
    config = config or NLUConfig()
    examples = data.intent_examples
    scope: dict[str, frozenset[str]] = {}
    if domain is not None and domain.intents:
        declared = set(domain.intent_names)
        # Examples of intents the domain does not declare would be predicted for nothing.
        examples = tuple(e for e in examples if e.intent in declared)
        if domain.entities:
            scope = {name: domain.entities_for_intent(name) for name in domain.intent_names}
    scoped = [_scoped(e, scope) for e in examples]
    texts = [e.text for e in examples]
    labels = [str(e.intent) for e in examples]
    if len(set(labels)) < 2:
        raise ModelError(
            "cannot train the NLU: the intent classifier needs at least two intents, "
            f"got {sorted(set(labels))}"
        )
    tuned = None
    if config.encoder is not None:
        tags = [bio_tags(e, tokenize_with_offsets(e.text)) for e in scoped]
        if not config.entities.enabled:
            tags = [["O"] * len(row) for row in tags]
        # A transformer, unlike the small models, gains from every core (0: all of them).
        threads = config.encoder.training_threads or os.cpu_count() or 1
        with _torch_threads(threads):
            tuned = fine_tune_encoder(texts, labels, tags, config.encoder, progress=progress)
    with _torch_threads(config.training_threads):
        try:
            classifier = train_intent_classifier(
                texts,
                labels,
                config.intent,
                encoder=_encoder(config),
                tuned=tuned,
                progress=progress,
            )
        except ValueError as exc:
            raise ModelError(f"cannot train the NLU: {exc}") from exc
        tagger = None
        if config.entities.enabled:
            contexts = None
            if tuned is not None and any(e.entities for e in scoped):
                contexts = [e.token_states for e in tuned.encode_batch(texts)]
            tagger = train_entity_tagger(
                scoped,
                config.entities,
                contexts=contexts,
                listed=_listed_values(data),
                progress=progress,
            )
    return NLUPipeline(
        config,
        classifier,
        tagger=tagger,
        rule_data=_rule_data(list(data.regexes), list(data.lookups)),
        synonyms=data.entity_synonyms(),
        entity_scope=scope,
        synonym_entities=synonym_names(data),
        entity_types={*data.entities, *(domain.entity_names if domain is not None else ())},
    )


def _listed_values(data: TrainingData) -> list[GazetteerEntry]:
    """Values the data lists outside its examples, for the tagger's gazetteer: lookup table
    elements (typed by the table's name) and synonym surface forms (typed by annotations)."""
    listed = [
        (tuple(t.text for t in tokenize_with_offsets(element)), table.name)
        for table in data.lookups
        for element in table.elements
    ]
    listed.extend(
        (tuple(t.text for t in tokenize_with_offsets(surface)), entity)
        for surface, (entity, _) in synonym_names(data).items()
    )
    return listed


@contextmanager
def _torch_threads(threads: int) -> Iterator[None]:
    """Run torch with ``threads`` intra-op threads, then restore the previous setting.

    The models are small: on a busy 2-core machine two threads made an epoch 10x slower
    than one (threads spin waiting for each other), and never much faster when idle.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _scoped(example: TrainingExample, scope: Mapping[str, frozenset[str]]) -> TrainingExample:
    """The example without annotations its intent may not carry (they would teach the
    tagger entities that decoding then forbids)."""
    allowed = scope.get(str(example.intent))
    if allowed is None:
        return example
    return replace(example, entities=tuple(a for a in example.entities if a.entity in allowed))
