"""SIGKILL right after acks: every acknowledged message survives and is replayed on resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat_client import ChatClient
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow


async def test_acknowledged_messages_survive_sigkill(
    trained_data_dir: Path, database_url: str
) -> None:
    first = ServerProcess(data_dir=trained_data_dir, database_url=database_url).start()
    try:
        client = await ChatClient.connect(first.ws_url)
        await client.hello()
        acked: dict[str, int] = {}
        for i in range(8):
            ack = await client.say(f"where is my order? #{i}", client_id=f"c{i}")
            assert ack["type"] == "ack"
            acked[ack["client_id"]] = ack["seq"]
            # Pace under the rate limit without waiting for replies: turns are in flight.
        first.kill()
    finally:
        first.stop()

    second = ServerProcess(
        data_dir=trained_data_dir, database_url=database_url, port=first.port
    ).start()
    try:
        back = await ChatClient.connect(second.ws_url)
        welcome = await back.hello(client.conversation_id, client.resume_token, last_seq=0)
        assert welcome["type"] == "welcome"

        # Replay, then the bot finishes every turn the crash interrupted.
        def answered_all(_: dict) -> bool:
            customer = {
                m["client_id"]: m["seq"] for m in back.messages() if m["role"] == "customer"
            }
            bot_seqs = [m["seq"] for m in back.messages() if m["role"] == "bot"]
            return customer == acked and len(bot_seqs) >= len(acked)

        await back.recv_until(answered_all, timeout=60)
        seqs = [m["seq"] for m in back.messages()]
        assert seqs == sorted(set(seqs)), "no duplicates, in order"
        assert seqs == list(range(1, max(seqs) + 1)), "no gaps"
        await back.close()
    finally:
        second.stop()
