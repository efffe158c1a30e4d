"""Errors raised by ``dialogue.knowledge``.

::

    KnowledgeAnswerError
    └── NoModelError     KnowledgeAnswerer(require_model=True) had no model or it failed

The pipeline itself never fails for a model error: it falls back to a composed answer.
"""

from __future__ import annotations


class KnowledgeAnswerError(Exception):
    """Base class of this package's errors."""


class NoModelError(KnowledgeAnswerError):
    """No chat model is configured or it failed, and the caller asked for one."""
