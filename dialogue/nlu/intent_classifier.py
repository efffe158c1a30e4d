"""The intent classifier: tf-idf weighted n-gram bags -> hidden layer -> softmax.

An ``EmbeddingBag`` sums the embeddings of a message's features (weighted by tf-idf),
a GELU hidden layer mixes them, a linear layer scores every intent. Confidences are
calibrated by temperature scaling on a held-out split (see :mod:`calibration`); the final
model is then trained on all examples with the same seed and epochs.

With a fine-tuned transformer (``tuned``), the two models' calibrated distributions are
pooled log-linearly with equal weights (a normalised geometric mean): n-grams catch exact
wordings, the transformer paraphrases, and the pool is more accurate than either.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from dialogue.nlu.calibration import fit_temperature
from dialogue.nlu.config import IntentClassifierConfig
from dialogue.nlu.embeddings import SentenceEncoder
from dialogue.nlu.features import SparseBatch, TextFeaturizer
from dialogue.nlu.row_adam import RowAdam
from dialogue.nlu.tuned_encoder import TunedEncoder

__all__ = ["IntentClassifier", "IntentNet", "train_intent_classifier"]

Progress = Callable[[str, int, int], None]


class IntentNet(nn.Module):
    """Scores intents for a batch of sparse feature bags."""

    def __init__(
        self, n_features: int, n_intents: int, hidden_dim: int, dropout: float, dense_dim: int = 0
    ) -> None:
        super().__init__()
        self.bag = nn.EmbeddingBag(n_features, hidden_dim, mode="sum")
        # Optional dense input (sentence embeddings), projected into the same hidden space.
        self.dense = nn.Linear(dense_dim, hidden_dim) if dense_dim else None
        self.dense_dropout = nn.Dropout(dropout)
        self.bag_bias = nn.Parameter(torch.zeros(hidden_dim))
        self.head = nn.Sequential(nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden_dim, n_intents))
        nn.init.normal_(self.bag.weight, std=0.1)

    @property
    def dense_dim(self) -> int:
        return self.dense.in_features if self.dense is not None else 0

    def _add_dense(self, hidden: torch.Tensor, dense: torch.Tensor | None) -> torch.Tensor:
        if self.dense is None:
            return hidden
        if dense is None:
            raise ValueError("this classifier was trained with sentence embeddings; pass them")
        return hidden + self.dense(self.dense_dropout(dense))

    def forward(
        self,
        indices: torch.Tensor,
        offsets: torch.Tensor,
        weights: torch.Tensor,
        dense: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # indices, weights: (total_features,); offsets: (batch,); dense: (batch, dense_dim)
        # -> logits (batch, n_intents)
        hidden = self.bag(indices, offsets, per_sample_weights=weights) + self.bag_bias
        return self.head(self._add_dense(hidden, dense))

    def forward_rows(
        self,
        rows: torch.Tensor,
        indices: torch.Tensor,
        offsets: torch.Tensor,
        weights: torch.Tensor,
        dense: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Like forward, with ``rows`` (r, hidden) standing for the bag rows that ``indices``
        (now positions into ``rows``) name: lets training update only the rows it uses."""
        hidden = nn.functional.embedding_bag(
            indices, rows, offsets, mode="sum", per_sample_weights=weights
        )
        return self.head(self._add_dense(hidden + self.bag_bias, dense))


