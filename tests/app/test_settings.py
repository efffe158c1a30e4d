"""The settings object: environment variables, validation, documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.db.engine import async_url, sync_url
from app.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEFU_MAX_MESSAGE_CHARS", "120")
    settings = Settings()
    assert settings.data_dir == tmp_path and settings.max_message_chars == 120
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'kefu.db'}"


def test_bad_values_are_refused_naming_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_MESSAGES_PER_SECOND", "-1")
    with pytest.raises(ValidationError, match="messages_per_second"):
        Settings()


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"`KEFU_{n.upper()}`" not in text]
    assert not missing, f"document these in docs/configuration.md: {missing}"


def test_database_urls_get_the_right_drivers() -> None:
    assert async_url("postgresql://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert sync_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert async_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    assert sync_url("sqlite+aiosqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
