"""Readers of other assistants' NLU data, so a team can bring what it already has.

* Rasa 1.x Markdown (``nlu.md``): ``## intent:NAME``, ``## synonym:VALUE``,
  ``## regex:NAME`` and ``## lookup:NAME`` sections of ``-`` (or ``*``, ``+``) items, the
  same inline entity annotations as Rasa 3, ``<!-- comments -->``; a lookup section may
  name a text file of elements instead (one a line, relative to the Markdown file).
* Rasa 2 YAML is Rasa 3's format: :func:`dialogue.training_data.reader.read_nlu_file`.
* Dialogflow (ES) agent exports, the folder or its zip: ``intents/NAME_usersays_LANG.json``
  (training phrases as text chunks; a chunk with an ``alias`` or ``meta`` marks an entity,
  named by its alias, ``@sys.ignore`` skipped) and ``entities/NAME.json`` with
  ``NAME_entries_LANG.json`` (entries with synonyms become synonyms and a lookup table; a
  regexp entity's entries become a regex; a composite entity's references to others,
  ``@sys.number``, are left out). ``LANG`` is the agent's language unless asked.

Malformed input raises :class:`TrainingDataError` naming the file (and line, for Markdown).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from dialogue.exceptions import TrainingDataError
from dialogue.training_data.annotation import AnnotationError, parse_annotated_text
from dialogue.training_data.types import (
    EntityAnnotation,
    LookupTable,
    RegexFeature,
    SourceLocation,
    Synonym,
    TrainingData,
    TrainingExample,
)

__all__ = ["parse_rasa_markdown", "read_dialogflow", "read_rasa_markdown"]

_COMMENT = re.compile(r"<!--[\s\S]*?--!?>")
_SECTION = re.compile(r"^##\s*(?P<kind>intent|synonym|regex|lookup)\s*:\s*(?P<name>.+?)\s*$")
_OTHER_SECTION = re.compile(r"^##\s")
_ITEM = re.compile(r"^\s*[-*+]\s+(?P<text>.*\S)\s*$")


def read_rasa_markdown(path: Path) -> TrainingData:
    """A Rasa 1.x ``nlu.md`` file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"cannot read training data: {exc}", path=path, line=None) from exc
    return parse_rasa_markdown(text, path=path)


def parse_rasa_markdown(text: str, *, path: Path | None = None) -> TrainingData:
    """Rasa 1.x Markdown NLU text; ``path`` labels errors and finds lookup files."""
    examples: list[TrainingExample] = []
    synonyms: list[Synonym] = []
    regexes: list[RegexFeature] = []
    lookups: list[LookupTable] = []
    section: tuple[str, str, int] | None = None
    items: list[tuple[str, int]] = []
    loose: list[tuple[str, int]] = []  # non-item lines: a lookup section's file name

    def close() -> None:
        if section is None:
            return
        kind, name, line = section
        if kind == "intent":
            examples.extend(_markdown_example(raw, name, path, at) for raw, at in items)
        elif kind == "synonym":
            synonyms.append(Synonym(name, tuple(raw for raw, _ in items)))
        elif kind == "regex":
            regexes.append(RegexFeature(name, tuple(raw for raw, _ in items)))
        else:
            elements = [raw for raw, _ in items]
            for file_name, at in loose:
                elements.extend(_lookup_file(file_name, path, at))
            lookups.append(LookupTable(name, tuple(elements)))
        if not items and not (kind == "lookup" and loose):
            raise TrainingDataError(f"## {kind}:{name} has no items", path=path, line=line)

    for number, raw_line in enumerate(_without_comments(text).splitlines(), start=1):
        if not raw_line.strip():
            continue
        header = _SECTION.match(raw_line.strip())
        if header is not None:
            close()
            section, items, loose = (header["kind"], header["name"], number), [], []
            continue
        if _OTHER_SECTION.match(raw_line.strip()):
            raise TrainingDataError(
                f"unknown section {raw_line.strip()!r}: write ## intent:NAME, ## synonym:VALUE, "
                "## regex:NAME or ## lookup:NAME",
                path=path,
                line=number,
            )
        item = _ITEM.match(raw_line)
        if section is None:
            raise TrainingDataError(
                "an example before any ## intent:NAME section", path=path, line=number
            )
        if item is not None:
            items.append((item["text"], number))
        elif section[0] == "lookup":
            loose.append((raw_line.strip(), number))
        else:
            raise TrainingDataError(
                f"expected a '- example' line in ## {section[0]}:{section[1]}, "
                f"got {raw_line.strip()!r}",
                path=path,
                line=number,
            )
    close()
    return TrainingData(tuple(examples), tuple(synonyms)).merge(
        TrainingData(regexes=tuple(regexes), lookups=tuple(lookups))
    )


