"""Sparse text features that work in any language: character and word n-grams.

Chinese has no spaces, so every Chinese character is its own word token, and character
n-grams (1 to ``char_ngram_max``) run over the whole message, spaces included. Digits are
folded to ``0`` in character n-grams so that "A10001" and "A10009" look alike. Features
are weighted with sublinear tf-idf and L2-normalised per message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["SparseBatch", "TextFeaturizer", "normalise", "tokenize"]

_TOKEN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # one Chinese character per token
    r"|[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+(?:['’][^\W\d_]+)?"
)
_DIGIT = re.compile(r"\d")


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def tokenize(text: str) -> list[str]:
    """Word tokens of normalised text: runs of letters/digits, single Chinese characters."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class SparseBatch:
    """Messages as bags of features, EmbeddingBag style: message ``i`` owns
    ``indices[offsets[i]:offsets[i+1]]`` with ``weights`` at the same positions."""

    indices: list[int]
    offsets: list[int]
    weights: list[float]


class TextFeaturizer:
    """Maps text to weighted feature ids. Build it with :meth:`fit` on training texts."""

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: Sequence[float],
        *,
        char_ngram_max: int,
        word_ngram_max: int,
    ) -> None:
        self.vocabulary = tuple(vocabulary)
        self.idf = tuple(idf)
        self.char_ngram_max = char_ngram_max
        self.word_ngram_max = word_ngram_max
        self._index = {feature: i for i, feature in enumerate(self.vocabulary)}

    @classmethod
    def fit(
        cls,
        texts: Iterable[str],
        *,
        char_ngram_max: int = 4,
        word_ngram_max: int = 2,
        max_features: int = 200_000,
    ) -> TextFeaturizer:
        """Keep the ``max_features`` features found in most texts (ties: alphabetical)."""
        document_frequency: Counter[str] = Counter()
        n_texts = 0
        for text in texts:
            n_texts += 1
            document_frequency.update(set(_features(text, char_ngram_max, word_ngram_max)))
        ranked = sorted(document_frequency.items(), key=lambda item: (-item[1], item[0]))
        vocabulary = sorted(feature for feature, _ in ranked[:max_features])
        idf = [math.log((1 + n_texts) / (1 + document_frequency[f])) + 1.0 for f in vocabulary]
        return cls(vocabulary, idf, char_ngram_max=char_ngram_max, word_ngram_max=word_ngram_max)

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    def transform(self, texts: Iterable[str]) -> SparseBatch:
        """Weighted feature ids of each text; unseen features are dropped."""
        indices: list[int] = []
        offsets: list[int] = []
        weights: list[float] = []
        for text in texts:
            offsets.append(len(indices))
            counts = Counter(
                self._index[f]
                for f in _features(text, self.char_ngram_max, self.word_ngram_max)
                if f in self._index
            )
            row = [(i, (1.0 + math.log(c)) * self.idf[i]) for i, c in sorted(counts.items())]
            norm = math.sqrt(sum(w * w for _, w in row)) or 1.0
            for i, w in row:
                indices.append(i)
                weights.append(w / norm)
        return SparseBatch(indices, offsets, weights)


def _features(text: str, char_ngram_max: int, word_ngram_max: int) -> list[str]:
    norm = normalise(text)
    # \x02 and \x03 mark the start and end so prefixes and suffixes get their own n-grams.
    chars = "\x02" + _DIGIT.sub("0", norm) + "\x03"
    result = [
        "c" + chars[i : i + n]
        for n in range(1, char_ngram_max + 1)
        for i in range(len(chars) - n + 1)
        if n > 1 or chars[i] not in "\x02\x03 "
    ]
    words = tokenize(norm)
    for n in range(1, word_ngram_max + 1):
        result.extend("w" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return result
