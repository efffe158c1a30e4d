"""A gazetteer: entity values the training data names, found again in a message as features.

The entity tagger learns which words are entities from their context and spelling; many
values, though, simply recur: a city, an artist or a product asked about in training
is asked about again. The gazetteer lists every annotated value (and every element of
a ``lookup:`` table) by entity type; for each token of a message it says which types
have a listed value starting there (``B``) or continuing through it (``I``). The tagger
reads these flags as one more input and learns how far to trust them.

Trusting them is learned without cheating by cross-fitting: the flags of a training
message come from a gazetteer built without that message's fold of the data, so a value
that occurs once is unknown to its own example, as an unseen value is at serving time.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

__all__ = ["Gazetteer", "GazetteerEntry", "cross_fitted_features"]

#: The longest value (in tokens) the gazetteer lists; longer ones are left to the tagger.
MAX_VALUE_TOKENS = 12

#: A listed value: its tokens (lower case) and its entity type.
GazetteerEntry = tuple[tuple[str, ...], str]


@dataclass(frozen=True)
class Gazetteer:
    """Values by token sequence: ``entries[("new", "york")] == {index of "city"}``."""

    types: tuple[str, ...]
    entries: Mapping[tuple[str, ...], frozenset[int]]
    #: Derived from ``entries``: the most tokens a listed value has, and every proper
    #: prefix of a listed value (matching stops where no value continues).
    longest: int = field(init=False, compare=False, repr=False)
    prefixes: frozenset[tuple[str, ...]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        prefixes = {key[:n] for key in self.entries for n in range(1, len(key))}
        object.__setattr__(self, "longest", max(map(len, self.entries), default=0))
        object.__setattr__(self, "prefixes", frozenset(prefixes))

    @classmethod
    def build(cls, values: Iterable[GazetteerEntry], types: Sequence[str]) -> Gazetteer:
        """A gazetteer of ``values`` whose type is one of ``types`` (others are dropped)."""
        index = {name: i for i, name in enumerate(types)}
        entries: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for words, entity in values:
            if entity in index and 0 < len(words) <= MAX_VALUE_TOKENS:
                entries[tuple(w.lower() for w in words)].add(index[entity])
        return cls(tuple(types), {k: frozenset(v) for k, v in entries.items()})

    @property
    def size(self) -> int:
        """Flags per token: B and I for each entity type."""
        return 2 * len(self.types)

    def features(self, words: Sequence[str]) -> torch.Tensor:
        """(len(words), size) flags: column 2k is 1 where a value of type k starts, 2k + 1
        where one continues. Overlapping values all count."""
        flags = np.zeros((len(words), self.size), dtype=np.float32)
        lowered = [w.lower() for w in words]
        for start in range(len(lowered)):
            for end in range(start + 1, min(len(lowered), start + self.longest) + 1):
                span = tuple(lowered[start:end])
                for k in self.entries.get(span, ()):
                    flags[start, 2 * k] = 1.0
                    flags[start + 1 : end, 2 * k + 1] = 1.0
                if span not in self.prefixes:
                    break  # no listed value goes on with these words
        return torch.from_numpy(flags)

    def to_json(self) -> list[list[object]]:
        """``[[words, [type, ...]], ...]``, read back by :meth:`from_json`."""
        return [
            [list(words), sorted(self.types[k] for k in kinds)]
            for words, kinds in sorted(self.entries.items())
        ]

    @classmethod
    def from_json(cls, data: Sequence[Sequence[object]], types: Sequence[str]) -> Gazetteer:
        """Inverse of :meth:`to_json`; raises TypeError for anything else."""
        values: list[GazetteerEntry] = []
        for words, kinds in data:
            if not isinstance(words, list) or not isinstance(kinds, list):
                raise TypeError(f"a gazetteer entry must be [words, types], got {words!r}")
            values.extend((tuple(str(w) for w in words), str(kind)) for kind in kinds)
        return cls.build(values, types)


def cross_fitted_features(
    words: Sequence[Sequence[str]],
    values: Sequence[Sequence[GazetteerEntry]],
    shared: Iterable[GazetteerEntry],
    types: Sequence[str],
    *,
    folds: int,
    seed: int,
) -> list[torch.Tensor]:
    """Per training message, its gazetteer flags from the values of the other folds.

    ``words[i]``: message i's tokens; ``values[i]``: the values annotated in it;
    ``shared``: values every fold sees (lookup tables). Messages are dealt into ``folds``
    folds at random (``seed``)."""
    fold_of = [i % folds for i in range(len(words))]
    random.Random(seed).shuffle(fold_of)
    listed = list(shared)
    features: list[torch.Tensor] = [torch.empty(0)] * len(words)
    for fold in range(folds):
        others = [v for i, row in enumerate(values) if fold_of[i] != fold for v in row]
        gazetteer = Gazetteer.build([*listed, *others], types)
        for i, row_words in enumerate(words):
            if fold_of[i] == fold:
                features[i] = gazetteer.features(row_words)
    return features
