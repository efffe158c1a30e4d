"""The entity tagger: a BiLSTM-CRF over tokens that takes the intent as an input.

Each token is the sum of a word embedding, an embedding bag of its character n-grams
(so unseen and Chinese tokens still look like something) and a shape embedding, joined
with the embedding of the message's intent; a BiLSTM reads the sentence and a CRF picks
BIO tags. With a fine-tuned transformer (``TransformerEncoder``), its state of each token
is one more input. Because the intent is an input, the same words can be tagged differently
under different intents, and tags of entities an intent does not carry (domain
``use_entities``) are masked out at decoding time.
"""

from __future__ import annotations

import functools
import random
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import torch
from torch import nn

from dialogue.nlu.config import EntityTaggerConfig
from dialogue.nlu.crf import CRF
from dialogue.nlu.gazetteer import Gazetteer, GazetteerEntry, cross_fitted_features
from dialogue.nlu.row_adam import RowAdam
from dialogue.nlu.tokens import Token, token_shape, tokenize_with_offsets
from dialogue.training_data import TrainingExample

__all__ = ["EntityTagger", "TaggedSpan", "split_label", "train_entity_tagger"]

Progress = Callable[[str, int, int], None]
_SHAPES = ("<pad>", "x", "Xx", "X", "d", "Xd", "zh", "p")
_UNKNOWN = 1  # word id 0 pads, 1 stands for unknown words
_CHAR_BUCKETS = 1 << 15


@dataclass(frozen=True)
class TaggedSpan:
    """An entity span the tagger found: ``label`` is ``entity`` or ``entity#role@group``."""

    label: str
    start: int
    end: int
    confidence: float


def span_label(entity: str, role: str | None, group: str | None) -> str:
    return entity + (f"#{role}" if role else "") + (f"@{group}" if group else "")


def split_label(label: str) -> tuple[str, str | None, str | None]:
    """Inverse of span_label: (entity, role, group)."""
    rest, _, group = label.partition("@")
    entity, _, role = rest.partition("#")
    return entity, role or None, group or None


@functools.lru_cache(maxsize=65536)
def _char_ids(token: str) -> tuple[int, ...]:
    text = f"<{token.lower()}>"
    grams = [text[i : i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)]
    # crc32 is stable across processes (Python's hash() is salted per run).
    return tuple(zlib.crc32(g.encode()) % (_CHAR_BUCKETS - 1) + 1 for g in grams)


