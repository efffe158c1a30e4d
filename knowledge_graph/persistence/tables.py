"""SQL tables (prefix ``kg_``) on their own ``MetaData`` for the app's Alembic migrations.

Facts are temporal rows: a row is live from ``added_in`` until ``removed_in`` (exclusive),
so the graph at revision r is one query: ``added_in <= r < coalesce(removed_in, inf)``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

revisions = Table(
    "kg_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("parent_id", Integer, nullable=True),
    Column("author", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reverted_to", Integer, nullable=True),
)

# One row: the head revision and the next fact ordinal. Updating it first in every commit
# serialises writers (a row lock on PostgreSQL, the write lock on SQLite).
head = Table(
    "kg_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("revision", Integer, nullable=False),
    Column("next_ordinal", BigInteger, nullable=False),
)

nodes = Table(
    "kg_nodes",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_in", Integer, ForeignKey("kg_revisions.id"), nullable=False),
)

facts = Table(
    "kg_facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(255), nullable=False),
    Column("predicate", String(255), nullable=False),
    Column("object", Text, nullable=False),
    Column("unit", String(64), nullable=False, default=""),
    Column("edge", Boolean, nullable=False, default=False),
    Column("ordinal", BigInteger, nullable=False),
    Column("added_in", Integer, ForeignKey("kg_revisions.id"), nullable=False),
    Column("removed_in", Integer, ForeignKey("kg_revisions.id"), nullable=True),
    Index("ix_kg_facts_live", "removed_in", "subject"),
    Index("ix_kg_facts_added", "added_in"),
)
