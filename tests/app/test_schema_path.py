"""One schema path: every command that touches the database makes or upgrades it with the
migrations first, one process at a time; nothing else creates tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from app.cli import main
from app.db.engine import sync_url
from app.db.migrate import upgrade

TEA = Path(__file__).resolve().parents[2] / "bench" / "data" / "businesses" / "cloud-mist-tea"


def head_of(url: str) -> str | None:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            if "alembic_version" not in inspect(conn).get_table_names():
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def migrations_head() -> str:
    from alembic.script import ScriptDirectory

    from app.db.migrate import alembic_config

    return str(ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head())


@pytest.mark.parametrize(
    "command",
    [
        ["user", "create", "ada", "--role", "admin", "--password", "correct horse battery"],
        ["kg", "import", str(TEA / "graph.csv")],
        ["kg", "log"],
        ["db", "upgrade"],
    ],
    ids=["user-create", "kg-import", "kg-log", "db-upgrade"],
)
def test_each_command_first_on_a_fresh_data_dir_migrates(
    tmp_path: Path, command: list[str]
) -> None:
    env = {"KEFU_DATA_DIR": str(tmp_path / "data"), "KEFU_DATABASE_URL": ""}
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 0, result.output
    url = f"sqlite:///{tmp_path / 'data' / 'kefu.db'}"
    assert head_of(url) == migrations_head()
    # ... and the migrations are the only schema: upgrading again changes nothing.
    upgrade(url)
    assert head_of(url) == migrations_head()


def test_replicas_migrating_at_once_all_succeed(database_url: str, tmp_path: Path) -> None:
    # Three processes, as three replicas starting together: one migrates, the others wait
    # for the lock and find the schema at head.
    env = {**os.environ, "KEFU_DATA_DIR": str(tmp_path), "KEFU_DATABASE_URL": database_url}
    replicas = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "db", "upgrade"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [replica.communicate(timeout=180)[0] for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0, 0, 0], outputs
    assert head_of(database_url) == migrations_head()


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_DATABASE_URL": "postgresql://kefu:s3cret@127.0.0.1:9/kefu",
    }
    result = CliRunner().invoke(main, ["kg", "log"], env=env)
    assert result.exit_code != 0
    assert "cannot reach the database at postgresql://kefu:***@127.0.0.1:9/kefu" in result.output
    assert "s3cret" not in result.output
    assert "Traceback" not in result.output
