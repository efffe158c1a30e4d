"""Readers of public NLU benchmark formats, so anyone can reproduce kefu's figures.

* BANKING77 (Casanueva et al. 2020): CSV with a ``text,category`` header.
* SNIPS NLU benchmark 2017: JSON ``{"Intent": [{"data": [{"text": ..., "entity": ...}]}]}``;
  one of its files (train_PlayMusic_full.json) has Latin-1 bytes among UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from dialogue.exceptions import TrainingDataError
from dialogue.training_data.types import (
    EntityAnnotation,
    SourceLocation,
    TrainingData,
    TrainingExample,
)

__all__ = ["SNIPS_SPLITS", "read_banking77_csv", "read_snips", "read_snips_json"]

#: SNIPS file name patterns per split.
SNIPS_SPLITS = {
    "train_full": "train_*_full.json",
    "train": "train_*.json",
    "validate": "validate_*.json",
}


def _text(path: Path) -> str:
    """UTF-8, except bytes that are not valid UTF-8, which are read as Latin-1
    (train_PlayMusic_full.json mixes both, and writes emoji as UTF-8-encoded surrogate
    pairs, which are joined back into one character)."""
    raw = path.read_bytes()
    parts: list[str] = []
    position = 0
    while True:
        try:
            parts.append(raw[position:].decode("utf-8", errors="surrogatepass"))
            break
        except UnicodeDecodeError as exc:
            parts.append(
                raw[position : position + exc.start].decode("utf-8", errors="surrogatepass")
            )
            parts.append(raw[position + exc.start : position + exc.end].decode("latin-1"))
            position += exc.end
    text = "".join(parts)
    return text.encode("utf-16", errors="surrogatepass").decode("utf-16", errors="replace")


def read_banking77_csv(path: Path) -> TrainingData:
    """BANKING77 ``text,category`` rows as intent examples."""
    try:
        reader = csv.DictReader(io.StringIO(_text(path)))
        if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
            raise TrainingDataError("expected a header text,category", path=path, line=1)
        examples = []
        for row in reader:
            text = " ".join((row["text"] or "").split())
            if text:
                examples.append(
                    TrainingExample(
                        text, row["category"], source=SourceLocation(path, reader.line_num)
                    )
                )
    except OSError as exc:
        raise TrainingDataError(f"cannot read: {exc}", path=path, line=None) from exc
    return TrainingData(tuple(examples))


def read_snips_json(path: Path) -> TrainingData:
    """One SNIPS benchmark file; entity spans are trimmed to their non-space text."""
    try:
        document: Any = json.loads(_text(path))
    except (OSError, ValueError) as exc:
        raise TrainingDataError(f"not a SNIPS JSON file: {exc}", path=path, line=None) from exc
    if not isinstance(document, dict):
        raise TrainingDataError("a SNIPS file maps intent names to utterances", path=path, line=1)
    examples = []
    for intent, utterances in document.items():
        for utterance in utterances:
            text_parts: list[str] = []
            entities: list[EntityAnnotation] = []
            length = 0
            for chunk in utterance.get("data", []):
                chunk_text = str(chunk.get("text", ""))
                entity = chunk.get("entity")
                if entity:
                    stripped = chunk_text.strip()
                    start = length + (len(chunk_text) - len(chunk_text.lstrip()))
                    if stripped:
                        entities.append(
                            EntityAnnotation(
                                start, start + len(stripped), str(entity), stripped, stripped
                            )
                        )
                text_parts.append(chunk_text)
                length += len(chunk_text)
            text = "".join(text_parts)
            if text.strip():
                examples.append(_collapse(TrainingExample(text, str(intent), tuple(entities))))
    return TrainingData(tuple(examples))


def _collapse(example: TrainingExample) -> TrainingExample:
    """Collapse runs of whitespace (SNIPS has double spaces) keeping spans aligned."""
    out: list[str] = []
    position: list[int] = []  # where each original character lands in the output
    previous_space = True  # drops leading spaces
    for char in example.text:
        space = char.isspace()
        position.append(len(out))
        if not (space and previous_space):
            out.append(" " if space else char)
        previous_space = space
    text = "".join(out).rstrip()
    entities = []
    for annotation in example.entities:
        start, end = position[annotation.start], position[annotation.end - 1] + 1
        surface = text[start:end]
        entities.append(replace(annotation, start=start, end=end, text=surface, value=surface))
    return TrainingExample(text, example.intent, tuple(entities))


def read_snips(path: Path, *, split: str = "train_full") -> TrainingData:
    """A SNIPS file, or every file of ``split`` (see SNIPS_SPLITS) under a folder."""
    if path.is_file():
        return read_snips_json(path)
    pattern = SNIPS_SPLITS.get(split)
    if pattern is None:
        raise ValueError(f"unknown SNIPS split {split!r}; use one of {sorted(SNIPS_SPLITS)}")
    files = sorted(
        p for p in path.rglob(pattern) if split != "train" or not p.name.endswith("_full.json")
    )
    if not files:
        raise TrainingDataError(f"no SNIPS files matching {pattern}", path=path, line=None)
    data = TrainingData()
    for file in files:
        data = data.merge(read_snips_json(file))
    return data
