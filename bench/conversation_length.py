"""Turn latency against conversation length: one long conversation against ``kefu run``.

    python -m bench.conversation_length [--turns 300] [--database sqlite|postgres]

One customer says ``--turns`` short messages in a row (the load benchmark's messages, in
turn: a greeting, an order-status request that starts the order form, a payment question in
Chinese, a shipping question, thanks) over the websocket, each after the previous reply.
Two servers run one after the other in this one run, on fresh databases: kefu as shipped
(each turn starts from the tracker snapshot the previous turn left) and kefu with
``KEFU_TRACKER_SNAPSHOT_EVENTS=0`` (each turn loads and folds every stored event). Reported per
server: the median reply latency of turns 11-40 and of the last 30 turns, and their ratio
(goal: within 1.15x). No language model (``KEFU_MODEL_ENABLED=false``): the figure is the
dialogue path's own cost. The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import websockets

from bench.ws_load import MESSAGES, start_kefu

GOAL_RATIO = 1.15
EARLY = slice(10, 40)


async def one_conversation(url: str, turns: int) -> list[float]:
    """Seconds from each message to the bot's reply to it."""
    latencies: list[float] = []
    async with websockets.connect(url, open_timeout=60, max_size=2**20) as ws:
        await ws.send(json.dumps({"type": "hello", "conversation_id": None, "last_seq": 0}))
        while json.loads(await asyncio.wait_for(ws.recv(), 60))["type"] != "welcome":
            pass
        for number in range(turns):
            client_id = uuid.uuid4().hex
            started = time.perf_counter()
            text = MESSAGES[number % len(MESSAGES)]
            await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
            acked: int | None = None
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if frame["type"] == "ack" and frame.get("client_id") == client_id:
                    acked = frame["seq"]
                elif frame["type"] == "error":
                    raise RuntimeError(f"turn {number + 1}: {frame}")
                elif (
                    frame["type"] == "message"
                    and frame["role"] == "bot"
                    and acked is not None
                    and frame["seq"] > acked
                ):
                    break
            latencies.append(time.perf_counter() - started)
            # The bot may send more than one message a turn: let them all arrive.
            await asyncio.sleep(0.05)
            while True:
                try:
                    json.loads(await asyncio.wait_for(ws.recv(), 0.05))
                except TimeoutError:
                    break
    return latencies


def measure(
    name: str, data_dir: Path, database_url: str, turns: int, env: dict[str, str]
) -> dict[str, Any]:
    target = start_kefu(data_dir, database_url, name=name, extra_env=env)
    try:
        latencies = asyncio.run(one_conversation(target.ws_url(0), turns))
    finally:
        target.stop()
    early = statistics.median(latencies[EARLY]) * 1000
    late = statistics.median(latencies[-30:]) * 1000
    return {
        "server": name,
        "turns": turns,
        "early_median_ms": round(early, 2),
        "late_median_ms": round(late, 2),
        "ratio": round(late / early, 3),
        "max_ms": round(max(latencies) * 1000, 1),
    }


def _database(kind: str, tmp: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{name}.db'}"
    import psycopg

    database = f"kefu_bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as db:
        db.execute(f'create database "{database}"')
    return f"postgresql://postgres@127.0.0.1:5432/{database}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--data-dir", type=Path, default=None, help="Holds the trained demo.")
    args = parser.parse_args(argv)
    if args.turns < 70:
        parser.error("--turns must be at least 70 (turns 11-40 against the last 30)")
    tmp = Path(tempfile.mkdtemp(prefix="kefu-length-"))
    data_dir = args.data_dir or tmp / "data"
    if args.data_dir is None:
        from app.bot import ensure_trained
        from app.settings import Settings

        ensure_trained(Settings(data_dir=data_dir))
    rows = [
        measure(
            name,
            data_dir,
            _database(args.database, tmp, name),
            args.turns,
            {"KEFU_TRACKER_SNAPSHOT_EVENTS": snapshots},
        )
        for name, snapshots in (("snapshots", "20000"), ("fold-every-event", "0"))
    ]
    print(f"one conversation of {args.turns} turns, {args.database}; goal: ratio <= {GOAL_RATIO}")
    print(f"{'server':<18} {'turns 11-40 p50':>16} {'last 30 p50':>12} {'ratio':>7} {'max':>9}")
    for row in rows:
        print(
            f"{row['server']:<18} {row['early_median_ms']:>13} ms {row['late_median_ms']:>9} ms"
            f" {row['ratio']:>7} {row['max_ms']:>6} ms"
        )
    print(json.dumps({"conversation_length": rows, "database": args.database}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
