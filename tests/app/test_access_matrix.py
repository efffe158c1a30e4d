"""Every HTTP operation of the app for every role, against a real ``kefu run``.

The operations come from the running app's OpenAPI document, so a new endpoint that no rule
below classifies fails ``test_every_operation_is_in_the_matrix`` until someone decides who
may call it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.chat_client import ChatClient
from tests.console_client import Agent, create_account
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow
PASSWORD = "a long enough password"
ROLES = ("anonymous", "customer", "agent", "admin")

# Who may call what, by path prefix (first match wins).
PUBLIC = "public"  # anyone
CUSTOMER = "customer"  # the conversation's own resume token
AGENT = "agent"  # agents and admins (session cookie; CSRF header on writes)
ADMIN = "admin"  # admins only
SESSION = "session"  # sign-in endpoints: anyone; /me needs a session
METRICS = "metrics"  # the scraper's bearer (KEFU_METRICS_TOKEN): no role carries it
RULES: tuple[tuple[str, str], ...] = (
    ("/api/v1/auth/", SESSION),
    ("/api/v1/conversations/", CUSTOMER),
    ("/api/v1/console/", AGENT),
    ("/api/v1/admin/", ADMIN),
    ("/healthz", PUBLIC),
    ("/readyz", PUBLIC),
    ("/metrics", METRICS),
)


def access_of(path: str) -> str | None:
    return next((access for prefix, access in RULES if path.startswith(prefix)), None)


@dataclass
class World:
    server: ServerProcess
    conversation_id: str
    other_conversation_id: str
    resume_token: str
    agent: Agent
    admin: Agent


@pytest.fixture(scope="module")
def world(trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'kefu.db'}"
    create_account(url, "ana", PASSWORD, "agent", "Ana")
    create_account(url, "root", PASSWORD, "admin", "Root")
    server = ServerProcess(
        data_dir=trained_data_dir,
        database_url=url,
        env={"KEFU_API_REQUESTS_PER_SECOND": "1000", "KEFU_API_REQUEST_BURST": "1000"},
    ).start()
    try:

        async def two_customers() -> tuple[ChatClient, ChatClient]:
            mine, theirs = (
                await ChatClient.connect(server.ws_url),
                await ChatClient.connect(server.ws_url),
            )
            await mine.hello()
            await theirs.hello()
            ack = await theirs.say("my email is secret.person@example.com")
            await theirs.bot_reply(after_seq=ack["seq"])
            await mine.close()
            await theirs.close()
            return mine, theirs

        mine, theirs = asyncio.run(two_customers())
        agent, admin = Agent(server.http_url), Agent(server.http_url)
        assert agent.login("ana", PASSWORD).status_code == 200
        assert admin.login("root", PASSWORD).status_code == 200
        assert mine.conversation_id and theirs.conversation_id and mine.resume_token
        yield World(
            server,
            mine.conversation_id,
            theirs.conversation_id,
            mine.resume_token,
            agent,
            admin,
        )
    finally:
        server.stop()


def operations(world: World) -> list[tuple[str, str]]:
    spec = httpx.get(world.server.http_url + "/api/openapi.json").json()
    return sorted(
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


def concrete(path: str, world: World) -> str:
    values = {
        "conversation_id": world.conversation_id,
        "node_id": "no-such-node",
        "revision_id": "999999",
    }
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "x"), path)


def call(world: World, role: str, method: str, path: str, *, csrf: bool = True) -> httpx.Response:
    url = world.server.http_url + path
    headers: dict[str, str] = {}
    client: httpx.Client
    if role in ("agent", "admin"):
        who = world.agent if role == "agent" else world.admin
        client = who.http
        if csrf:
            headers["X-CSRF-Token"] = who.csrf
    else:
        client = httpx.Client(timeout=30)
        if role == "customer":
            headers["Authorization"] = f"Bearer {world.resume_token}"
    body: Any = {} if method in ("POST", "PATCH", "PUT") else None
    return client.request(method, url, headers=headers, json=body)


def test_every_operation_is_in_the_matrix(world: World) -> None:
    unclassified = [(m, p) for m, p in operations(world) if access_of(p) is None]
    assert not unclassified, f"decide who may call these, then add them to RULES: {unclassified}"


def test_the_matrix(world: World) -> None:
    seen: dict[str, list[str]] = {}
    for method, template in operations(world):
        if (method, template) == ("POST", "/api/v1/auth/logout"):
            continue  # would end the sessions the other rows use; covered below
        path = concrete(template, world)
        access = access_of(template)
        for role in ROLES:
            status = call(world, role, method, path).status_code
            seen.setdefault(f"{method} {template}", []).append(f"{role}={status}")
            assert status < 500, (method, template, role, status)
            allowed = {
                PUBLIC: True,
                SESSION: template != "/api/v1/auth/me" or role in ("agent", "admin"),
                CUSTOMER: role == "customer",
                AGENT: role in ("agent", "admin"),
                ADMIN: role == "admin",
                METRICS: False,
            }[access or PUBLIC]
            if allowed:
                assert status not in (401, 403), (method, template, role, status)
            elif role == "agent" and access == ADMIN:
                assert status == 403, (method, template, role, status)
            else:
                assert status == 401, (method, template, role, status)
    assert len(seen) >= 30, seen


def test_metrics_need_the_metrics_token(world: World) -> None:
    url = world.server.http_url + "/metrics"
    refused = httpx.get(url)
    assert refused.status_code == 401 and "KEFU_METRICS_TOKEN" in refused.json()["detail"]
    assert refused.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.get(url, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert "kefu_ws_connections" in world.server.metrics()


def test_writes_need_the_csrf_header(world: World) -> None:
    for method, template in operations(world):
        if method == "GET" or access_of(template) not in (AGENT, ADMIN):
            continue
        role = "agent" if access_of(template) == AGENT else "admin"
        status = call(world, role, method, concrete(template, world), csrf=False).status_code
        assert status == 403, (method, template, status)


def test_customers_see_only_their_own_conversation(world: World) -> None:
    base = world.server.http_url + "/api/v1/conversations/{}/messages"
    mine = httpx.get(
        base.format(world.conversation_id),
        headers={"Authorization": f"Bearer {world.resume_token}"},
    )
    assert mine.status_code == 200
    theirs = httpx.get(
        base.format(world.other_conversation_id),
        headers={"Authorization": f"Bearer {world.resume_token}"},
    )
    assert theirs.status_code == 401 and "secret.person" not in theirs.text
    unknown = httpx.get(
        base.format("0" * 32), headers={"Authorization": f"Bearer {world.resume_token}"}
    )
    assert unknown.status_code == theirs.status_code, "unknown and foreign read the same"


def test_pages_and_websockets(world: World) -> None:
    server = world.server
    for page in ("/", "/widget.js", "/console", "/admin/kg", "/console/ops"):
        assert httpx.get(server.http_url + page).status_code == 200, page  # sign-in inside

    async def console_socket(headers: dict[str, str]) -> bool:
        url = server.ws_url.replace("/ws/chat", "/ws/console")
        try:
            ws = await websockets.connect(url, additional_headers=headers, open_timeout=10)
            frame = await asyncio.wait_for(ws.recv(), 10)
            await ws.close()
            return '"hello"' in str(frame)
        except (websockets.InvalidStatus, websockets.ConnectionClosed):
            return False

    cookie = "; ".join(f"{k}={v}" for k, v in world.agent.http.cookies.items())
    assert not asyncio.run(console_socket({}))
    assert not asyncio.run(console_socket({"Authorization": f"Bearer {world.resume_token}"}))
    assert asyncio.run(console_socket({"Cookie": cookie, "Origin": server.http_url}))


def test_logout_ends_the_session(world: World) -> None:
    agent = Agent(world.server.http_url)
    assert agent.login("ana", PASSWORD).status_code == 200
    assert agent.get("/api/v1/console/conversations").status_code == 200
    assert agent.post("/api/v1/auth/logout").status_code in (200, 204)
    assert agent.get("/api/v1/console/conversations").status_code == 401
