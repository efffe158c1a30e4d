"""Run Alembic migrations from code: the one way kefu's schema is made.

Every command that touches the database (``kefu run``, ``kefu kg ...``, ``kefu user ...``,
``kefu worker``, ``kefu beat``, ``kefu db upgrade``) upgrades it first, under a lock:
PostgreSQL's advisory lock (taken in migrations/env.py), a lock file beside an SQLite
database. Two replicas starting at once both start; neither sees a half-made schema.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

import migrations
from app.db.engine import sync_url

SCRIPT_LOCATION = Path(migrations.__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", sync_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema at ``database_url`` up to ``revision``; creates the SQLite file's folder."""
    with _sqlite_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


@contextmanager
def _sqlite_lock(database_url: str) -> Iterator[None]:
    """An exclusive lock file beside an SQLite database while it is migrated (PostgreSQL
    locks inside the migration's transaction instead)."""
    url = make_url(sync_url(database_url))
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        yield
        return
    database = Path(url.database)
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".migrate.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
