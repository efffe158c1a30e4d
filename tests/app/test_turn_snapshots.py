"""The runner's tracker snapshots against a running ``kefu run``: a long conversation's turn
starts from the previous turn's snapshot and the stored events stay one gap-free sequence;
when retention's redaction deleted a conversation's events, the kept snapshot is dropped,
not folded on (nothing redacted comes back, and the events start again at index 0)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chat_client import ChatClient
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(
    trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, Path]]:
    database = tmp_path_factory.mktemp("snapshots") / "kefu.db"
    server = ServerProcess(data_dir=trained_data_dir, database_url=f"sqlite:///{database}")
    server.start()
    try:
        yield server, database
    finally:
        server.stop()


def _indexes(database: Path, conversation_id: str) -> list[int]:
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "select idx from tracker_events where conversation_id = ? order by idx",
            (conversation_id,),
        ).fetchall()
    return [idx for (idx,) in rows]


async def test_turns_from_snapshots_store_one_sequence_and_survive_redaction(
    world: tuple[ServerProcess, Path],
) -> None:
    server, database = world
    client = await ChatClient.connect(server.ws_url)
    await client.hello()
    cid = client.conversation_id
    assert cid is not None
    for text in ("hi", "where is my order?", "A10003", "how much is shipping?"):
        ack = await client.say(text)
        await client.bot_reply(after_seq=ack["seq"])
    stored = _indexes(database, cid)
    assert stored == list(range(len(stored))) and len(stored) > 10
    # Retention redacts the conversation: its tracker events are deleted, it stays.
    with sqlite3.connect(database) as db:
        db.execute("delete from tracker_events where conversation_id = ?", (cid,))
    ack = await client.say("where is my order?")
    reply = await client.bot_reply(after_seq=ack["seq"])
    assert reply["text"]
    again = _indexes(database, cid)
    assert again == list(range(len(again))) and 0 < len(again) < len(stored)
    ack = await client.say("A10004")
    reply = await client.bot_reply(after_seq=ack["seq"])
    assert "A10004" in reply["text"]  # the form asked again, from a fresh tracker
    final = _indexes(database, cid)
    assert final == list(range(len(final)))
    await client.close()
