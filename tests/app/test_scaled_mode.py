"""Scaled mode on this machine without Docker: two ``kefu run`` replicas and a Celery worker
sharing the local PostgreSQL and Redis. Conversations spread over both replicas, a handoff
crosses replicas, background jobs run on the worker, and a replica killed mid-conversation
loses nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import websockets

from app.db.migrate import upgrade
from tests.chat_client import ChatClient
from tests.console_client import Agent, create_account
from tests.servers import REPO, ServerProcess, WorkerProcess, postgres_database
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
PASSWORD = "a long enough password"
REDIS_URL = "redis://127.0.0.1:6379/13"
BROKER_URL = "redis://127.0.0.1:6379/12"
SECRET = "scaled-mode-secret"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture(scope="module")
def replicas(
    trained_data_dir: Path, receiver: Receiver
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()  # no tasks left over from another run
    with postgres_database() as url:
        upgrade(url)
        create_account(url, "ana", PASSWORD, "agent", "Ana")
        env = {
            "KEFU_MODE": "scaled",
            "KEFU_REDIS_URL": REDIS_URL,
            "KEFU_CELERY_BROKER_URL": BROKER_URL,
            "KEFU_WEBHOOK_URL": receiver.url,
            "KEFU_WEBHOOK_SECRET": SECRET,
            "KEFU_DATABASE_URL": url,
            "KEFU_MODEL_ENABLED": "false",
        }
        worker = WorkerProcess(data_dir=trained_data_dir, env=env).start()
        first = ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
        second = ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
        try:
            yield first, second
        finally:
            first.stop()
            second.stop()
            worker.stop()


async def test_conversations_spread_over_both_replicas(
    replicas: tuple[ServerProcess, ServerProcess], receiver: Receiver
) -> None:
    clients = []
    for i in range(6):
        server = replicas[i % 2]
        client = await ChatClient.connect(server.ws_url)
        await client.hello()
        clients.append(client)
    acks = await asyncio.gather(*(c.say("where is my order?") for c in clients))
    replies = await asyncio.gather(
        *(c.bot_reply(after_seq=a["seq"]) for c, a in zip(clients, acks, strict=True))
    )
    assert all(r["text"] for r in replies)
    # The worker delivered the webhooks the replicas recorded (created + 2 messages each).
    deadline = asyncio.get_running_loop().time() + 30
    ids = {c.conversation_id for c in clients}
    while asyncio.get_running_loop().time() < deadline:
        got = [r.json for r in receiver.received if r.json["data"].get("conversation_id") in ids]
        if len(got) >= 18:
            break
        await asyncio.sleep(0.3)
    kinds = sorted(r["event"] for r in got)
    assert kinds.count("conversation.created") == 6 and kinds.count("message") == 12
    assert len({r["id"] for r in got}) == len(got), "each delivery once"
    for client in clients:
        await client.close()


async def test_deactivating_on_the_command_line_closes_consoles_on_every_replica(
    replicas: tuple[ServerProcess, ServerProcess],
) -> None:
    url = replicas[0].database_url
    assert url is not None
    create_account(url, "dee", PASSWORD, "agent", "Dee")
    consoles = [Agent(server.http_url) for server in replicas]
    for console in consoles:
        assert console.login("dee", PASSWORD).status_code == 200
        await console.listen()
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "app", "user", "deactivate", "dee"],
        env={**os.environ, "KEFU_DATABASE_URL": url, "KEFU_REDIS_URL": REDIS_URL},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "open console sockets closed" in done.stdout
    for console in consoles:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(console.ws.recv(), 15)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        await console.close()
    # Well before the 20 s heartbeat (the command's own start-up is most of this).
    assert time.monotonic() - started < 15


async def test_customer_and_agent_on_different_replicas(
    replicas: tuple[ServerProcess, ServerProcess],
) -> None:
    customer_side, agent_side = replicas
    ana = Agent(agent_side.http_url)
    assert ana.login("ana", PASSWORD).status_code == 200
    await ana.listen()

    customer = await ChatClient.connect(customer_side.ws_url)
    await customer.hello()
    cid = customer.conversation_id
    ack = await customer.say("I want to talk to a person")
    await customer.bot_reply(after_seq=ack["seq"])
    # The agent's console on the other replica sees the customer's message live.
    await ana.recv_until(
        lambda f: (
            f.get("type") == "message"
            and f.get("conversation_id") == cid
            and f["seq"] == ack["seq"]
        )
    )
    assert ana.post(f"/api/v1/console/conversations/{cid}/take-over").status_code == 200
    await customer.find(lambda f: f["type"] == "status" and f["status"] == "assigned")
    # The summary at handoff is written by the worker into the shared database.
    stored = None
    for _ in range(60):
        with psycopg.connect(
            agent_side.database_url.replace("postgresql+psycopg", "postgresql")
        ) as db:
            stored = db.execute(
                "select summary from conversations where id = %s", (cid,)
            ).fetchone()[0]
        if stored:
            break
        await asyncio.sleep(0.5)
    assert stored is not None and "I want to talk to a person" in stored

    await customer.send({"type": "typing", "on": True})
    await ana.recv_until(lambda f: f.get("type") == "typing" and f.get("conversation_id") == cid)
    ack = await customer.say("My order A10003 has not arrived")
    await ana.recv_until(
        lambda f: (
            f.get("type") == "message"
            and f.get("conversation_id") == cid
            and f["seq"] == ack["seq"]
        )
    )
    sent = ana.post(f"/api/v1/console/conversations/{cid}/messages", {"text": "Checking it now."})
    assert sent.status_code == 200
    reply = await customer.find(lambda f: f["type"] == "message" and f["role"] == "agent")
    assert reply["text"] == "Checking it now." and reply["seq"] == sent.json()["seq"]
    assert not [m for m in customer.messages() if m["role"] == "bot" and m["seq"] > ack["seq"]]

    # The customer's replica goes away; they resume on the other one and miss nothing.
    customer_side.kill()
    back = await ChatClient.connect(agent_side.ws_url)
    await back.hello(cid, customer.resume_token, last_seq=0)
    await back.find(lambda f: f["type"] == "message" and f["seq"] == reply["seq"])
    seqs = [m["seq"] for m in back.messages()]
    assert seqs == list(range(1, max(seqs) + 1))
    await back.close()
    await ana.close()
