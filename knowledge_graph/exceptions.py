"""Errors raised by ``knowledge_graph``.

::

    KnowledgeGraphError
    ├── GraphFormatError          a file or row cannot be read as a graph (says where)
    ├── UnknownNodeError          a node id that is not in the graph
    ├── UnitError                 a literal whose value does not fit its unit
    └── StoreError                persistence problems
        ├── RevisionNotFoundError the revision id does not exist
        ├── FactNotFoundError     an edit removes a fact that is not live
        ├── DanglingEdgeError     an edit would leave an edge pointing at a missing node
        └── VersionConflictError  a stale edit: the node changed since it was read

Catch ``KnowledgeGraphError`` at the edge (CLI, HTTP) and map it to a message or status.
"""

from __future__ import annotations


class KnowledgeGraphError(Exception):
    """Base class of every error this package raises."""


class GraphFormatError(KnowledgeGraphError):
    """A file or row cannot be read as a graph; the message names the row or element."""


class UnknownNodeError(KnowledgeGraphError, KeyError):
    """The node id is not in the graph."""

    def __init__(self, node: str) -> None:
        super().__init__(node)
        self.node = node

    def __str__(self) -> str:
        return f"no node {self.node!r} in the graph"


class UnitError(KnowledgeGraphError, ValueError):
    """A literal's object does not parse under its unit (e.g. ``abc`` with unit ``USD``)."""


class StoreError(KnowledgeGraphError):
    """Something went wrong in the persistent store."""


class RevisionNotFoundError(StoreError):
    """The revision id does not exist; list revisions with ``GraphStore.revisions()``."""


class FactNotFoundError(StoreError):
    """An edit removes a fact that is not live at the head revision."""


class DanglingEdgeError(StoreError):
    """An edit would leave an edge whose target node has no facts."""


class VersionConflictError(StoreError):
    """The node was changed by someone else since it was read.

    Reload the node (``GraphStore.node_version``), re-apply the change, and commit again.
    """

    def __init__(self, node: str, expected: int, actual: int) -> None:
        super().__init__(
            f"node {node!r} is at version {actual}, the edit expected version {expected}: "
            "someone else changed it; reload it and apply your change again"
        )
        self.node = node
        self.expected = expected
        self.actual = actual
