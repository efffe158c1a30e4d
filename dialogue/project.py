"""An assistant project in Rasa 3's layout, read into typed values.

    project/
      config.yml        language, pipeline, policies, assistant_id (optional),
                        assistant_name (optional, kefu: the business the assistant speaks for)
      domain.yml        or a domain/ folder of YAML files
      data/**/*.yml     nlu (read here), stories and rules (paths kept for the dialogue engine)
      tests/**/*.yml    test stories (paths kept)

:meth:`Project.load` reads it once; :meth:`Project.fingerprint` identifies its content so
that an unchanged project is not trained again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialogue.domain import Domain
from dialogue.exceptions import ProjectError, SourceError, TrainingDataError
from dialogue.training_data import TrainingData, parse_nlu_yaml
from dialogue.training_data.yaml_source import YamlMap, load_yaml

__all__ = ["Project", "ProjectConfig"]

_YAML_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class ProjectConfig:
    """config.yml: ``pipeline`` and ``policies`` are lists of ``{name: ..., option: ...}``."""

    language: str = "en"
    pipeline: tuple[Mapping[str, Any], ...] = ()
    policies: tuple[Mapping[str, Any], ...] = ()
    assistant_id: str | None = None
    recipe: str | None = None
    # kefu's own key: the business the assistant speaks for (KEFU_STORE_NAME overrides it).
    assistant_name: str | None = None

    @classmethod
    def from_yaml(cls, text: str, *, path: Path | None = None) -> ProjectConfig:
        """Parse config.yml text; malformed content raises SourceError with the line."""
        document = load_yaml(text, path=path)
        if document is None:
            return cls()
        if not isinstance(document, YamlMap):
            raise SourceError("config.yml must be a mapping", path=path, line=1)
        language = document.get("language", "en")
        if not isinstance(language, str) or not language:
            raise SourceError(
                "language: must be a language code such as en or zh",
                path=path,
                line=document.line_of_key("language"),
            )
        assistant_id = document.get("assistant_id")
        recipe = document.get("recipe")
        assistant_name = document.get("assistant_name")
        return cls(
            language=language,
            pipeline=_components(document, "pipeline", path),
            policies=_components(document, "policies", path),
            assistant_id=str(assistant_id) if assistant_id is not None else None,
            recipe=str(recipe) if recipe is not None else None,
            assistant_name=str(assistant_name).strip() or None
            if assistant_name is not None
            else None,
        )

    def component(self, *names: str) -> Mapping[str, Any] | None:
        """The first pipeline component whose name is one of ``names``, or None."""
        return next((c for c in self.pipeline if c.get("name") in names), None)


def _components(document: YamlMap, key: str, path: Path | None) -> tuple[Mapping[str, Any], ...]:
    value = document.get(key)
    if value is None:
        return ()
    line = document.line_of_key(key)
    if not isinstance(value, list):
        raise SourceError(
            f"{key}: must be a list of {{name: ...}} components", path=path, line=line
        )
    result = []
    for index, item in enumerate(value):
        item_line = value.item_lines[index] if hasattr(value, "item_lines") else line
        if not isinstance(item, YamlMap) or not isinstance(item.get("name"), str):
            raise SourceError(
                f"each entry of {key}: is a mapping with a name", path=path, line=item_line
            )
        result.append(dict(item))
    return tuple(result)


@dataclass(frozen=True)
class Project:
    """A loaded assistant project. Build with :meth:`load`; train with ``train_project``."""

    root: Path
    config: ProjectConfig
    domain: Domain
    nlu: TrainingData
    nlu_files: tuple[Path, ...] = ()
    story_files: tuple[Path, ...] = ()
    rule_files: tuple[Path, ...] = ()
    test_files: tuple[Path, ...] = ()
    _fingerprint: str = field(default="", repr=False)

    @classmethod
    def load(cls, path: Path) -> Project:
        """Read config.yml, the domain and data/ under ``path``.

        Raises ProjectError when the folder or its domain is missing, and a SourceError
        (TrainingDataError, DomainError) naming file and line when a file is malformed.
        """
        root = Path(path)
        if not root.is_dir():
            raise ProjectError(f"{root} is not a folder; pass an assistant project folder")
        digest = hashlib.sha256()

        config_path = next(
            (root / n for n in ("config.yml", "config.yaml") if (root / n).is_file()), None
        )
        config = ProjectConfig()
        if config_path is not None:
            config = ProjectConfig.from_yaml(_read(config_path, digest, root), path=config_path)

        domain_path = next(
            (root / n for n in ("domain.yml", "domain.yaml", "domain") if (root / n).exists()), None
        )
        if domain_path is None:
            raise ProjectError(f"{root} has no domain.yml (or domain/ folder)")
        domain = Domain()
        for file in _yaml_files(domain_path):
            domain = domain.merge(Domain.from_yaml(_read(file, digest, root), path=file))

        nlu = TrainingData()
        kinds: dict[str, list[Path]] = {"nlu": [], "stories": [], "rules": [], "tests": []}
        data_dir = root / "data"
        for file in _yaml_files(data_dir) if data_dir.is_dir() else ():
            text = _read(file, digest, root)
            keys = _top_level_keys(text, file)
            if "nlu" in keys:
                nlu = nlu.merge(parse_nlu_yaml(text, path=file))
                kinds["nlu"].append(file)
            for kind in ("stories", "rules"):
                if kind in keys:
                    kinds[kind].append(file)
        tests_dir = root / "tests"
        # Test stories are not training input, so they stay out of the fingerprint.
        kinds["tests"] = list(_yaml_files(tests_dir)) if tests_dir.is_dir() else []
        return cls(
            root=root,
            config=config,
            domain=domain,
            nlu=nlu,
            nlu_files=tuple(kinds["nlu"]),
            story_files=tuple(kinds["stories"]),
            rule_files=tuple(kinds["rules"]),
            test_files=tuple(kinds["tests"]),
            _fingerprint=digest.hexdigest(),
        )

    def fingerprint(self) -> str:
        """sha256 (hex) of config, domain and data files (names and bytes) as loaded."""
        return self._fingerprint


def _yaml_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _YAML_SUFFIXES)


def _read(file: Path, digest: Any, root: Path) -> str:
    try:
        raw = file.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read: {exc}", path=file, line=None) from exc
    # Names are hashed too: moving a file between domain/ and data/ changes the project.
    name = file.relative_to(root).as_posix().encode()
    digest.update(len(name).to_bytes(8, "big") + name + len(raw).to_bytes(8, "big") + raw)
    return text


def _top_level_keys(text: str, path: Path) -> frozenset[str]:
    document = load_yaml(text, path=path, error=TrainingDataError)
    if document is None:
        return frozenset()
    if not isinstance(document, YamlMap):
        raise TrainingDataError(
            "a data file is a mapping (nlu:, stories:, rules:)", path=path, line=1
        )
    return frozenset(str(k) for k in document)
