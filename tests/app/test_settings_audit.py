"""Every start whose settings differ from the last start's is in the audit trail: what
changed, when, on which host; secrets only as fingerprints; shown to admins only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.db.engine import Database
from app.db.migrate import upgrade
from app.db.settings_audit import record_settings, settings_values
from app.settings import Settings
from tests.console_client import Agent, create_account
from tests.servers import ServerProcess

PASSWORD = "a long enough password"


def test_secrets_are_fingerprints_and_url_passwords_are_masked(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url="postgresql://kefu:hunter2secret@db.internal/kefu",
        webhook_secret=SecretStr("webhook-secret-value"),
        redis_url="redis://:redispass@cache:6379/0",
    )
    values = settings_values(settings)
    text = json.dumps(values)
    assert "hunter2secret" not in text and "redispass" not in text
    assert "webhook-secret-value" not in text
    assert values["database_url"] == "postgresql://kefu:***@db.internal/kefu"
    assert values["webhook_secret"].startswith("set (sha256 ")
    assert values["metrics_token"] == "unset"


async def test_a_start_is_recorded_only_when_something_changed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    upgrade(url)
    db = Database(url)
    first = settings_values(Settings(data_dir=tmp_path, support_hours="Mon-Fri 09:00-17:00 +00:00"))
    try:
        async with db.session() as session:
            event = await record_settings(session, first, actor="kefu run@a")
            await session.commit()
            assert event is not None and event.changes == {}  # the first start: all values
        async with db.session() as session:
            assert await record_settings(session, first, actor="kefu run@a") is None
        changed = settings_values(
            Settings(
                data_dir=tmp_path,
                support_hours="Mon-Sat 08:00-20:00 +00:00",
                webhook_secret=SecretStr("rotated"),
            )
        )
        async with db.session() as session:
            event = await record_settings(session, changed, actor="kefu run@b")
            await session.commit()
        assert event is not None and set(event.changes) == {"support_hours", "webhook_secret"}
        assert event.changes["support_hours"] == {
            "from": "Mon-Fri 09:00-17:00 +00:00",
            "to": "Mon-Sat 08:00-20:00 +00:00",
        }
        assert "rotated" not in json.dumps(event.changes)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def restarted(
    trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    url = f"sqlite:///{tmp_path_factory.mktemp('settings') / 'kefu.db'}"
    create_account(url, "root", PASSWORD, "admin", "Root")
    create_account(url, "ana", PASSWORD, "agent", "Ana")
    first = ServerProcess(
        data_dir=trained_data_dir,
        database_url=url,
        env={"KEFU_SUPPORT_HOURS": "Mon-Fri 09:00-17:00 +00:00"},
    ).start()
    first.stop()
    second = ServerProcess(
        data_dir=trained_data_dir,
        database_url=url,
        env={"KEFU_SUPPORT_HOURS": "Mon-Sun 00:00-23:59 +00:00"},
        port=first.port,
    ).start()
    try:
        yield second
    finally:
        second.stop()


@pytest.mark.slow
def test_admins_see_what_changed_between_starts(restarted: ServerProcess) -> None:
    root = Agent(restarted.http_url)
    assert root.login("root", PASSWORD).status_code == 200
    events = root.get("/api/v1/admin/settings-events").json()["events"]
    latest = events[0]
    assert latest["actor"].startswith("kefu run@")
    assert latest["changes"]["support_hours"] == {
        "from": "Mon-Fri 09:00-17:00 +00:00",
        "to": "Mon-Sun 00:00-23:59 +00:00",
    }
    assert events[-1]["changes"] == {}  # the first start
    ana = Agent(restarted.http_url)
    assert ana.login("ana", PASSWORD).status_code == 200
    assert ana.get("/api/v1/admin/settings-events").status_code == 403
    assert httpx.get(restarted.http_url + "/api/v1/admin/settings-events").status_code == 401
