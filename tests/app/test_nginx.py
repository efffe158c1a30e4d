"""The shipped deploy/nginx.conf, run by the real nginx (Debian's package) in front of two
``kefu run`` replicas in scaled mode: the widget socket, the agents' console socket (whose
Origin must match the Host nginx passes on, port included), REST and a reconnect, all
through the proxy."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from app.db.migrate import upgrade
from tests.chat_client import ChatClient
from tests.console_client import Agent, create_account
from tests.servers import REPO, ServerProcess, free_port, postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
PASSWORD = "a long enough password"
REDIS_URL = "redis://127.0.0.1:6379/11"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def site_config(port: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf with the compose file's hosts replaced by loopback replicas."""
    text = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    servers = [line for line in text.splitlines() if re.match(r"\s*server app\d:8000", line)]
    assert len(servers) == 2, "deploy/nginx.conf names two replicas"
    for line, upstream in zip(servers, upstreams, strict=True):
        text = text.replace(line, re.sub(r"app\d:8000", f"127.0.0.1:{upstream}", line))
    assert "listen 80;" in text
    return text.replace("listen 80;", f"listen 127.0.0.1:{port};")


class Nginx:
    def __init__(self, prefix: Path, port: int, upstreams: list[int]) -> None:
        self.prefix, self.port = prefix, port
        for folder in ("logs", "temp"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
        (prefix / "site.conf").write_text(site_config(port, upstreams), encoding="utf-8")
        (prefix / "nginx.conf").write_text(
            "daemon off;\nworker_processes 1;\npid logs/nginx.pid;\n"
            "error_log logs/error.log info;\nevents { worker_connections 256; }\n"
            "http {\n  access_log logs/access.log;\n"
            "  client_body_temp_path temp/body;\n  proxy_temp_path temp/proxy;\n"
            "  fastcgi_temp_path temp/fastcgi;\n  uwsgi_temp_path temp/uwsgi;\n"
            "  scgi_temp_path temp/scgi;\n  include site.conf;\n}\n",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Nginx:
        check = subprocess.run(
            [NGINX, "-t", "-p", str(self.prefix), "-c", "nginx.conf"],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([NGINX, "-p", str(self.prefix), "-c", "nginx.conf"])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError((self.prefix / "logs" / "error.log").read_text())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def proxy(trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    if shutil.which(NGINX) is None:
        pytest.fail(f"nginx not found at {NGINX}: apt-get install nginx-light")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with postgres_database() as url:
        upgrade(url)
        create_account(url, "ana", PASSWORD, "agent", "Ana")
        env = {"KEFU_MODE": "scaled", "KEFU_REDIS_URL": REDIS_URL, "KEFU_DATABASE_URL": url}
        replicas = [
            ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
            for _ in range(2)
        ]
        nginx = Nginx(tmp_path_factory.mktemp("nginx"), free_port(), [r.port for r in replicas])
        try:
            yield nginx.start()
        finally:
            nginx.stop()
            for replica in replicas:
                replica.stop()


async def test_the_widget_talks_and_resumes_through_nginx(proxy: Nginx) -> None:
    ws_url = proxy.url.replace("http", "ws", 1) + "/ws/chat"
    client = await ChatClient.connect(ws_url, origin=proxy.url)  # the shop page's own origin
    await client.hello()
    ack = await client.say("how much is the Aurora X2?")
    reply = await client.bot_reply(after_seq=ack["seq"])
    assert "$" in reply["text"], reply
    await client.close()
    # Reconnect through the proxy (any replica): the conversation resumes, nothing lost.
    again = await ChatClient.connect(ws_url, origin=proxy.url)
    welcome = await again.hello(
        conversation_id=client.conversation_id, resume_token=client.resume_token
    )
    assert welcome["conversation_id"] == client.conversation_id
    await again.close()
    messages = httpx.get(
        f"{proxy.url}/api/v1/conversations/{client.conversation_id}/messages",
        headers={"Authorization": f"Bearer {client.resume_token}", "Origin": proxy.url},
    )
    assert messages.status_code == 200
    assert [m["role"] for m in messages.json()["messages"]][:2] == ["customer", "bot"]


async def test_the_console_socket_works_through_nginx(proxy: Nginx) -> None:
    agent = Agent(proxy.url)
    assert agent.login("ana", PASSWORD).status_code == 200
    cookie = "; ".join(f"{k}={v}" for k, v in agent.http.cookies.items())
    console_url = proxy.url.replace("http", "ws", 1) + "/ws/console"
    # A browser on the console page sends Origin http://127.0.0.1:PORT: nginx must pass the
    # port on in Host, or the same-origin check refuses every agent.
    async with websockets.connect(
        console_url, origin=proxy.url, additional_headers={"Cookie": cookie}
    ) as socket:
        hello = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert hello["type"] == "hello"
    with pytest.raises(websockets.InvalidStatus):
        await websockets.connect(
            console_url,
            origin="http://evil.example",
            additional_headers={"Cookie": cookie},
        )
    agent.http.close()
