"""Reading Rasa 3 NLU YAML (``nlu:`` with intents, synonyms, regexes and lookup tables).

Other top-level keys of a data file (``stories``, ``rules``, ``responses``) belong to the
dialogue engine and are skipped here; :class:`dialogue.project.Project` collects those
files' paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dialogue.exceptions import TrainingDataError
from dialogue.training_data.annotation import AnnotationError, parse_annotated_text
from dialogue.training_data.types import (
    LookupTable,
    RegexFeature,
    SourceLocation,
    Synonym,
    TrainingData,
    TrainingExample,
)
from dialogue.training_data.yaml_source import YamlMap, YamlStr, line_of, load_yaml

__all__ = ["SUPPORTED_VERSIONS", "parse_nlu_yaml", "read_nlu_file"]

#: Major versions of Rasa's training data format that kefu reads.
SUPPORTED_VERSIONS = ("2", "3")
_KINDS = ("intent", "synonym", "regex", "lookup")
_ITEM_KEYS = frozenset({*_KINDS, "examples", "metadata"})


def read_nlu_file(path: Path) -> TrainingData:
    """Read one Rasa YAML data file; malformed data raises TrainingDataError with file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"cannot read training data: {exc}", path=path, line=None) from exc
    return parse_nlu_yaml(text, path=path)


def parse_nlu_yaml(text: str, *, path: Path | None = None) -> TrainingData:
    """Parse Rasa YAML text; ``path`` only labels errors and example sources."""
    document = load_yaml(text, path=path, error=TrainingDataError)
    if document is None:
        return TrainingData()
    if not isinstance(document, YamlMap):
        raise TrainingDataError(
            "a Rasa data file is a mapping with keys such as version and nlu",
            path=path,
            line=line_of(document, 1),
        )
    _check_version(document, path)
    items = document.get("nlu")
    if items is None:
        return TrainingData()
    if not isinstance(items, list):
        raise TrainingDataError(
            "nlu: must be a list of items (- intent: ..., - synonym: ..., ...)",
            path=path,
            line=document.line_of_key("nlu"),
        )
    examples: list[TrainingExample] = []
    synonyms: list[Synonym] = []
    regexes: list[RegexFeature] = []
    lookups: list[LookupTable] = []
    for index, item in enumerate(items):
        item_line = items.item_lines[index] if hasattr(items, "item_lines") else None
        kind, name = _item_kind(item, path, item_line)
        assert isinstance(item, YamlMap)
        lines = list(_example_lines(item, kind, name, path))
        if kind == "intent":
            metadata = item.get("metadata")
            for raw, line, example_metadata in lines:
                examples.append(_example(raw, name, path, line, example_metadata or metadata))
        elif kind == "synonym":
            synonyms.append(Synonym(name, tuple(raw for raw, _, _ in lines)))
        elif kind == "regex":
            regexes.append(RegexFeature(name, tuple(raw for raw, _, _ in lines)))
        else:
            lookups.append(LookupTable(name, tuple(raw for raw, _, _ in lines)))
    return TrainingData(tuple(examples), tuple(synonyms)).merge(
        TrainingData(regexes=tuple(regexes), lookups=tuple(lookups))
    )


def _check_version(document: YamlMap, path: Path | None) -> None:
    if "version" not in document:
        return
    version = document["version"]
    major = str(version).split(".", 1)[0]
    if not isinstance(version, (str, int, float)) or major not in SUPPORTED_VERSIONS:
        raise TrainingDataError(
            f"unsupported training data version {version!r}; kefu reads Rasa format "
            f'{" and ".join(v + ".x" for v in SUPPORTED_VERSIONS)} (write version: "3.1")',
            path=path,
            line=document.line_of_key("version"),
        )


def _item_kind(item: Any, path: Path | None, line: int | None) -> tuple[str, str]:
    if not isinstance(item, YamlMap):
        raise TrainingDataError(
            "each nlu item is a mapping such as {intent: greet, examples: ...}",
            path=path,
            line=line_of(item, line),
        )
    kinds = [k for k in _KINDS if k in item]
    if len(kinds) != 1:
        raise TrainingDataError(
            f"an nlu item needs exactly one of {', '.join(_KINDS)}; found {kinds or 'none'}",
            path=path,
            line=item.line,
        )
    unknown = sorted(str(k) for k in item if k not in _ITEM_KEYS)
    if unknown:
        raise TrainingDataError(
            f"unknown key(s) {unknown} in nlu item; allowed: {sorted(_ITEM_KEYS)}",
            path=path,
            line=item.line_of_key(unknown[0]),
        )
    kind = kinds[0]
    name = item[kind]
    if not isinstance(name, str) or not name.strip():
        raise TrainingDataError(
            f"{kind}: needs a non-empty name", path=path, line=item.line_of_key(kind)
        )
    if "examples" not in item:
        raise TrainingDataError(
            f"{kind} {name!r} has no examples:", path=path, line=item.line_of_key(kind)
        )
    return kind, name.strip()


def _example_lines(
    item: YamlMap, kind: str, name: str, path: Path | None
) -> Iterator[tuple[str, int | None, Any]]:
    """Yield (example text, source line, example metadata) for an item's examples."""
    examples = item["examples"]
    line = item.line_of_key("examples")
    if examples is None:
        return
    if isinstance(examples, str):
        yield from _block_lines(examples, line)
        return
    if isinstance(examples, list):
        for index, entry in enumerate(examples):
            entry_line = examples.item_lines[index] if hasattr(examples, "item_lines") else line
            if isinstance(entry, str):
                text, metadata = entry, None
            elif isinstance(entry, YamlMap) and isinstance(entry.get("text"), str):
                text, metadata = entry["text"], entry.get("metadata")
            else:
                raise TrainingDataError(
                    f"an example of {kind} {name!r} must be text or {{text: ..., metadata: ...}}",
                    path=path,
                    line=entry_line,
                )
            for raw, raw_line, _ in _block_lines(text, entry_line):
                yield raw, raw_line, metadata
        return
    raise TrainingDataError(
        f"examples of {kind} {name!r} must be a block of lines (examples: |) or a list",
        path=path,
        line=line,
    )


def _block_lines(block: str, fallback_line: int | None) -> Iterator[tuple[str, int | None, Any]]:
    first = line_of(block, fallback_line)
    # In a literal block every content line maps to one source line after the "|".
    literal = isinstance(block, YamlStr) and block.style == "|" and first is not None
    for offset, raw in enumerate(block.splitlines()):
        example = raw.strip()
        if example.startswith("-"):
            example = example[1:].strip()
        if not example:
            continue
        line = first + 1 + offset if literal and first is not None else first
        yield example, line, None


def _example(
    raw: str, intent: str, path: Path | None, line: int | None, metadata: Any
) -> TrainingExample:
    try:
        parsed = parse_annotated_text(raw)
    except AnnotationError as exc:
        raise TrainingDataError(str(exc), path=path, line=line) from None
    return TrainingExample(
        text=parsed.text,
        intent=intent,
        entities=parsed.entities,
        metadata=metadata if isinstance(metadata, dict) else None,
        source=SourceLocation(path, line),
    )