def _without_comments(text: str) -> str:
    # A comment may span lines: keep its line breaks so line numbers stay right.
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _markdown_example(raw: str, intent: str, path: Path | None, line: int) -> TrainingExample:
    try:
        parsed = parse_annotated_text(raw)
    except AnnotationError as exc:
        raise TrainingDataError(str(exc), path=path, line=line) from None
    return TrainingExample(parsed.text, intent, parsed.entities, source=SourceLocation(path, line))


def _lookup_file(name: str, path: Path | None, line: int) -> list[str]:
    base = path.parent if path is not None else Path(".")
    target = Path(name) if Path(name).is_absolute() else base / name
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(
            f"lookup table file {name!r} cannot be read: {exc}", path=path, line=line
        ) from exc
    return [element.strip() for element in text.splitlines() if element.strip()]


class _Export:
    """The files of a Dialogflow export, from its folder or its zip."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self._files: dict[str, bytes] = {}
        if source.is_dir():
            for file in source.rglob("*.json"):
                self._files[file.relative_to(source).as_posix()] = file.read_bytes()
        else:
            try:
                with zipfile.ZipFile(source) as archive:
                    for info in archive.infolist():
                        if info.filename.endswith(".json") and not info.is_dir():
                            self._files[info.filename] = archive.read(info)
            except (OSError, zipfile.BadZipFile) as exc:
                raise TrainingDataError(
                    f"not a Dialogflow export (a folder or a .zip): {exc}", path=source, line=None
                ) from exc
        # A zip may hold the agent in a folder of its own.
        roots = {
            PurePosixPath(n).parent for n in self._files if PurePosixPath(n).name == "agent.json"
        }
        self.root = min(roots, key=lambda p: len(p.parts)) if roots else PurePosixPath(".")

    def names(self, folder: str) -> Iterator[str]:
        prefix = (self.root / folder).as_posix() + "/"
        prefix = prefix.removeprefix("./")
        yield from sorted(
            n for n in self._files if n.startswith(prefix) and "/" not in n[len(prefix) :]
        )

    def has(self, name: str) -> bool:
        return name in self._files

    def load(self, name: str) -> Any:
        try:
            return json.loads(self._files[name].decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TrainingDataError(
                f"{name} is not valid JSON: {exc}", path=self.source, line=None
            ) from exc

    def path(self, folder: str, file: str) -> str:
        return (self.root / folder / file).as_posix().removeprefix("./")


def read_dialogflow(source: Path, *, language: str | None = None) -> TrainingData:
    """A Dialogflow agent export (folder or zip); ``language``: which training phrases
    (default: the agent's own language)."""
    export = _Export(source)
    agent_file = export.path("", "agent.json")
    if not export.has(agent_file):
        raise TrainingDataError(
            "no agent.json: export the agent from the Dialogflow console (Export as ZIP)",
            path=source,
            line=None,
        )
    agent = export.load(agent_file)
    lang = language or (agent.get("language") if isinstance(agent, Mapping) else None) or "en"
    examples: list[TrainingExample] = []
    suffix = f"_usersays_{lang}.json"
    for name in export.names("intents"):
        if not name.endswith(suffix):
            continue
        intent_file = name[: -len(suffix)] + ".json"
        intent = PurePosixPath(name).name[: -len(suffix)]
        if export.has(intent_file):
            described = export.load(intent_file)
            if isinstance(described, Mapping) and isinstance(described.get("name"), str):
                intent = described["name"]
        phrases = export.load(name)
        if not isinstance(phrases, list):
            raise TrainingDataError(
                f"{name}: expected a list of training phrases", path=source, line=None
            )
        for phrase in phrases:
            example = _dialogflow_example(phrase, intent, name, source)
            if example is not None:
                examples.append(example)
    if not examples:
        raise TrainingDataError(
            f"no training phrases in language {lang!r} (files intents/*{suffix})",
            path=source,
            line=None,
        )
    return TrainingData(tuple(examples)).merge(_dialogflow_entities(export, lang))


def _dialogflow_entities(export: _Export, lang: str) -> TrainingData:
    """Synonyms, regexes and lookup tables from the export's entity entries."""
    source = export.source
    synonyms: list[Synonym] = []
    regexes: list[RegexFeature] = []
    lookups: list[LookupTable] = []
    entry_suffix = f"_entries_{lang}.json"
    for name in export.names("entities"):
        if not name.endswith(entry_suffix):
            continue
        entity = PurePosixPath(name).name[: -len(entry_suffix)]
        entity_file = name[: -len(entry_suffix)] + ".json"
        described = export.load(entity_file) if export.has(entity_file) else {}
        if isinstance(described, Mapping) and isinstance(described.get("name"), str):
            entity = described["name"]
        entries = export.load(name)
        if not isinstance(entries, list):
            raise TrainingDataError(f"{name}: expected a list of entries", path=source, line=None)
        values = [e for e in entries if isinstance(e, Mapping) and isinstance(e.get("value"), str)]
        forms = {
            id(entry): [f for f in entry.get("synonyms") or () if isinstance(f, str) and f.strip()]
            for entry in values
        }
        if isinstance(described, Mapping) and described.get("isRegexp"):
            # A regexp entity's patterns are its entries' synonyms (or their values).
            patterns = [f for e in values for f in forms[id(e)] or [e["value"]]]
            regexes.append(RegexFeature(entity, tuple(dict.fromkeys(patterns))))
            continue
        elements: list[str] = []
        for entry in values:
            # "@sys.number" and the like name other entities (a composite entity): not text.
            for form in (entry["value"], *forms[id(entry)]):
                if "@" not in form and form not in elements:
                    elements.append(form)
            others = tuple(f for f in forms[id(entry)] if f != entry["value"])
            if others:
                synonyms.append(Synonym(entry["value"], others))
        if elements:
            lookups.append(LookupTable(entity, tuple(elements)))
    return TrainingData(synonyms=tuple(synonyms), regexes=tuple(regexes), lookups=tuple(lookups))


def _dialogflow_example(
    phrase: Any, intent: str, name: str, source: Path
) -> TrainingExample | None:
    chunks = phrase.get("data") if isinstance(phrase, Mapping) else None
    if not isinstance(chunks, list):
        raise TrainingDataError(
            f"{name}: a training phrase needs a data list of text chunks", path=source, line=None
        )
    text = ""
    entities: list[EntityAnnotation] = []
    for chunk in chunks:
        if not isinstance(chunk, Mapping) or not isinstance(chunk.get("text"), str):
            raise TrainingDataError(
                f"{name}: a text chunk needs a text string", path=source, line=None
            )
        piece = chunk["text"]
        entity = chunk.get("alias") or chunk.get("meta")
        if isinstance(entity, str) and entity and chunk.get("meta") != "@sys.ignore":
            surface = piece.strip()
            if surface:
                start = len(text) + (len(piece) - len(piece.lstrip()))
                entities.append(
                    EntityAnnotation(
                        start, start + len(surface), entity.lstrip("@"), surface, surface
                    )
                )
        text += piece
    if not text.strip():
        return None
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    moved = tuple(
        EntityAnnotation(e.start - lead, e.end - lead, e.entity, e.value, e.text) for e in entities
    )
    return TrainingExample(stripped, intent, moved, source=SourceLocation(Path(name), None))
