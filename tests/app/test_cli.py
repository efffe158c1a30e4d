"""The ``kefu`` command line, run as a user would: in a subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def kefu(
    *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        input=input,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_help_lists_the_commands() -> None:
    result = kefu("--help")
    assert result.returncode == 0
    for command in ("run", "train", "db", "user", "worker"):
        assert f"  {command}" in result.stdout


def test_db_upgrade_then_user_create(tmp_path: Path) -> None:
    env = {"KEFU_DATA_DIR": str(tmp_path)}
    upgraded = kefu("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    db = tmp_path / "kefu.db"
    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master")}
    assert {"conversations", "messages", "tracker_events", "users", "alembic_version"} <= tables

    created = kefu(
        "user", "create", "ana", "--role", "admin", "--password", "correct horse battery", env=env
    )
    assert created.returncode == 0, created.stderr
    stored = sqlite3.connect(db).execute("select role, password_hash from users").fetchall()
    assert stored[0][0] == "admin"
    assert stored[0][1].startswith("$argon2") and "correct horse" not in stored[0][1]

    again = kefu("user", "create", "ana", "--password", "another long one", env=env)
    assert again.returncode != 0 and "exists" in again.stderr
    weak = kefu("user", "create", "bob", "--password", "short", env=env)
    assert weak.returncode != 0 and "10 characters" in weak.stderr
