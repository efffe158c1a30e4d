"""Two app replicas sharing the local PostgreSQL and Redis: the customer talks to one, the
agent works on the other, and each sees the other live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db.migrate import upgrade
from tests.chat_client import ChatClient
from tests.console_client import Agent, create_account
from tests.servers import ServerProcess, postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
PASSWORD = "a long enough password"
REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture(scope="module")
def replicas(trained_data_dir: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with postgres_database() as url:
        upgrade(url)
        create_account(url, "ana", PASSWORD, "agent", "Ana")
        env = {"KEFU_MODE": "scaled", "KEFU_REDIS_URL": REDIS_URL}
        first = ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
        second = ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
        try:
            yield first, second
        finally:
            first.stop()
            second.stop()


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
