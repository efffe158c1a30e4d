"""The conversation brain, without I/O: training data and domain (Rasa 3 YAML), NLU, and
(later) tracker, policies and the turn orchestrator.

Load a project with :meth:`Project.load`, train it with :func:`train_project`, and get the
trained NLU back with :func:`load_trained`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dialogue.domain import Domain
from dialogue.exceptions import (
    DialogueError,
    DomainError,
    IncompatibleModelError,
    ModelError,
    ProjectError,
    SourceError,
    TrainingDataError,
    UnknownResponseError,
)
from dialogue.project import Project, ProjectConfig
from dialogue.training_data import TrainingData, read_nlu_file

if TYPE_CHECKING:
    from dialogue.training import TrainedAssistant, load_trained, train_project

__all__ = [
    "DialogueError",
    "Domain",
    "DomainError",
    "IncompatibleModelError",
    "ModelError",
    "Project",
    "ProjectConfig",
    "ProjectError",
    "SourceError",
    "TrainedAssistant",
    "TrainingData",
    "TrainingDataError",
    "UnknownResponseError",
    "load_trained",
    "read_nlu_file",
    "train_project",
]

# Training pulls in torch (seconds to import); load it only when these names are used, so
# that reading a domain or a project stays cheap for the web app and the CLI.
_LAZY = {"TrainedAssistant", "load_trained", "train_project"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from dialogue import training

        return getattr(training, name)
    raise AttributeError(f"module 'dialogue' has no attribute {name!r}")
