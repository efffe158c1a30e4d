"""Shared fixtures: a trained demo assistant, databases, real servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import Settings
from tests.servers import ServerProcess, postgres_database


@pytest.fixture(scope="session")
def trained_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the demo assistant, trained once per test session."""
    from app.bot import ensure_trained

    data_dir = tmp_path_factory.mktemp("kefu-data")
    ensure_trained(Settings(data_dir=data_dir))
    return data_dir


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'kefu.db'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh database on the local PostgreSQL."""
    yield from _database(request.param, tmp_path)


@pytest.fixture(scope="module", params=DATABASES)
def shared_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Like ``database_url``, shared by a module's tests (each test starts its own conversations)."""
    yield from _database(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def server(trained_data_dir: Path, shared_database_url: str) -> Iterator[ServerProcess]:
    """A running ``kefu run`` on a loopback port, on each kind of database."""
    process = ServerProcess(data_dir=trained_data_dir, database_url=shared_database_url).start()
    try:
        yield process
    finally:
        process.stop()
