"""Limits and headers against a real server with small limits; the access-control matrix."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.chat_client import ChatClient
from tests.console_client import Agent, create_account
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def strict_server(
    trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    url = f"sqlite:///{tmp_path_factory.mktemp('strict') / 'kefu.db'}"
    create_account(url, "agent1", PASSWORD, "agent")
    create_account(url, "admin1", PASSWORD, "admin")
    process = ServerProcess(
        data_dir=trained_data_dir,
        database_url=url,
        env={
            "KEFU_MAX_CONNECTIONS_PER_ADDRESS": "3",
            "KEFU_MAX_REQUEST_BYTES": "4096",
            "KEFU_API_REQUESTS_PER_SECOND": "5",
            "KEFU_API_REQUEST_BURST": "8",
        },
    ).start()
    try:
        yield process
    finally:
        process.stop()


async def test_connections_per_address(strict_server: ServerProcess) -> None:
    clients = [await ChatClient.connect(strict_server.ws_url) for _ in range(3)]
    with pytest.raises(websockets.InvalidStatus):
        await ChatClient.connect(strict_server.ws_url)
    await clients[0].close()
    await asyncio.sleep(0.3)
    again = await ChatClient.connect(strict_server.ws_url)  # a slot is free again
    assert (await again.hello())["type"] == "welcome"
    for client in (*clients[1:], again):
        await client.close()


def test_body_size_limit(strict_server: ServerProcess) -> None:
    big = {"username": "x" * 10_000, "password": "y"}
    response = httpx.post(strict_server.http_url + "/api/v1/auth/login", json=big)
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        for _ in range(10):
            yield b"{" * 1000

    streamed = httpx.post(
        strict_server.http_url + "/api/v1/auth/login",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert streamed.status_code == 413


def test_api_rate_limit_per_address(strict_server: ServerProcess) -> None:
    with httpx.Client(base_url=strict_server.http_url) as client:
        codes = [client.get("/api/v1/auth/me").status_code for _ in range(30)]
    assert 429 in codes and codes[0] == 401
    limited = next(i for i, c in enumerate(codes) if c == 429)
    assert limited >= 5, "the burst (less what the tests before used) is allowed"
    # Pages and health checks are not API calls and stay reachable.
    assert httpx.get(strict_server.http_url + "/healthz").status_code == 200


def test_security_headers_on_console(strict_server: ServerProcess) -> None:
    page = httpx.get(strict_server.http_url + "/console")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_console_socket_refuses_strangers_and_other_origins(
    strict_server: ServerProcess,
) -> None:
    url = strict_server.ws_url.replace("/ws/chat", "/ws/console")
    with pytest.raises((websockets.InvalidStatus, websockets.ConnectionClosed)):
        ws = await websockets.connect(url)
        await ws.recv()
    await asyncio.sleep(1.2)  # let the API bucket refill after the test above
    agent = Agent(strict_server.http_url)
    assert agent.login("agent1", PASSWORD).status_code == 200
    cookie = "; ".join(f"{k}={v}" for k, v in agent.http.cookies.items())
    with pytest.raises((websockets.InvalidStatus, websockets.ConnectionClosed)):
        ws = await websockets.connect(
            url, additional_headers={"Cookie": cookie, "Origin": "https://evil.example"}
        )
        await ws.recv()
    ok = await websockets.connect(
        url, additional_headers={"Cookie": cookie, "Origin": strict_server.http_url}
    )
    assert "hello" in await ok.recv()
    await ok.close()