class _TaggerNet(nn.Module):
    def __init__(
        self,
        n_words: int,
        n_intents: int,
        n_tags: int,
        tags: list[str],
        config: EntityTaggerConfig,
        context_dim: int = 0,
        gazetteer_dim: int = 0,
    ) -> None:
        super().__init__()
        dim = config.embedding_dim
        self.words = nn.Embedding(n_words, dim, padding_idx=0)
        self.chars = nn.EmbeddingBag(_CHAR_BUCKETS, dim, mode="mean")
        self.shapes = nn.Embedding(len(_SHAPES), 8, padding_idx=0)
        self.intents = nn.Embedding(n_intents, config.intent_dim)
        self.dropout = nn.Dropout(config.dropout)
        # Contextual token states from a fine-tuned transformer, projected to ``dim``.
        self.context = nn.Linear(context_dim, dim) if context_dim else None
        # Gazetteer flags (B/I per entity type) join the token's inputs as they are.
        self.gazetteer_dim = gazetteer_dim
        inputs = (3 if context_dim else 2) * dim + 8 + config.intent_dim + gazetteer_dim
        self.lstm = nn.LSTM(inputs, config.hidden_dim, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * config.hidden_dim + config.intent_dim, n_tags)
        self.crf = CRF(tags)

    def emissions(
        self,
        words: torch.Tensor,
        char_ids: torch.Tensor,
        char_offsets: torch.Tensor,
        shapes: torch.Tensor,
        intents: torch.Tensor,
        char_rows: torch.Tensor | None = None,
        context: torch.Tensor | None = None,
        gazetteer: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Tag scores (b, t, tags). words, shapes: (b, t); char_ids flat with char_offsets
        (b * t,); intents: (b,); context (b, t, context_dim) and gazetteer flags
        (b, t, gazetteer_dim) when the net has those inputs.
        With ``char_rows`` (r, dim), char_ids index those rows instead of the whole table
        (training updates only the rows a batch uses)."""
        batch, time = words.shape
        table = self.chars.weight if char_rows is None else char_rows
        chars = nn.functional.embedding_bag(char_ids, table, char_offsets, mode="mean")
        chars = chars.view(batch, time, -1)  # (b, t, dim)
        intent = self.intents(intents).unsqueeze(1).expand(-1, time, -1)  # (b, t, intent_dim)
        parts = [self.words(words), chars, self.shapes(shapes), intent]
        if self.context is not None:
            if context is None:
                raise ValueError("this tagger was trained with transformer token states")
            parts.append(self.context(context))
        if self.gazetteer_dim:
            if gazetteer is None:
                raise ValueError("this tagger was trained with gazetteer flags")
            parts.append(gazetteer)
        tokens = torch.cat(parts, dim=-1)
        hidden, _ = self.lstm(self.dropout(tokens))  # (b, t, 2 * hidden)
        return self.out(torch.cat([self.dropout(hidden), intent], dim=-1))  # (b, t, tags)


@dataclass(frozen=True)
class _Row:
    """One message as ids: a word, a shape and character n-gram ids per token."""

    words: list[int]
    shapes: list[int]
    chars: list[tuple[int, ...]]


@dataclass(frozen=True)
class _Encoded:
    words: torch.Tensor
    char_ids: torch.Tensor
    char_offsets: torch.Tensor
    shapes: torch.Tensor
    mask: torch.Tensor


class EntityTagger:
    """A trained tagger: :meth:`tag` a message given its intent."""

    def __init__(
        self,
        config: EntityTaggerConfig,
        vocabulary: Sequence[str],
        intents: Sequence[str],
        tags: Sequence[str],
        net: _TaggerNet | None = None,
        context_dim: int = 0,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.config = config
        self.vocabulary = tuple(vocabulary)
        self.intents = tuple(intents)
        self.tags = tuple(tags)
        self._word_ids = {w: i for i, w in enumerate(self.vocabulary)}
        self._intent_ids = {name: i for i, name in enumerate(self.intents)}
        self.context_dim = context_dim
        self.gazetteer = gazetteer
        self.net = net or _TaggerNet(
            len(self.vocabulary),
            len(self.intents),
            len(self.tags),
            list(self.tags),
            config,
            context_dim,
            gazetteer.size if gazetteer is not None else 0,
        )
        self.net.eval()

    @property
    def labels(self) -> tuple[str, ...]:
        """Span labels (``entity``, ``entity#role``, ...) the tagger can produce."""
        return tuple(sorted({t[2:] for t in self.tags if t != "O"}))

    def _row(self, tokens: Sequence[Token]) -> _Row:
        return _Row(
            words=[self._word_ids.get(t.text.lower(), _UNKNOWN) for t in tokens],
            shapes=[_SHAPES.index(token_shape(t.text)) for t in tokens],
            chars=[_char_ids(t.text) for t in tokens],
        )

    @staticmethod
    def _batch(rows: Sequence[_Row]) -> _Encoded:
        """Pad rows to one (b, t) batch; an empty row becomes one padding token."""
        time = max(1, max((len(r.words) for r in rows), default=1))
        words = torch.tensor(
            [r.words + [0] * (time - len(r.words)) for r in rows], dtype=torch.long
        )
        shapes = torch.tensor(
            [r.shapes + [0] * (time - len(r.shapes)) for r in rows], dtype=torch.long
        )
        lengths = torch.tensor([max(1, len(r.words)) for r in rows])
        mask = torch.arange(time).unsqueeze(0) < lengths.unsqueeze(1)  # (b, t)
        char_ids: list[int] = []
        char_offsets: list[int] = []
        for row in rows:
            for t in range(time):
                char_offsets.append(len(char_ids))
                if t < len(row.chars):
                    char_ids.extend(row.chars[t])
        return _Encoded(
            words,
            torch.tensor(char_ids, dtype=torch.long),
            torch.tensor(char_offsets, dtype=torch.long),
            shapes,
            mask,
        )

    def _intent_tensor(self, intents: Sequence[str | None]) -> torch.Tensor:
        # Intents unseen in training use id 0, the reserved "<none>" intent.
        return torch.tensor([self._intent_ids.get(i or "", 0) for i in intents], dtype=torch.long)

    def tag(
        self,
        text: str,
        intent: str | None,
        allowed: Collection[str] | None = None,
        context: torch.Tensor | None = None,
    ) -> list[TaggedSpan]:
        """Entity spans of ``text`` under ``intent``. ``allowed`` (entity names; None: all)
        drops spans of other entity types: a span the tagger types as an entity the intent
        does not carry is left out, never relabelled to an allowed type (which would put,
        say, a colour into a product slot). ``context`` (n_tokens, context_dim): the
        transformer's token states, for a tagger trained with them."""
        tokens = tokenize_with_offsets(text)
        if not tokens:
            return []
        scores = self.scores(tokens, intent, context)
        # Derived per message (about 20 us): the CRF's scores change while training.
        decoder = self.net.crf.sequence_decoder()
        path = decoder.viterbi(scores)
        marginals = decoder.marginals(scores)  # (t, tags)
        spans = _spans(
            tokens,
            [self.tags[i] for i in path],
            [float(marginals[t, i]) for t, i in enumerate(path)],
        )
        if allowed is None:
            return spans
        return [s for s in spans if split_label(s.label)[0] in allowed]

    def scores(
        self,
        tokens: Sequence[Token],
        intent: str | None,
        context: torch.Tensor | None = None,
    ) -> np.ndarray:
        """The CRF's emission scores (t, tags) for one message's non-empty ``tokens``."""
        encoded = self._batch([self._row(tokens)])
        with torch.inference_mode():
            emissions = self.net.emissions(
                encoded.words,
                encoded.char_ids,
                encoded.char_offsets,
                encoded.shapes,
                self._intent_tensor([intent]),
                context=None if context is None else context.unsqueeze(0),
                gazetteer=None
                if self.gazetteer is None
                else self.gazetteer.features([t.text for t in tokens]).unsqueeze(0),
            )
        scores: np.ndarray = emissions[0].double().numpy()
        return scores

    def state(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        """Tensors and JSON-able metadata to store the tagger (see :meth:`from_state`)."""
        tensors = {k: v.detach().contiguous() for k, v in self.net.state_dict().items()}
        meta: dict[str, Any] = {
            "config": asdict(self.config),
            "vocabulary": list(self.vocabulary),
            "intents": list(self.intents),
            "tags": list(self.tags),
            "context_dim": self.context_dim,
            "gazetteer": None
            if self.gazetteer is None
            else {"types": list(self.gazetteer.types), "values": self.gazetteer.to_json()},
        }
        return tensors, meta

    @classmethod
    def from_state(
        cls, tensors: Mapping[str, torch.Tensor], meta: Mapping[str, Any]
    ) -> EntityTagger:
        """Inverse of :meth:`state`."""
        config = EntityTaggerConfig(**meta["config"])
        listed = meta.get("gazetteer")
        tagger = cls(
            config,
            meta["vocabulary"],
            meta["intents"],
            meta["tags"],
            context_dim=int(meta.get("context_dim", 0)),
            gazetteer=None
            if listed is None
            else Gazetteer.from_json(listed["values"], listed["types"]),
        )
        tagger.net.load_state_dict(dict(tensors))
        tagger.net.eval()
        return tagger


def _pad_contexts(contexts: Sequence[torch.Tensor], time: int) -> torch.Tensor:
    """(b, time, dim) from per-message (n_tokens, dim) rows, zero-padded."""
    padded = torch.zeros(len(contexts), time, contexts[0].shape[1])
    for row, states in enumerate(contexts):
        padded[row, : states.shape[0]] = states
    return padded


def _spans(
    tokens: Sequence[Token], tags: Sequence[str], probs: Sequence[float]
) -> list[TaggedSpan]:
    spans: list[TaggedSpan] = []
    current: tuple[str, int, int, list[float]] | None = None
    for token, tag, prob in zip(tokens, tags, probs, strict=False):
        if tag.startswith("I-") and current is not None and current[0] == tag[2:]:
            current = (current[0], current[1], token.end, [*current[3], prob])
            continue
        if current is not None:
            spans.append(TaggedSpan(current[0], current[1], current[2], min(current[3])))
            current = None
        if tag != "O":
            current = (tag[2:], token.start, token.end, [prob])
    if current is not None:
        spans.append(TaggedSpan(current[0], current[1], current[2], min(current[3])))
    return spans


def _annotated_values(example: TrainingExample, tokens: Sequence[Token]) -> list[GazetteerEntry]:
    """The example's annotated values as gazetteer entries (the tokens each span covers)."""
    return [
        (tuple(t.text for t in tokens if t.start < a.end and t.end > a.start), a.entity)
        for a in example.entities
    ]


def bio_tags(example: TrainingExample, tokens: Sequence[Token]) -> list[str]:
    """BIO tags of ``tokens`` from the example's annotations (a token inside a span)."""
    tags = ["O"] * len(tokens)
    for annotation in example.entities:
        label = span_label(annotation.entity, annotation.role, annotation.group)
        inside = [
            i for i, t in enumerate(tokens) if t.start < annotation.end and t.end > annotation.start
        ]
        for position, index in enumerate(inside):
            if tags[index] == "O":
                tags[index] = ("B-" if position == 0 else "I-") + label
    return tags


def train_entity_tagger(
    examples: Sequence[TrainingExample],
    config: EntityTaggerConfig,
    *,
    contexts: Sequence[torch.Tensor] | None = None,
    listed: Sequence[GazetteerEntry] = (),
    progress: Progress | None = None,
) -> EntityTagger | None:
    """Train on the examples' entity annotations; None when no example has an entity.

    ``contexts``: per example, the transformer's token states (n_tokens, dim), an extra
    input the tagger then needs at :meth:`EntityTagger.tag` time too. ``listed``: values
    the data lists outside its examples (lookup tables, synonyms) for the gazetteer (with
    ``config.gazetteer``), besides the annotated ones."""
    if not any(e.entities for e in examples):
        return None
    rows = [tokenize_with_offsets(e.text) for e in examples]
    gold = [bio_tags(e, tokens) for e, tokens in zip(examples, rows, strict=True)]
    labels = sorted({t[2:] for row in gold for t in row if t != "O"})
    tags = ["O", *(f"{p}-{label}" for label in labels for p in ("B", "I"))]
    counts = Counter(t.text.lower() for row in rows for t in row)
    vocabulary = ["<pad>", "<unk>", *sorted(counts)]
    intents = ["", *sorted({e.intent for e in examples if e.intent})]
    gazetteer = None
    flags: list[torch.Tensor] | None = None
    if config.gazetteer:
        types = sorted({split_label(label)[0] for label in labels})
        words = [[t.text for t in tokens] for tokens in rows]
        values = [_annotated_values(e, tokens) for e, tokens in zip(examples, rows, strict=True)]
        gazetteer = Gazetteer.build([*listed, *(v for row in values for v in row)], types)
        flags = cross_fitted_features(
            words, values, listed, types, folds=config.gazetteer_folds, seed=config.seed
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        context_dim = int(contexts[0].shape[1]) if contexts else 0
        tagger = EntityTagger(
            config, vocabulary, intents, tags, context_dim=context_dim, gazetteer=gazetteer
        )
        net = tagger.net
        dense = [p for name, p in net.named_parameters() if name != "chars.weight"]
        optimizer = torch.optim.Adam(dense, lr=config.learning_rate)
        char_adam = RowAdam(net.chars.weight.data, config.learning_rate)
        tag_index = {t: i for i, t in enumerate(tags)}
        rng = random.Random(config.seed)
        generator = torch.Generator().manual_seed(config.seed)
        encoded_rows = [tagger._row(tokens) for tokens in rows]
        order = list(range(len(examples)))
        net.train()
        for epoch in range(config.epochs):
            rng.shuffle(order)
            for start in range(0, len(order), config.batch_size):
                batch = order[start : start + config.batch_size]
                encoded = tagger._batch([encoded_rows[i] for i in batch])
                if config.word_dropout > 0:
                    dropped = (
                        torch.rand(encoded.words.shape, generator=generator) < config.word_dropout
                    )
                    encoded = replace(
                        encoded, words=encoded.words.masked_fill(dropped & encoded.mask, _UNKNOWN)
                    )
                target = torch.zeros_like(encoded.words)
                for b, i in enumerate(batch):
                    target[b, : len(gold[i])] = torch.tensor(
                        [tag_index[t] for t in gold[i]], dtype=torch.long
                    )
                used, local = torch.unique(encoded.char_ids, return_inverse=True)
                char_rows = net.chars.weight.detach()[used].requires_grad_()
                emissions = net.emissions(
                    encoded.words,
                    local,
                    encoded.char_offsets,
                    encoded.shapes,
                    tagger._intent_tensor([examples[i].intent for i in batch]),
                    char_rows,
                    _pad_contexts([contexts[i] for i in batch], target.shape[1])
                    if contexts
                    else None,
                    _pad_contexts([flags[i] for i in batch], target.shape[1]) if flags else None,
                )
                loss = net.crf.nll(emissions, target, encoded.mask)
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(dense, 5.0)
                optimizer.step()
                assert char_rows.grad is not None
                char_adam.step(used, char_rows.grad)
            if progress is not None:
                progress("entity_tagger", epoch + 1, config.epochs)
        net.eval()
    return tagger
