"""Writing training data as Rasa 3 nlu.yml text (the inverse of the reader)."""

from __future__ import annotations

import json
import re

from dialogue.training_data.types import TrainingData, TrainingExample

__all__ = ["annotate", "to_nlu_yaml"]


def annotate(example: TrainingExample) -> str:
    """The example's text with Rasa entity annotations put back in."""
    parts: list[str] = []
    cursor = 0
    spans: dict[tuple[int, int], list[dict[str, object]]] = {}
    for annotation in example.entities:
        spec: dict[str, object] = {"entity": annotation.entity}
        if annotation.value != annotation.text:
            spec["value"] = annotation.value
        if annotation.role is not None:
            spec["role"] = annotation.role
        if annotation.group is not None:
            spec["group"] = annotation.group
        spans.setdefault((annotation.start, annotation.end), []).append(spec)
    for (start, end), specs in sorted(spans.items()):
        if start < cursor:
            continue  # overlapping spans cannot be written inline; Rasa has no syntax for them
        parts.append(example.text[cursor:start])
        surface = example.text[start:end]
        if len(specs) > 1:
            parts.append(f"[{surface}]{json.dumps(specs, ensure_ascii=False)}")
        elif set(specs[0]) == {"entity"}:
            parts.append(f"[{surface}]({specs[0]['entity']})")
        else:
            parts.append(f"[{surface}]{json.dumps(specs[0], ensure_ascii=False)}")
        cursor = end
    parts.append(example.text[cursor:])
    return "".join(parts)


# Characters YAML cannot hold (C0/C1 controls, lone surrogates) become spaces.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _block(lines: list[str]) -> str:
    return "  examples: |\n" + "".join(f"    - {line}\n" for line in lines)


def to_nlu_yaml(data: TrainingData) -> str:
    """Rasa 3 YAML for ``data``: intents in first-seen order, then synonyms, regexes and
    lookup tables. Example texts are written on one line each."""
    by_intent: dict[str, list[str]] = {}
    for example in data.intent_examples:
        line = " ".join(_UNPRINTABLE.sub(" ", annotate(example)).split())
        by_intent.setdefault(str(example.intent), []).append(line)
    out = ['version: "3.1"\n', "nlu:\n"]
    for intent, lines in by_intent.items():
        out.append(f"- intent: {json.dumps(intent, ensure_ascii=False)}\n" + _block(lines) + "\n")
    for synonym in data.synonyms:
        out.append(
            f"- synonym: {json.dumps(synonym.value, ensure_ascii=False)}\n"
            + _block(list(synonym.examples))
            + "\n"
        )
    for regex in data.regexes:
        out.append(f"- regex: {json.dumps(regex.name)}\n" + _block(list(regex.patterns)) + "\n")
    for table in data.lookups:
        out.append(f"- lookup: {json.dumps(table.name)}\n" + _block(list(table.elements)) + "\n")
    return "".join(out)
