"""Errors of the knowledge-graph editor, each with the HTTP status the API answers with.

::

    EditorError                   (status)
    ├── InvalidValueError         422  values that do not fit their predicate; ``problems``
    │                                  name each field (node, predicate)
    ├── NodeNotFoundError         404  no such node in the graph
    ├── NodeExistsError           409  a new node's id is already in use
    ├── StaleEditError            409  the node changed since the editor read it
    ├── IncomingEdgesError        409  a delete would leave edges pointing at the node
    ├── StalePreviewError         409  the graph changed since an import was previewed
    ├── PreviewMismatchError      422  the applied file is not the previewed one
    └── BusyError                 503  no consistent read while others keep saving

The routes also map the library's errors (``knowledge_graph.exceptions``): a version
conflict or a fact that is no longer live is a 409, a format error or a dangling edge a
422, an unknown revision a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One refused value: which node and predicate (the field), and why."""

    node: str
    predicate: str
    message: str

    def __str__(self) -> str:
        return f"{self.node} {self.predicate}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {"node": self.node, "predicate": self.predicate, "message": self.message}


class EditorError(Exception):
    """Base class; ``status`` is the HTTP status, ``extra()`` more fields for the reply."""

    status = 400

    def extra(self) -> dict[str, Any]:
        return {}


class InvalidValueError(EditorError):
    """Some values do not fit their predicates; fix the fields ``problems`` name."""

    status = 422

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(shown + more)

    def extra(self) -> dict[str, Any]:
        return {"errors": [p.to_json() for p in self.problems]}


class NodeNotFoundError(EditorError):
    status = 404

    def __init__(self, node: str) -> None:
        super().__init__(f"no node {node!r} in the graph; search for it first")
        self.node = node


class NodeExistsError(EditorError):
    status = 409

    def __init__(self, node: str) -> None:
        super().__init__(f"a node {node!r} already exists; open it or choose another id")
        self.node = node


class StaleEditError(EditorError):
    """Someone else saved the node since it was read: reload it and apply the change again."""

    status = 409

    def __init__(self, node: str, expected: int, actual: int) -> None:
        super().__init__(
            f"{node!r} was changed by someone else (you edited version {expected}, it is now "
            f"at version {actual}); reload it and apply your change again"
        )
        self.node, self.expected, self.actual = node, expected, actual

    def extra(self) -> dict[str, Any]:
        return {"node": self.node, "expected_version": self.expected, "version": self.actual}


class IncomingEdgesError(EditorError):
    """Other nodes point at the node: remove those edges, or delete with ``detach=true``."""

    status = 409

    def __init__(self, node: str, incoming: Sequence[tuple[str, str]]) -> None:
        shown = ", ".join(f"{s} {p}" for s, p in incoming[:8])
        more = f" and {len(incoming) - 8} more" if len(incoming) > 8 else ""
        super().__init__(
            f"{node!r} is the target of {len(incoming)} edge(s) ({shown}{more}); remove them "
            "first or delete with detach=true to remove them too"
        )
        self.node = node
        self.incoming = tuple(incoming)

    def extra(self) -> dict[str, Any]:
        return {"incoming": [{"subject": s, "predicate": p} for s, p in self.incoming]}


class StalePreviewError(EditorError):
    """The graph moved on since the preview: preview the file again, then apply."""

    status = 409

    def __init__(self, previewed: int | None, head: int | None) -> None:
        super().__init__(
            f"the graph changed since the preview (revision {previewed} -> {head}); "
            "preview the file again before applying it"
        )
        self.previewed, self.head = previewed, head


class PreviewMismatchError(EditorError):
    status = 422


class BusyError(EditorError):
    """Others kept saving while the graph was read; try again in a moment."""

    status = 503
