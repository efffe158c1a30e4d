"""Hypothesis-driven websocket frames against a real ``kefu run``: random JSON, wrong types
for every field, huge strings, invalid UTF-8, deep nesting. Each gets an error frame or a
clean close; the server keeps serving and its memory stays bounded."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.chat_client import ChatClient
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow

FIELDS: tuple[str, ...] = ("conversation_id", "resume_token", "last_seq", "locale")
FIELDS += ("client_id", "text", "on", "seq", "score", "comment")
TYPES = ("hello", "message", "typing", "read", "ping", "csat", "bye", "")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
frames = st.one_of(
    # well-formed shapes with wrong or odd field values
    st.fixed_dictionaries(
        {"type": st.sampled_from(TYPES)},
        optional={name: json_values for name in FIELDS},
    ).map(json.dumps),
    json_values.map(json.dumps),  # any JSON at all
    st.text(max_size=200),  # not JSON
    st.binary(max_size=200),  # binary frames, invalid UTF-8 included
    st.integers(1, 20_000).map(lambda n: "[" * n + "]" * n),  # deep nesting
    st.integers(1, 60_000).map(
        lambda n: json.dumps({"type": "message", "client_id": "c", "text": "x" * n})
    ),
)


@pytest.fixture(scope="module")
def fuzz_server(
    trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'kefu.db'}"
    server = ServerProcess(
        data_dir=trained_data_dir,
        database_url=url,
        env={"KEFU_MESSAGES_PER_SECOND": "1000", "KEFU_MESSAGE_BURST": "1000"},
    ).start()
    try:
        yield server
    finally:
        server.stop()


async def answer_to(url: str, raw: str | bytes) -> dict[str, Any] | int:
    """The first frame the server answers ``raw`` with after hello, or the close code."""
    async with websockets.connect(url, max_size=2**22) as ws:
        await ws.send(json.dumps({"type": "hello"}))
        welcome = json.loads(await asyncio.wait_for(ws.recv(), 15))
        assert welcome["type"] == "welcome"
        try:
            await ws.send(raw)
            while True:
                frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 15))
                if frame["type"] in ("error", "ack", "pong", "csat"):
                    return frame
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None, "the server closed without a code"
            return closed.rcvd.code


def test_random_frames_get_an_error_or_a_clean_close(fuzz_server: ServerProcess) -> None:
    assert fuzz_server.proc is not None
    process = psutil.Process(fuzz_server.proc.pid)
    start_rss = process.memory_info().rss
    seen: list[str] = []

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(frames)
    def one(raw: str | bytes) -> None:
        outcome = asyncio.run(answer_to(fuzz_server.ws_url, raw))
        if isinstance(outcome, int):
            assert outcome in (1003, 1007, 1008, 1009), outcome  # documented close codes
            seen.append(f"close {outcome}")
        else:
            assert outcome["type"] in ("error", "ack", "pong", "csat"), outcome
            if outcome["type"] == "error":
                assert outcome["code"] != "internal", (raw[:200], outcome)
            seen.append(outcome.get("code") or outcome["type"])

    one()
    assert fuzz_server.proc.poll() is None, "the server survived"
    assert {"bad_json", "bad_frame"} <= set(seen), seen

    async def still_serves() -> str:
        client = await ChatClient.connect(fuzz_server.ws_url)
        await client.hello()
        ack = await client.say("hi")
        reply = await client.bot_reply(after_seq=ack["seq"])
        await client.close()
        return str(reply["text"])

    assert asyncio.run(still_serves())
    grown = process.memory_info().rss - start_rss
    assert grown < 200 * 2**20, f"RSS grew by {grown / 2**20:.0f} MiB"
