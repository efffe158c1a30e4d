"""Training a project into a model folder named after the project's fingerprint.

    models_dir/<fingerprint>/metadata.json   fingerprint, kefu version, created_at, intents
    models_dir/<fingerprint>/nlu/            the NLU pipeline (JSON + safetensors)

An unchanged project maps to the same folder, so :func:`train_project` returns the stored
model instead of training again. The dialogue engine will store its policies beside nlu/.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from dialogue.domain import Domain
from dialogue.exceptions import ModelError
from dialogue.nlu import NLUPipeline, Progress, train_nlu
from dialogue.nlu.pipeline import MODEL_FORMAT
from dialogue.project import Project

__all__ = ["ModelMetadata", "TrainedAssistant", "kefu_version", "load_trained", "train_project"]

_METADATA = "metadata.json"
_NLU = "nlu"


def kefu_version() -> str:
    """The installed kefu version, or "unknown" when kefu runs from an uninstalled tree."""
    try:
        return version("kefu")
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class ModelMetadata:
    """What metadata.json of a model folder says."""

    fingerprint: str
    kefu_version: str
    created_at: str
    intents: tuple[str, ...]
    model_format: int = MODEL_FORMAT

    def to_json(self) -> str:
        return json.dumps(
            {
                "fingerprint": self.fingerprint,
                "kefu_version": self.kefu_version,
                "created_at": self.created_at,
                "intents": list(self.intents),
                "model_format": self.model_format,
            },
            ensure_ascii=False,
            indent=2,
        )

    @classmethod
    def read(cls, path: Path) -> ModelMetadata | None:
        """The metadata in ``path``, or None when it is missing or unreadable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                fingerprint=str(data["fingerprint"]),
                kefu_version=str(data["kefu_version"]),
                created_at=str(data["created_at"]),
                intents=tuple(data["intents"]),
                model_format=int(data.get("model_format", 0)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class TrainedAssistant:
    """A project's domain with its trained NLU; the dialogue engine adds its policies."""

    path: Path
    domain: Domain
    nlu: NLUPipeline
    metadata: ModelMetadata


def _current(directory: Path, fingerprint: str) -> ModelMetadata | None:
    metadata = ModelMetadata.read(directory / _METADATA)
    if metadata is None or metadata.fingerprint != fingerprint:
        return None
    return metadata if metadata.model_format == MODEL_FORMAT else None


def train_project(
    project: Project,
    models_dir: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Train ``project`` into ``models_dir/<fingerprint>`` and return that folder.

    When a model for the same fingerprint (and model format) exists it is returned
    untouched, unless ``force``. The folder appears complete or not at all: training
    writes a temporary folder and renames it.
    """
    fingerprint = project.fingerprint()
    target = models_dir / fingerprint
    if not force and _current(target, fingerprint) is not None:
        return target
    pipeline = train_nlu(project.nlu, project.config, domain=project.domain, progress=progress)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{fingerprint[:12]}-", dir=models_dir))
    try:
        pipeline.save(staging / _NLU)
        metadata = ModelMetadata(
            fingerprint=fingerprint,
            kefu_version=kefu_version(),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            intents=pipeline.intents,
        )
        (staging / _METADATA).write_text(metadata.to_json(), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelError(f"cannot write the model to {target}: {exc}") from exc
    return target


def load_trained(models_dir: Path, project: Project) -> TrainedAssistant | None:
    """The stored model for ``project``'s current fingerprint, or None when there is none
    (or it was written in another model format): then call :func:`train_project`."""
    target = models_dir / project.fingerprint()
    metadata = _current(target, project.fingerprint())
    if metadata is None:
        return None
    return TrainedAssistant(
        path=target, domain=project.domain, nlu=NLUPipeline.load(target / _NLU), metadata=metadata
    )
