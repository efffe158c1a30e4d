"""Protocol v1 against a real ``kefu run`` server, with a real websocket client, on SQLite
and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
import websockets

from tests.chat_client import ChatClient
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow


async def start(server: ServerProcess, locale: str | None = None) -> ChatClient:
    client = await ChatClient.connect(server.ws_url)
    welcome = await client.hello(locale=locale)
    assert welcome["type"] == "welcome" and welcome["status"] == "bot"
    return client


async def test_conversation_round_trip(server: ServerProcess) -> None:
    client = await start(server)
    ack = await client.say("hi")
    assert ack["type"] == "ack" and ack["seq"] == 1
    echo = await client.recv_until(lambda f: f["type"] == "message" and f["seq"] == 1)
    assert (
        echo["role"] == "customer"
        and echo["text"] == "hi"
        and echo["client_id"] == ack["client_id"]
    )
    reply = await client.bot_reply(after_seq=1)
    assert reply["seq"] == 2 and reply["text"]
    assert reply["created_at"]

    ack = await client.say("你们支持支付宝吗?")
    reply = await client.bot_reply(after_seq=ack["seq"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply["text"]), reply
    ack = await client.say("How much is the Aurora X2?")
    reply = await client.bot_reply(after_seq=ack["seq"])
    assert "$" in reply["text"], reply
    await client.send({"type": "ping"})
    assert (await client.recv_until(lambda f: f["type"] == "pong"))["type"] == "pong"
    await client.close()

    # Every turn is timed per stage; the knowledge answer about the price adds its own.
    metrics = server.metrics()
    for stage in ("nlu", "policy", "action", "generation", "checking"):
        counts = [
            line
            for line in metrics.splitlines()
            if line.startswith(f'kefu_turn_seconds_count{{stage="{stage}"}}')
        ]
        assert counts and float(counts[0].split()[-1]) >= 1, (stage, metrics)
    assert 'kefu_claims_total{status="supported"}' in metrics, "fact-check outcomes are counted"


async def test_same_client_id_is_stored_once(server: ServerProcess) -> None:
    client = await start(server)
    first = await client.say("where is my order?", client_id="retry-1")
    again = await client.say("where is my order?", client_id="retry-1")
    assert first["seq"] == again["seq"]
    await client.bot_reply(after_seq=first["seq"])
    await asyncio.sleep(0.5)
    transcript = httpx.get(
        f"{server.http_url}/api/v1/conversations/{client.conversation_id}/messages",
        headers={"Authorization": f"Bearer {client.resume_token}"},
    ).json()["messages"]
    customer = [m for m in transcript if m["role"] == "customer"]
    assert [m["client_id"] for m in customer] == ["retry-1"]
    bot = [m for m in transcript if m["role"] == "bot"]
    assert len(bot) == 1, "a duplicate must not trigger a second bot turn"
    await client.close()


async def test_resume_replays_exactly_the_missed_messages(server: ServerProcess) -> None:
    client = await start(server)
    ack = await client.say("hi")
    await client.bot_reply(after_seq=ack["seq"])
    seen = max(m["seq"] for m in client.messages())
    conversation_id, token = client.conversation_id, client.resume_token
    await client.close()

    # While the customer is away: another tab of theirs keeps talking.
    other = await ChatClient.connect(server.ws_url)
    await other.hello(conversation_id, token, last_seq=seen)
    ack = await other.say("where is my order?")
    await other.bot_reply(after_seq=ack["seq"])
    latest = max(m["seq"] for m in other.messages())
    await other.close()

    back = await ChatClient.connect(server.ws_url)
    welcome = await back.hello(conversation_id, token, last_seq=seen)
    assert welcome["conversation_id"] == conversation_id
    while not back.messages() or max(m["seq"] for m in back.messages()) < latest:
        await back.recv()
    seqs = [m["seq"] for m in back.messages()]
    assert seqs == list(range(seen + 1, latest + 1)), "each missed message once, in order"
    await back.close()


async def test_unacknowledged_message_resent_after_reconnect_is_stored_once(
    server: ServerProcess,
) -> None:
    client = await start(server)
    conversation_id, token = client.conversation_id, client.resume_token
    # Send and drop the connection before reading the ack.
    await client.send({"type": "message", "client_id": "lost-ack", "text": "hello there"})
    await client.ws.close()
    again = await ChatClient.connect(server.ws_url)
    await again.hello(conversation_id, token, last_seq=0)
    ack = await again.say("hello there", client_id="lost-ack")
    assert ack["type"] == "ack" and ack["seq"] == 1
    await again.bot_reply(after_seq=1)
    await asyncio.sleep(0.5)
    customer = [m for m in again.messages() if m["role"] == "customer"]
    assert [m["seq"] for m in customer] == [1]
    await again.close()


@pytest.mark.parametrize(
    "raw, code",
    [
        ("this is not json", "bad_json"),
        (b"\x89PNG binary", "bad_frame"),
        ('{"no_type": true}', "bad_frame"),
        ('{"type": "teleport"}', "bad_frame"),
    ],
)
async def test_bad_frames_get_errors_and_the_connection_stays_usable(
    server: ServerProcess, raw: str | bytes, code: str
) -> None:
    client = await start(server)
    await client.send(raw)
    error = await client.recv_until(lambda f: f["type"] == "error")
    assert error["code"] == code and error["message"]
    ack = await client.say("hi")
    assert ack["type"] == "ack"
    await client.close()


async def test_message_before_hello(server: ServerProcess) -> None:
    client = await ChatClient.connect(server.ws_url)
    await client.send({"type": "message", "client_id": "early", "text": "hi"})
    error = await client.recv_until(lambda f: f["type"] == "error")
    assert error["code"] == "bad_frame"
    assert (await client.hello())["type"] == "welcome"
    assert (await client.say("hi"))["type"] == "ack"
    await client.close()


async def test_too_long_message_is_refused_and_nothing_is_stored(server: ServerProcess) -> None:
    client = await start(server)
    await client.send({"type": "message", "client_id": "big", "text": "x" * 4001})
    error = await client.recv_until(lambda f: f["type"] == "error")
    assert error["code"] == "too_long"
    ack = await client.say("4000 is fine: " + "y" * 3980)
    assert ack["type"] == "ack" and ack["seq"] == 1, "the refused message took no seq"
    await client.close()


async def test_flood_is_rate_limited_and_nothing_is_lost(server: ServerProcess) -> None:
    client = await start(server)
    ids = [f"flood-{i}" for i in range(40)]
    for client_id in ids:
        await client.send({"type": "message", "client_id": client_id, "text": f"msg {client_id}"})
    acked: set[str] = set()
    limited = 0
    while len(acked) + limited < len(ids):
        frame = await client.recv()
        if frame["type"] == "ack":
            acked.add(frame["client_id"])
        elif frame["type"] == "error":
            assert frame["code"] == "rate_limited"
            limited += 1
    assert limited > 0 and len(acked) >= 10
    # What was refused can be resent once the client slows down; each is stored once.
    await asyncio.sleep(1.2)
    for client_id in ids:
        if client_id not in acked:
            ack = await client.say(f"msg {client_id}", client_id=client_id)
            assert ack["type"] == "ack"
            acked.add(client_id)
            await asyncio.sleep(0.12)
    transcript = httpx.get(
        f"{server.http_url}/api/v1/conversations/{client.conversation_id}/messages",
        headers={"Authorization": f"Bearer {client.resume_token}"},
    ).json()["messages"]
    stored = [m["client_id"] for m in transcript if m["role"] == "customer"]
    assert sorted(stored) == sorted(ids)
    await client.close()


async def test_wrong_resume_token_is_unauthorized_and_leaks_nothing(server: ServerProcess) -> None:
    owner = await start(server)
    await owner.say("my email is mia.chen@example.com")
    intruder = await ChatClient.connect(server.ws_url)
    await intruder.send(
        {
            "type": "hello",
            "conversation_id": owner.conversation_id,
            "resume_token": "guess",
            "last_seq": 0,
        }
    )
    error = await intruder.recv()
    assert error == {"type": "error", "code": "unauthorized", "message": error["message"]}
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await intruder.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert "mia.chen" not in json.dumps(intruder.frames)

    unknown = await ChatClient.connect(server.ws_url)
    await unknown.send(
        {"type": "hello", "conversation_id": uuid.uuid4().hex, "resume_token": "x", "last_seq": 0}
    )
    assert (await unknown.recv())["code"] == "unauthorized"
    response = httpx.get(
        f"{server.http_url}/api/v1/conversations/{owner.conversation_id}/messages",
        headers={"Authorization": "Bearer guess"},
    )
    assert response.status_code == 401 and "mia.chen" not in response.text
    await owner.close()


async def test_health_and_pages(server: ServerProcess) -> None:
    assert httpx.get(f"{server.http_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server.http_url}/readyz").json()
    assert ready["ready"] is True
    # This server runs with KEFU_MODEL_ENABLED=false: answers are composed, and it says so.
    assert ready["checks"]["model"] == "off"
    page = httpx.get(f"{server.http_url}/")
    assert page.status_code == 200 and "Aurora X2 Headphones" in page.text
    assert '<script src="/widget.js"' in page.text
    widget = httpx.get(f"{server.http_url}/widget.js")
    assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    metrics = server.metrics()
    assert "kefu_ws_connections" in metrics