def _tensors(batch: SparseBatch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return (
        torch.tensor(batch.indices, dtype=torch.long),
        torch.tensor(batch.offsets, dtype=torch.long),
        torch.tensor(batch.weights, dtype=torch.float32),
    )


def _select(batch: SparseBatch, rows: Sequence[int]) -> SparseBatch:
    indices: list[int] = []
    offsets: list[int] = []
    weights: list[float] = []
    ends = [*batch.offsets[1:], len(batch.indices)]
    for row in rows:
        start, end = batch.offsets[row], ends[row]
        offsets.append(len(indices))
        indices.extend(batch.indices[start:end])
        weights.extend(batch.weights[start:end])
    return SparseBatch(indices, offsets, weights)


@dataclass(frozen=True)
class IntentClassifier:
    """A trained classifier: call :meth:`rank` for intents with calibrated confidences."""

    featurizer: TextFeaturizer
    intents: tuple[str, ...]
    net: IntentNet
    temperature: float
    encoder: SentenceEncoder | None = None
    tuned: TunedEncoder | None = None

    def probabilities(self, texts: Sequence[str]) -> torch.Tensor:
        """(len(texts), len(intents)) calibrated probabilities."""
        probs = self._ngram_probabilities(texts)
        if self.tuned is None:
            return probs
        if len(texts) == 1:
            logits = self.tuned.encode(texts[0]).intent_logits.unsqueeze(0)
        else:
            logits = torch.stack([e.intent_logits for e in self.tuned.encode_batch(texts)])
        pooled = 0.5 * probs.clamp(min=1e-12).log() + 0.5 * torch.log_softmax(logits, dim=-1)
        return torch.softmax(pooled, dim=-1)

    def _ngram_probabilities(self, texts: Sequence[str]) -> torch.Tensor:
        indices, offsets, weights = _tensors(self.featurizer.transform(texts))
        self.net.eval()
        with torch.inference_mode():
            dense = None
            if self.encoder is not None:
                dense = self.encoder.encode(texts)
                # Serving would otherwise keep every message's vector forever.
                self.encoder.clear_cache()
            logits = self.net(indices, offsets, weights, dense)
            return torch.softmax(logits / self.temperature, dim=-1)

    def rank(self, text: str) -> list[tuple[str, float]]:
        """All intents, best first, with their confidences (they sum to 1)."""
        probs = self.probabilities([text])[0].tolist()
        order = sorted(range(len(self.intents)), key=lambda i: (-probs[i], self.intents[i]))
        return [(self.intents[i], probs[i]) for i in order]


def train_intent_classifier(
    texts: Sequence[str],
    labels: Sequence[str],
    config: IntentClassifierConfig,
    *,
    encoder: SentenceEncoder | None = None,
    tuned: TunedEncoder | None = None,
    progress: Progress | None = None,
) -> IntentClassifier:
    """Train on ``texts`` labelled ``labels``; deterministic for a given ``config.seed``.

    With an ``encoder``, sentence embeddings are a second input (computed once per text).
    A ``tuned`` encoder (already fine-tuned on the same intents) is pooled with the n-gram
    model. Raises ValueError when there are fewer than two intents (nothing to classify).
    """
    intents = tuple(sorted(set(labels)))
    if len(intents) < 2:
        raise ValueError(f"the intent classifier needs at least two intents, got {list(intents)}")
    featurizer = TextFeaturizer.fit(
        texts,
        char_ngram_max=config.char_ngram_max,
        word_ngram_max=config.word_ngram_max,
        max_features=config.max_features,
    )
    batch = featurizer.transform(texts)
    targets = [intents.index(label) for label in labels]
    dense = None
    if encoder is not None:
        if progress is not None:
            progress("sentence_embeddings", 0, 1)
        dense = encoder.encode(texts)  # (n, dim)
        encoder.clear_cache()
        if progress is not None:
            progress("sentence_embeddings", 1, 1)

    held_out = _calibration_split(targets, config.calibration_fraction, config.seed)
    temperature = 1.0
    if held_out:
        held = set(held_out)
        kept = [i for i in range(len(targets)) if i not in held]
        net = _fit(
            _select(batch, kept),
            [targets[i] for i in kept],
            dense[kept] if dense is not None else None,
            len(intents),
            featurizer.size,
            config,
            "calibration",
            progress,
        )
        net.eval()
        with torch.inference_mode():
            held_dense = dense[held_out] if dense is not None else None
            logits = net(*_tensors(_select(batch, held_out)), held_dense)
        temperature = fit_temperature(logits, torch.tensor([targets[i] for i in held_out]))
    net = _fit(
        batch, targets, dense, len(intents), featurizer.size, config, "intent_classifier", progress
    )
    if tuned is not None and tuned.intents != intents:
        raise ValueError("the fine-tuned encoder was trained on other intents")
    return IntentClassifier(featurizer, intents, net, temperature, encoder, tuned)


def _calibration_split(targets: Sequence[int], fraction: float, seed: int) -> list[int]:
    """Held-out rows: ``fraction`` of each intent that has at least 5 examples."""
    if fraction <= 0:
        return []
    by_intent: dict[int, list[int]] = {}
    for row, target in enumerate(targets):
        by_intent.setdefault(target, []).append(row)
    rng = random.Random(seed)
    held_out: list[int] = []
    for target in sorted(by_intent):
        rows = by_intent[target]
        if len(rows) >= 5:
            held_out.extend(rng.sample(rows, max(1, round(len(rows) * fraction))))
    # Fewer than 10 held-out examples say too little about calibration; keep T = 1.
    return sorted(held_out) if len(held_out) >= 10 else []


def _fit(
    batch: SparseBatch,
    targets: Sequence[int],
    dense: torch.Tensor | None,
    n_intents: int,
    n_features: int,
    config: IntentClassifierConfig,
    stage: str,
    progress: Progress | None,
) -> IntentNet:
    # fork_rng keeps the caller's global torch RNG untouched while we seed our own.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        dense_dim = dense.shape[1] if dense is not None else 0
        net = IntentNet(n_features, n_intents, config.hidden_dim, config.dropout, dense_dim)
        row_adam = RowAdam(net.bag.weight.data, config.learning_rate)
        dense_params = [p for name, p in net.named_parameters() if name != "bag.weight"]
        optimizer = torch.optim.AdamW(dense_params, lr=config.learning_rate, weight_decay=1e-4)
        indices, offsets, weights = _tensors(batch)
        ends = torch.cat([offsets[1:], torch.tensor([indices.shape[0]])])
        labels = torch.tensor(targets, dtype=torch.long)
        generator = torch.Generator().manual_seed(config.seed)
        n = labels.shape[0]
        net.train()
        for epoch in range(config.epochs):
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, config.batch_size):
                rows = order[start : start + config.batch_size]
                lengths = ends[rows] - offsets[rows]  # (b,)
                batch_offsets = torch.cumsum(lengths, 0) - lengths  # (b,)
                # Position of every feature of the chosen rows in the flat arrays.
                positions = torch.repeat_interleave(
                    offsets[rows] - batch_offsets, lengths
                ) + torch.arange(int(lengths.sum()))
                used, local = torch.unique(indices[positions], return_inverse=True)
                batch_weights = weights[positions]
                if config.feature_dropout > 0:
                    keep = (
                        torch.rand(batch_weights.shape[0], generator=generator)
                        >= config.feature_dropout
                    )
                    batch_weights = batch_weights * keep / (1.0 - config.feature_dropout)
                bag_rows = net.bag.weight.detach()[used].requires_grad_()
                batch_dense = dense[rows] if dense is not None else None
                logits = net.forward_rows(
                    bag_rows, local, batch_offsets, batch_weights, batch_dense
                )
                loss = nn.functional.cross_entropy(logits, labels[rows])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                assert bag_rows.grad is not None
                row_adam.step(used, bag_rows.grad)
            if progress is not None:
                progress(stage, epoch + 1, config.epochs)
        net.eval()
        return net
