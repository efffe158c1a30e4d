"""Alembic environment. The URL comes from the caller (``kefu db upgrade``) or alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool, text

from app.db.engine import sync_url
from app.db.models import Base
from knowledge_graph.persistence import metadata as knowledge_graph_metadata

config = context.config
# The app's tables and the knowledge graph's (kg_*): one schema, one migration history.
target_metadata = [Base.metadata, knowledge_graph_metadata]


def run_migrations_offline() -> None:
    context.configure(
        url=sync_url(config.get_main_option("sqlalchemy.url") or ""),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section) or {}
    section["sqlalchemy.url"] = sync_url(section.get("sqlalchemy.url", ""))
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        # render_as_batch: SQLite can only ALTER tables by copying them.
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # One migrator at a time (replicas starting together); held to the commit.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            context.run_migrations()


# Any fixed number, the same for every kefu process: the advisory lock's name.
_LOCK_KEY = 0x6B656675  # "kefu"


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
