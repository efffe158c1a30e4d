"""Errors raised by the dialogue package.

Catch :class:`DialogueError` to handle all of them; the edges (CLI, HTTP) turn them
into messages for people. The tree::

    DialogueError
    ├── ProjectError              an assistant project cannot be read (missing folder, bad config.yml)
    │   └── SourceError           a YAML file is malformed; names the file and line
    │       ├── TrainingDataError nlu/stories data is malformed
    │       └── DomainError       domain.yml is malformed
    │           └── UnknownResponseError  a response name the domain does not define
    └── ModelError                a trained model cannot be trained, saved or loaded
        └── IncompatibleModelError  a stored model was written by another model format
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DialogueError",
    "DomainError",
    "IncompatibleModelError",
    "ModelError",
    "ProjectError",
    "SourceError",
    "TrainingDataError",
    "UnknownResponseError",
]


class DialogueError(Exception):
    """Base of every error of the dialogue package."""


class ProjectError(DialogueError):
    """An assistant project cannot be read; the message says which path and why."""


class SourceError(ProjectError):
    """A YAML source is malformed at ``path``:``line`` (1-based; None when unknown).

    The message starts with ``path:line:`` so editors and terminals link to the spot.
    """

    def __init__(self, message: str, *, path: Path | str | None, line: int | None) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.reason = message
        where = str(self.path) if self.path is not None else "<string>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


class TrainingDataError(SourceError):
    """NLU training data (nlu.yml) is malformed; fix the file and line named in the message."""


class DomainError(SourceError):
    """domain.yml is malformed; fix the file and line named in the message."""


class UnknownResponseError(DomainError):
    """The domain defines no response of this name; check ``Domain.responses``."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"the domain has no response named {name!r}", path=None, line=None)


class ModelError(DialogueError):
    """A model cannot be trained, saved or loaded; retrain with ``kefu train --force``."""


class IncompatibleModelError(ModelError):
    """A stored model was written in another format version; retrain it."""
