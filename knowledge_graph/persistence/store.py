"""``GraphStore``: the graph in SQL with revisions, diff, revert and per-node versions.

Every commit is one transaction that creates one revision. Edits name the node version
they were based on; a stale one raises ``VersionConflictError`` and changes nothing.
Sync SQLAlchemy: call it from a worker thread in async code.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy import Connection, Engine, and_, insert, or_, select, update

from knowledge_graph.exceptions import (
    DanglingEdgeError,
    FactNotFoundError,
    RevisionNotFoundError,
    VersionConflictError,
)
from knowledge_graph.model import Fact, build_graph, graph_facts
from knowledge_graph.persistence.tables import facts as facts_table
from knowledge_graph.persistence.tables import head as head_table
from knowledge_graph.persistence.tables import metadata
from knowledge_graph.persistence.tables import nodes as nodes_table
from knowledge_graph.persistence.tables import revisions as revisions_table


@dataclass(frozen=True, slots=True)
class Revision:
    id: int
    parent_id: int | None
    author: str
    message: str
    created_at: dt.datetime
    reverted_to: int | None = None


@dataclass(frozen=True, slots=True)
class NodeEdit:
    """A change to one node's facts.

    ``expected_version``: the version the editor read (0 for a node that must not exist
    yet); None skips the check (imports). ``replace=True`` makes ``add`` the node's
    complete fact list (an empty one deletes the node).
    """

    node: str
    expected_version: int | None
    add: tuple[Fact, ...] = ()
    remove: tuple[Fact, ...] = ()
    replace: bool = False


@dataclass(frozen=True, slots=True)
class GraphDiff:
    from_revision: int
    to_revision: int
    added: tuple[Fact, ...]
    removed: tuple[Fact, ...]

    @property
    def changed_nodes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.subject for f in (*self.removed, *self.added)))


def _row_fact(row: object) -> Fact:
    return Fact(row.subject, row.predicate, row.object, row.unit, bool(row.edge))  # type: ignore[attr-defined]


def _live_at(revision: int):  # type: ignore[no-untyped-def]
    return and_(
        facts_table.c.added_in <= revision,
        or_(facts_table.c.removed_in.is_(None), facts_table.c.removed_in > revision),
    )


class GraphStore:
    """The persistent graph behind one SQLAlchemy ``Engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_tables(self) -> None:
        """Create the ``kg_`` tables if missing (migrations do this in the app)."""
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            if conn.execute(select(head_table.c.id)).first() is None:
                conn.execute(insert(head_table).values(id=1, revision=0, next_ordinal=1))

    # --- reading ------------------------------------------------------------------------

    def head_revision(self) -> int | None:
        """The latest revision id, None before the first commit."""
        with self.engine.connect() as conn:
            value = conn.execute(select(head_table.c.revision).where(head_table.c.id == 1)).scalar()
        return int(value) if value else None

    def revisions(self) -> list[Revision]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(revisions_table).order_by(revisions_table.c.id)).all()
        return [
            Revision(r.id, r.parent_id, r.author, r.message, r.created_at, r.reverted_to)
            for r in rows
        ]

    def facts_at(self, revision: int | None = None) -> list[Fact]:
        """The live facts at ``revision`` (default: head), in graph order."""
        with self.engine.connect() as conn:
            return self._facts_at(conn, self._resolve(conn, revision))

    def graph_at(self, revision: int | None = None) -> nx.MultiDiGraph:
        """Rebuild the frozen graph as it was at ``revision`` (default: head)."""
        with self.engine.connect() as conn:
            resolved = self._resolve(conn, revision)
            return build_graph(self._facts_at(conn, resolved), revision=resolved or None)

    def node_version(self, node: str) -> int:
        """The node's current version (0: never existed). Send it back with your edit."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(nodes_table.c.version).where(nodes_table.c.id == node)
            ).scalar()
        return int(value or 0)

    def diff(self, from_revision: int, to_revision: int | None = None) -> GraphDiff:
        """Facts added and removed between two revisions."""
        with self.engine.connect() as conn:
            start = self._resolve(conn, from_revision)
            end = self._resolve(conn, to_revision)
            low, high = min(start, end), max(start, end)
            changed = conn.execute(
                select(facts_table).where(
                    or_(
                        and_(facts_table.c.added_in > low, facts_table.c.added_in <= high),
                        and_(facts_table.c.removed_in > low, facts_table.c.removed_in <= high),
                    )
                )
            ).all()
        before = Counter(
            _row_fact(r)
            for r in changed
            if r.added_in <= start and (r.removed_in is None or r.removed_in > start)
        )
        after = Counter(
            _row_fact(r)
            for r in changed
            if r.added_in <= end and (r.removed_in is None or r.removed_in > end)
        )
        added = tuple((after - before).elements())
        removed = tuple((before - after).elements())
        return GraphDiff(start, end, added, removed)

    def _resolve(self, conn: Connection, revision: int | None) -> int:
        current = int(
            conn.execute(select(head_table.c.revision).where(head_table.c.id == 1)).scalar() or 0
        )
        if revision is None:
            return current
        if revision == 0:
            return 0
        exists = conn.execute(
            select(revisions_table.c.id).where(revisions_table.c.id == revision)
        ).first()
        if exists is None:
            raise RevisionNotFoundError(f"no revision {revision}; the head is {current}")
        return revision

    def _facts_at(self, conn: Connection, revision: int) -> list[Fact]:
        rows = conn.execute(
            select(facts_table)
            .where(_live_at(revision))
            .order_by(facts_table.c.ordinal, facts_table.c.id)
        ).all()
        ordered: dict[str, list[Fact]] = {}
        for row in rows:
            ordered.setdefault(row.subject, []).append(_row_fact(row))
        return [fact for node_facts in ordered.values() for fact in node_facts]

    # --- writing ------------------------------------------------------------------------

    def commit(self, edits: Sequence[NodeEdit], *, author: str, message: str) -> Revision | None:
        """Apply ``edits`` as one new revision; None when they change nothing.

        Raises ``VersionConflictError`` (stale edit), ``FactNotFoundError`` (removing a
        fact that is not live) or ``DanglingEdgeError``; nothing is written then.
        """
        with self.engine.begin() as conn:
            return self._commit(conn, edits, author=author, message=message)

    def import_graph(self, graph: nx.MultiDiGraph, *, author: str, message: str) -> Revision | None:
        """Make the stored graph equal ``graph``: changed nodes are replaced, others kept."""
        wanted: dict[str, list[Fact]] = {}
        for fact in graph_facts(graph):
            wanted.setdefault(fact.subject, []).append(fact)
        with self.engine.begin() as conn:
            current: dict[str, list[Fact]] = {}
            for fact in self._facts_at(conn, self._resolve(conn, None)):
                current.setdefault(fact.subject, []).append(fact)
            edits = [
                NodeEdit(node, None, tuple(wanted.get(node, ())), replace=True)
                for node in [*wanted, *(n for n in current if n not in wanted)]
                if wanted.get(node, []) != current.get(node, [])
            ]
            return self._commit(conn, edits, author=author, message=message)

    def revert(
        self, to_revision: int, *, author: str, message: str | None = None
    ) -> Revision | None:
        """A new revision whose graph equals the one at ``to_revision`` (order included)."""
        with self.engine.begin() as conn:
            target = self._resolve(conn, to_revision)
            now = self._resolve(conn, None)
            target_rows = conn.execute(select(facts_table).where(_live_at(target))).all()
            current_rows = conn.execute(select(facts_table).where(_live_at(now))).all()
            by_node_target: dict[str, list[Any]] = {}
            for row in sorted(target_rows, key=lambda r: (r.ordinal, r.id)):
                by_node_target.setdefault(row.subject, []).append(row)
            by_node_now: dict[str, list[Any]] = {}
            for row in sorted(current_rows, key=lambda r: (r.ordinal, r.id)):
                by_node_now.setdefault(row.subject, []).append(row)
            changed = [
                n
                for n in {**by_node_target, **by_node_now}
                if [_row_fact(r) for r in by_node_target.get(n, [])]
                != [_row_fact(r) for r in by_node_now.get(n, [])]
            ]
            if not changed:
                return None
            revision = self._open_revision(
                conn, author, message or f"revert to revision {target}", target
            )
            restored: list[tuple[Fact, int | None]] = []
            for node in changed:
                self._retire_node(conn, node, revision.id)
                # The original ordinals keep the reverted node's facts in their old order.
                restored.extend(
                    (_row_fact(row), row.ordinal) for row in by_node_target.get(node, [])
                )
                self._bump(conn, node, None, revision.id)
            self._insert_facts(conn, restored, revision.id)
            return revision

    def _commit(
        self, conn: Connection, edits: Sequence[NodeEdit], *, author: str, message: str
    ) -> Revision | None:
        current = self._resolve(conn, None)
        plans: list[tuple[NodeEdit, list[Fact], list[Fact]]] = []
        for edit in edits:
            live = self._node_facts(conn, edit.node, current)
            if edit.replace:
                target = list(dict.fromkeys(edit.add))
            else:
                target = list(live)
                for fact in edit.remove:
                    if fact not in target:
                        raise FactNotFoundError(
                            f"cannot remove {fact}: it is not a live fact of {edit.node!r}"
                        )
                    target.remove(fact)
                target.extend(f for f in dict.fromkeys(edit.add) if f not in target)
            for fact in target:
                if fact.subject != edit.node:
                    raise ValueError(
                        f"edit of {edit.node!r} contains a fact about {fact.subject!r}"
                    )
            plans.append((edit, live, target))
        for edit, _, _ in plans:
            if edit.expected_version is not None:
                actual = self._version(conn, edit.node)
                if actual != edit.expected_version:
                    raise VersionConflictError(edit.node, edit.expected_version, actual)
        if all(live == target for _, live, target in plans):
            return None
        revision = self._open_revision(conn, author, message, None)
        new_facts: list[Fact] = []
        for edit, live, target in plans:
            if live == target:
                continue
            keep = len(live) if live == target[: len(live)] else 0
            if keep == 0:
                self._retire_node(conn, edit.node, revision.id)
            new_facts.extend(target[keep:])
        self._insert_facts(conn, [(f, None) for f in new_facts], revision.id)
        for edit, live, target in plans:
            if live == target:
                continue
            if edit.expected_version is not None:
                bumped = conn.execute(
                    update(nodes_table)
                    .where(
                        nodes_table.c.id == edit.node,
                        nodes_table.c.version == edit.expected_version,
                    )
                    .values(version=nodes_table.c.version + 1, updated_in=revision.id)
                ).rowcount
                if bumped == 0 and edit.expected_version == 0:
                    conn.execute(
                        insert(nodes_table).values(id=edit.node, version=1, updated_in=revision.id)
                    )
                elif bumped == 0:
                    raise VersionConflictError(
                        edit.node, edit.expected_version, self._version(conn, edit.node)
                    )
            else:
                self._bump(conn, edit.node, None, revision.id)
        self._check_edges(conn, revision.id)
        return revision

    def _open_revision(
        self, conn: Connection, author: str, message: str, reverted_to: int | None
    ) -> Revision:
        # Updating the head row first takes the writers' lock for the whole transaction.
        conn.execute(
            update(head_table)
            .where(head_table.c.id == 1)
            .values(revision=head_table.c.revision + 1)
        )
        number = int(
            conn.execute(select(head_table.c.revision).where(head_table.c.id == 1)).scalar_one()
        )
        created = dt.datetime.now(dt.UTC)
        conn.execute(
            insert(revisions_table).values(
                id=number,
                parent_id=number - 1 or None,
                author=author,
                message=message,
                created_at=created,
                reverted_to=reverted_to,
            )
        )
        return Revision(number, number - 1 or None, author, message, created, reverted_to)

    def _node_facts(self, conn: Connection, node: str, revision: int) -> list[Fact]:
        rows = conn.execute(
            select(facts_table)
            .where(facts_table.c.subject == node, _live_at(revision))
            .order_by(facts_table.c.ordinal, facts_table.c.id)
        ).all()
        return [_row_fact(r) for r in rows]

    def _retire_node(self, conn: Connection, node: str, revision: int) -> None:
        conn.execute(
            update(facts_table)
            .where(facts_table.c.subject == node, facts_table.c.removed_in.is_(None))
            .values(removed_in=revision)
        )

    def _insert_facts(
        self, conn: Connection, rows: Sequence[tuple[Fact, int | None]], revision: int
    ) -> None:
        """Insert facts in one statement; rows without an ordinal get the next ones."""
        if not rows:
            return
        fresh = sum(1 for _, ordinal in rows if ordinal is None)
        conn.execute(
            update(head_table)
            .where(head_table.c.id == 1)
            .values(next_ordinal=head_table.c.next_ordinal + fresh)
        )
        after = int(
            conn.execute(select(head_table.c.next_ordinal).where(head_table.c.id == 1)).scalar_one()
        )
        next_ordinal = after - fresh
        values = []
        for fact, ordinal in rows:
            if ordinal is None:
                ordinal, next_ordinal = next_ordinal, next_ordinal + 1
            values.append(
                {
                    "subject": fact.subject,
                    "predicate": fact.predicate,
                    "object": fact.object,
                    "unit": fact.unit,
                    "edge": fact.edge,
                    "ordinal": ordinal,
                    "added_in": revision,
                }
            )
        conn.execute(insert(facts_table), values)

    def _version(self, conn: Connection, node: str) -> int:
        value = conn.execute(select(nodes_table.c.version).where(nodes_table.c.id == node)).scalar()
        return int(value or 0)

    def _bump(self, conn: Connection, node: str, expected: int | None, revision: int) -> None:
        bumped = conn.execute(
            update(nodes_table)
            .where(nodes_table.c.id == node)
            .values(version=nodes_table.c.version + 1, updated_in=revision)
        ).rowcount
        if bumped == 0:
            conn.execute(insert(nodes_table).values(id=node, version=1, updated_in=revision))

    def _check_edges(self, conn: Connection, revision: int) -> None:
        live_subjects = (
            select(facts_table.c.subject).where(_live_at(revision)).distinct().scalar_subquery()
        )
        dangling = conn.execute(
            select(facts_table.c.subject, facts_table.c.predicate, facts_table.c.object)
            .where(
                _live_at(revision),
                facts_table.c.edge.is_(True),
                facts_table.c.object.not_in(live_subjects),
            )
            .limit(3)
        ).all()
        if dangling:
            shown = ", ".join(f"{s} {p} {o}" for s, p, o in dangling)
            raise DanglingEdgeError(f"these edges would point at nodes without facts: {shown}")
