"""Consistent reads of the graph store: a snapshot and node versions that belong together.

An editor must never be shown facts from one revision with the version number of a later
one (its save would then silently overwrite the change in between). ``pinned_read``
reads the head, the versions and the snapshot, and retries until no commit slipped in
between. Sync SQL: call these from a worker thread.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, select

from app.admin.exceptions import BusyError
from knowledge_graph.live import LiveGraph, Snapshot
from knowledge_graph.persistence import GraphStore, metadata

_ATTEMPTS = 5
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Pinned:
    """The live snapshot at the store's head, and node versions at that same head."""

    snapshot: Snapshot
    versions: Mapping[str, int]

    def version(self, node: str) -> int:
        """0 for a node that never existed; a deleted node keeps its last version."""
        return self.versions.get(node, 0)


def pinned_read(live: LiveGraph, store: GraphStore, nodes: Collection[str] | None) -> Pinned:
    """The current snapshot (refreshed from the store) and the versions of ``nodes``
    (None: every node) at its revision; raises ``BusyError`` after a few retries."""
    for _ in range(_ATTEMPTS):
        head = store.head_revision()
        versions = read_versions(store.engine, nodes)
        snapshot = live.refresh(store)
        if snapshot.revision == head and store.head_revision() == head:
            return Pinned(snapshot, versions)
    raise BusyError("the graph is being saved by others right now; try again in a moment")


def read_versions(engine: Engine, nodes: Collection[str] | None) -> dict[str, int]:
    table = metadata.tables["kg_nodes"]
    with engine.connect() as conn:
        if nodes is None:
            rows = conn.execute(select(table.c.id, table.c.version)).all()
        else:
            wanted = list(dict.fromkeys(nodes))
            rows = []
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows += conn.execute(
                    select(table.c.id, table.c.version).where(table.c.id.in_(chunk))
                ).all()
    return {row.id: int(row.version) for row in rows}


def node_revisions(engine: Engine, node: str) -> list[int]:
    """The revisions that added or removed facts of ``node``, newest first."""
    facts = metadata.tables["kg_facts"]
    with engine.connect() as conn:
        rows = conn.execute(
            select(facts.c.added_in, facts.c.removed_in).where(facts.c.subject == node)
        ).all()
    touched = {r.added_in for r in rows} | {r.removed_in for r in rows if r.removed_in}
    return sorted(touched, reverse=True)
