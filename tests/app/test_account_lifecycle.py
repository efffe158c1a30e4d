"""``kefu user deactivate / activate / set-role / reset-password`` against a running
``kefu run``: a deactivated agent's open session gets 401 at once and sign-in fails; a new
role or password signs the account out everywhere; unknown users are one clear line."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.console_client import Agent, create_account
from tests.servers import REPO, ServerProcess

pytestmark = pytest.mark.slow
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def world(
    trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'kefu.db'}"
    create_account(url, "ana", PASSWORD, "agent", "Ana")
    create_account(url, "bo", PASSWORD, "agent", "Bo")
    server = ServerProcess(data_dir=trained_data_dir, database_url=url).start()
    try:
        yield server, url
    finally:
        server.stop()


def kefu_user(
    url: str, *args: str, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "user", *args],
        input=f"{password}\n{password}\n" if password else None,
        env={**os.environ, "KEFU_DATABASE_URL": url},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deactivating_ends_the_session_and_blocks_sign_in(
    world: tuple[ServerProcess, str],
) -> None:
    server, url = world
    ana = Agent(server.http_url)
    assert ana.login("ana", PASSWORD).status_code == 200
    assert ana.get("/api/v1/auth/me").status_code == 200
    done = kefu_user(url, "deactivate", "ana")
    assert done.returncode == 0 and "1 session(s) ended" in done.stdout, done.stderr
    assert ana.get("/api/v1/auth/me").status_code == 401
    assert Agent(server.http_url).login("ana", PASSWORD).status_code == 401
    assert kefu_user(url, "activate", "ana").returncode == 0
    assert Agent(server.http_url).login("ana", PASSWORD).status_code == 200


def test_a_new_role_or_password_signs_the_account_out(world: tuple[ServerProcess, str]) -> None:
    server, url = world
    bo = Agent(server.http_url)
    assert bo.login("bo", PASSWORD).status_code == 200
    assert kefu_user(url, "set-role", "bo", "admin").returncode == 0
    assert bo.get("/api/v1/auth/me").status_code == 401
    again = Agent(server.http_url)
    assert again.login("bo", PASSWORD).status_code == 200
    assert again.get("/api/v1/auth/me").json()["role"] == "admin"
    new = "another long password"
    assert kefu_user(url, "reset-password", "bo", password=new).returncode == 0
    assert again.get("/api/v1/auth/me").status_code == 401
    assert Agent(server.http_url).login("bo", PASSWORD).status_code == 401
    assert Agent(server.http_url).login("bo", new).status_code == 200


def test_bad_input_is_one_clear_line(world: tuple[ServerProcess, str]) -> None:
    _, url = world
    unknown = kefu_user(url, "deactivate", "nobody")
    assert unknown.returncode != 0
    assert "no user 'nobody'" in unknown.stderr and "Traceback" not in unknown.stderr
    short = kefu_user(url, "reset-password", "bo", password="short")
    assert short.returncode != 0 and "at least 10 characters" in short.stderr
    wrong_role = kefu_user(url, "set-role", "bo", "owner")
    assert wrong_role.returncode != 0 and "Traceback" not in wrong_role.stderr


def test_admins_do_the_same_in_the_admin_api(world: tuple[ServerProcess, str]) -> None:
    server, url = world
    create_account(url, "cy", PASSWORD, "agent", "Cy")
    create_account(url, "root", PASSWORD, "admin", "Root")
    root, cy = Agent(server.http_url), Agent(server.http_url)
    assert root.login("root", PASSWORD).status_code == 200
    assert cy.login("cy", PASSWORD).status_code == 200

    def change(username: str, body: dict[str, object]) -> httpx.Response:
        return root.http.patch(
            f"/api/v1/admin/users/{username}", json=body, headers={"X-CSRF-Token": root.csrf}
        )

    off = change("cy", {"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert cy.get("/api/v1/auth/me").status_code == 401
    assert Agent(server.http_url).login("cy", PASSWORD).status_code == 401
    assert change("cy", {"is_active": True, "role": "admin"}).json()["role"] == "admin"
    assert Agent(server.http_url).login("cy", PASSWORD).status_code == 200
    # Bad input: an unknown user, a short password, locking oneself out, no CSRF header.
    assert change("nobody", {"is_active": False}).status_code == 404
    assert change("cy", {"password": "short"}).status_code == 422
    assert change("root", {"is_active": False}).status_code == 409
    assert root.get("/api/v1/auth/me").status_code == 200
    no_csrf = root.http.patch("/api/v1/admin/users/cy", json={"is_active": False})
    assert no_csrf.status_code == 403
    # An agent may not.
    agent = Agent(server.http_url)
    assert agent.login("ana", PASSWORD).status_code == 200
    denied = agent.http.patch(
        "/api/v1/admin/users/cy", json={"is_active": False}, headers={"X-CSRF-Token": agent.csrf}
    )
    assert denied.status_code == 403


async def test_deactivating_through_the_api_closes_the_console_at_once(
    world: tuple[ServerProcess, str],
) -> None:
    server, url = world
    create_account(url, "fay", PASSWORD, "agent", "Fay")
    create_account(url, "root2", PASSWORD, "admin", "Root Two")
    root, dee = Agent(server.http_url), Agent(server.http_url)
    assert root.login("root2", PASSWORD).status_code == 200
    assert dee.login("fay", PASSWORD).status_code == 200
    await dee.listen()
    watcher = Agent(server.http_url)
    assert watcher.login("root2", PASSWORD).status_code == 200
    await watcher.listen()  # another account's console stays open
    started = time.monotonic()
    off = root.http.patch(
        "/api/v1/admin/users/fay", json={"is_active": False}, headers={"X-CSRF-Token": root.csrf}
    )
    assert off.status_code == 200
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(dee.ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert time.monotonic() - started < 5  # not at the next 20 s heartbeat
    await watcher.ws.send(json.dumps({"type": "ping"}))
    assert (await watcher.recv_until(lambda f: f.get("type") == "pong"))["type"] == "pong"
    assert not any(f.get("type") == "signed_out" for f in watcher.frames)
    for agent in (dee, watcher, root):
        await agent.close()


def test_every_account_change_is_in_the_audit_trail(world: tuple[ServerProcess, str]) -> None:
    server, url = world
    create_account(url, "dee", PASSWORD, "agent", "Dee")
    assert kefu_user(url, "deactivate", "dee").returncode == 0
    assert kefu_user(url, "set-role", "dee", "admin").returncode == 0
    create_account(url, "boss", PASSWORD, "admin", "Boss")
    boss = Agent(server.http_url)
    assert boss.login("boss", PASSWORD).status_code == 200

    def change(body: dict[str, object]) -> httpx.Response:
        return boss.http.patch(
            "/api/v1/admin/users/dee", json=body, headers={"X-CSRF-Token": boss.csrf}
        )

    secret = "yet another long password"
    assert change({"is_active": True, "password": secret}).status_code == 200
    assert change({"is_active": True}).status_code == 200  # changes nothing: no event

    response = boss.get("/api/v1/admin/account-events?username=dee")
    assert response.status_code == 200
    trail = list(reversed(response.json()["events"]))  # oldest first
    assert [(e["actor"], e["action"]) for e in trail] == [
        ("cli", "created"),
        ("cli", "deactivated"),
        ("cli", "role_changed"),
        ("boss", "activated"),
        ("boss", "password_reset"),
    ]
    assert trail[2]["detail"]["from"] == "agent" and trail[2]["detail"]["to"] == "admin"
    assert all(e["username"] == "dee" and e["at"] for e in trail)
    assert secret not in response.text and PASSWORD not in response.text
    everyone = boss.get("/api/v1/admin/account-events").json()["events"]
    assert {"dee", "boss"} <= {e["username"] for e in everyone}
    # Only admins read it.
    agent = Agent(server.http_url)
    assert agent.login("ana", PASSWORD).status_code == 200
    assert agent.get("/api/v1/admin/account-events").status_code == 403
    assert httpx.get(server.http_url + "/api/v1/admin/account-events").status_code == 401
    assert boss.get("/api/v1/admin/account-events?limit=0").status_code == 422
