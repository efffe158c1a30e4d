"""The live graph: an atomically swapped, immutable snapshot (graph + its revision).

Readers take ``live.current`` once per request and use that snapshot throughout; a writer
builds a whole new frozen graph and publishes it, so no reader ever sees half an edit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from knowledge_graph.persistence import GraphStore


@dataclass(frozen=True, slots=True)
class Snapshot:
    graph: nx.MultiDiGraph  # frozen
    revision: int | None


class LiveGraph:
    """Holds the current ``Snapshot``; reading is lock-free, publishing is serialised."""

    def __init__(self, snapshot: Snapshot) -> None:
        if not nx.is_frozen(snapshot.graph):
            raise ValueError(
                "publish frozen graphs only (build_graph returns one; or nx.freeze(G))"
            )
        self._snapshot = snapshot
        self._lock = threading.Lock()

    @property
    def current(self) -> Snapshot:
        """The snapshot to use for one whole request (a single reference read: atomic)."""
        return self._snapshot

    def publish(self, snapshot: Snapshot) -> bool:
        """Swap in ``snapshot`` unless it is older than the current one; True if swapped."""
        if not nx.is_frozen(snapshot.graph):
            raise ValueError(
                "publish frozen graphs only (build_graph returns one; or nx.freeze(G))"
            )
        with self._lock:
            now = self._snapshot.revision
            if now is not None and snapshot.revision is not None and snapshot.revision < now:
                return False
            self._snapshot = snapshot
            return True

    def refresh(self, store: GraphStore) -> Snapshot:
        """Load the store's head revision if it is newer than the current snapshot."""
        head = store.head_revision()
        current = self._snapshot
        if head is not None and head != current.revision:
            self.publish(Snapshot(store.graph_at(head), head))
        return self._snapshot
