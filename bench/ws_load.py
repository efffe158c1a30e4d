"""Websocket load: N concurrent conversations against ``kefu run`` and a bare echo baseline.

    python -m bench.ws_load [--sizes 100,500,1000] [--duration 30] [--interval 5]
    python -m bench.ws_load --scaling            # one scaled-mode replica vs two
    python -m bench.ws_load --soak               # 1,000 conversations for 10 minutes

Each conversation connects, says hello, then sends one message every ``interval`` seconds
(steady rate, random phase) for ``duration`` seconds and waits for the bot's reply to each.
Reported per target and size: per-turn latency (send -> bot reply) p50/p95/p99, replies per
second, messages lost (acked but never answered, or never acked), errors, the p95 of the
conversations' turns 1-5 against their turns 36-40 (with 40 turns or more each: duration
at least 40 intervals; goal within 1.2x), and the server's
peak RSS. Both servers run as separate processes on loopback ports; the load generator is
this process. The last line is one JSON object with every figure.

``--soak`` runs kefu alone with ``--sizes`` conversations (default 1000) for ``--duration``
(default 600 s), sampling the server's RSS every 10 s; it reports the samples, the growth
after warm-up (the first ``--warmup`` seconds of steady load) against ``--rss-bound-mb``, and
the lost messages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import websockets

REPO = Path(__file__).resolve().parents[1]
MESSAGES = ["hi", "where is my order?", "你们支持支付宝吗?", "how much is shipping?", "thanks"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Target:
    """One or more server processes; conversation i talks to replica i mod len(ports)."""

    name: str
    ports: list[int]
    procs: list[subprocess.Popen[bytes]]

    def ws_url(self, i: int) -> str:
        return f"ws://127.0.0.1:{self.ports[i % len(self.ports)]}/ws/chat"

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(15)


@dataclass
class Result:
    target: str
    conversations: int
    connected: int = 0
    sent: int = 0
    answered: int = 0
    lost: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    # Latencies by the turn's number in its conversation (1 = its first message).
    by_turn: dict[int, list[float]] = field(default_factory=dict)
    lost_reasons: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    peak_rss_mb: float = 0.0
    # (seconds since steady load began, server RSS in MiB), every ``sample_every`` seconds
    rss_samples: list[tuple[float, float]] = field(default_factory=list)

    def summary(self) -> dict[str, float | int | str]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else float("nan")

        def p95_of_turns(first: int, last: int) -> float:
            window = sorted(x for n in range(first, last + 1) for x in self.by_turn.get(n, ()))
            if not window:
                return float("nan")
            return round(window[min(len(window) - 1, int(0.95 * len(window)))], 1)

        return {
            "target": self.target,
            "conversations": self.conversations,
            "connected": self.connected,
            "sent": self.sent,
            "answered": self.answered,
            "lost": self.lost,
            "errors": self.errors,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(lat), 1) if lat else float("nan"),
            "replies_per_s": round(self.answered / self.elapsed_s, 1) if self.elapsed_s else 0.0,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            # Does a turn get slower as its conversation grows? (nan: too few turns)
            "p95_turns_1_5_ms": p95_of_turns(1, 5),
            "p95_turns_36_40_ms": p95_of_turns(36, 40),
        }


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"server on port {port} not ready")


def start_kefu(
    data_dir: Path,
    database_url: str,
    *,
    replicas: int = 1,
    name: str = "kefu",
    extra_env: dict[str, str] | None = None,
) -> Target:
    env = {
        **os.environ,
        "KEFU_DATA_DIR": str(data_dir),
        "KEFU_DATABASE_URL": database_url,
        "KEFU_MODEL_ENABLED": "false",
        "KEFU_MAX_CONNECTIONS": "20000",
        "KEFU_MAX_CONNECTIONS_PER_ADDRESS": "20000",  # every simulated customer is 127.0.0.1
        **(extra_env or {}),
    }
    ports, procs = [], []
    for _ in range(replicas):
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "run", "--port", str(port), "--log-level", "warning"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_ready(port, proc)
        ports.append(port)
        procs.append(proc)
    return Target(name, ports, procs)


def start_echo() -> Target:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.echo_server:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_ready(port, proc)
    return Target("echo", [port], [proc])


async def conversation(
    target: Target,
    index: int,
    result: Result,
    duration: float,
    interval: float,
    start_by: float,
    all_connected: asyncio.Event,
) -> None:
    rng = random.Random()
    recent: list[dict[str, object]] = []
    await asyncio.sleep(rng.uniform(0, start_by))  # spread the connects
    try:
        ws = await websockets.connect(target.ws_url(index), open_timeout=60, max_size=2**20)
    except Exception:
        result.errors += 1
        return
    try:
        await ws.send(
            json.dumps(
                {
                    "type": "hello",
                    "conversation_id": None,
                    "resume_token": None,
                    "last_seq": 0,
                    "locale": None,
                }
            )
        )
        while json.loads(await asyncio.wait_for(ws.recv(), 60))["type"] != "welcome":
            pass
        result.connected += 1
        if result.connected >= result.conversations:
            all_connected.set()
        await all_connected.wait()
        await asyncio.sleep(rng.uniform(0, interval))
        end = time.monotonic() + duration
        turn = 0
        while time.monotonic() < end:
            tick = time.monotonic()
            turn += 1
            client_id = uuid.uuid4().hex
            await ws.send(
                json.dumps(
                    {"type": "message", "client_id": client_id, "text": rng.choice(MESSAGES)}
                )
            )
            result.sent += 1
            acked_seq: int | None = None
            answered = False
            deadline = tick + 30.0
            while time.monotonic() < deadline:
                frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
                recent.append(frame)
                if frame["type"] == "ack" and frame["client_id"] == client_id:
                    acked_seq = frame["seq"]
                elif frame["type"] == "error":
                    result.errors += 1
                    break
                elif (
                    frame["type"] == "message"
                    and frame["role"] == "bot"
                    and acked_seq is not None
                    and frame["seq"] > acked_seq
                ):
                    latency = (time.monotonic() - tick) * 1000
                    result.latencies_ms.append(latency)
                    result.by_turn.setdefault(turn, []).append(latency)
                    result.answered += 1
                    answered = True
                    break
            if not answered:
                result.lost += 1
                result.lost_reasons.append(f"no reply to {client_id} (ack seq {acked_seq})")
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - tick)))
    except (TimeoutError, websockets.ConnectionClosed, OSError) as exc:
        result.lost += 1
        result.lost_reasons.append(f"{type(exc).__name__}: {exc} after {recent[-6:]}")
    finally:
        await ws.close()


async def run_load(
    target: Target, n: int, duration: float, interval: float, *, sample_every: float = 10.0
) -> Result:
    result = Result(target.name, n)
    servers = [psutil.Process(p.pid) for p in target.procs]
    stop = asyncio.Event()
    all_connected = asyncio.Event()
    start_by = min(20.0, n / 100)  # connect about 100 a second
    started = time.monotonic()

    async def sample_memory() -> None:
        next_sample = 0.0
        while not stop.is_set():
            try:
                rss = sum(s.memory_info().rss for s in servers) / 2**20
            except psutil.Error:
                return
            result.peak_rss_mb = max(result.peak_rss_mb, rss)
            since = time.monotonic() - started - start_by
            if since >= next_sample:
                result.rss_samples.append((round(since, 1), round(rss, 1)))
                next_sample = since + sample_every
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample_memory())
    tasks = [
        asyncio.create_task(
            conversation(target, i, result, duration, interval, start_by, all_connected)
        )
        for i in range(n)
    ]

    # If some never connect, release the others after the connect phase.
    async def release() -> None:
        await asyncio.sleep(start_by + 30)
        all_connected.set()

    releaser = asyncio.create_task(release())
    await asyncio.gather(*tasks)
    result.elapsed_s = time.monotonic() - started - start_by
    releaser.cancel()
    stop.set()
    await sampler
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of steady load")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between messages")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="a kefu data dir with a trained model (default: train into a temp dir)",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="instead of kefu vs echo: one scaled-mode replica vs two, on the local PostgreSQL "
        "and Redis (KEFU_BENCH_POSTGRES_URL, KEFU_BENCH_REDIS_URL)",
    )
    parser.add_argument(
        "--soak",
        action="store_true",
        help="kefu alone, 1000 conversations for 10 minutes, RSS sampled every 10 s",
    )
    parser.add_argument(
        "--without-snapshots",
        action="store_true",
        help="also run kefu with KEFU_TRACKER_SNAPSHOT_EVENTS=0 (every turn folds every stored event)",
    )
    parser.add_argument("--warmup", type=float, default=120.0, help="soak: seconds of warm-up")
    parser.add_argument(
        "--rss-bound-mb", type=float, default=150.0, help="soak: allowed growth after warm-up"
    )
    args = parser.parse_args()
    if args.soak:
        if "--sizes" not in sys.argv:
            args.sizes = "1000"
        if "--duration" not in sys.argv:
            args.duration = 600.0
        if "--interval" not in sys.argv:
            args.interval = 20.0
    sizes = [int(s) for s in args.sizes.split(",")]

    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))

    tmp = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    data_dir = args.data_dir or tmp / "data"
    if args.data_dir is None:
        from app.bot import ensure_trained
        from app.settings import Settings

        ensure_trained(Settings(data_dir=data_dir))

    if args.soak:
        soak(data_dir, tmp, sizes[0], args)
        return

    rows: list[dict[str, float | int | str]] = []
    if args.scaling:
        baseline, contender = "kefu x1", "kefu x2"
        makers = [
            lambda n: scaled_target(data_dir, replicas=1, name=baseline),
            lambda n: scaled_target(data_dir, replicas=2, name=contender),
        ]
    else:
        baseline, contender = "echo", "kefu"
        makers = [
            lambda n: start_echo(),
            lambda n: start_kefu(data_dir, f"sqlite:///{tmp / f'kefu-{n}.db'}"),
        ]
        if args.without_snapshots:
            makers.append(
                lambda n: start_kefu(
                    data_dir,
                    f"sqlite:///{tmp / f'kefu-folding-{n}.db'}",
                    name="kefu, no snapshots",
                    extra_env={"KEFU_TRACKER_SNAPSHOT_EVENTS": "0"},
                )
            )
    for n in sizes:
        for make in makers:
            target = make(n)
            try:
                result = asyncio.run(run_load(target, n, args.duration, args.interval))
            finally:
                target.stop()
            rows.append(result.summary())
            print(f"  done: {target.name} n={n}", file=sys.stderr)
            for reason in result.lost_reasons[:5]:
                print(f"    lost: {reason}", file=sys.stderr)

    header = [
        "target",
        "conversations",
        "connected",
        "sent",
        "answered",
        "lost",
        "errors",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "replies_per_s",
        "peak_rss_mb",
    ]
    print(
        "\nws_load: per-turn latency from send to bot reply "
        f"(duration {args.duration:g}s, one message every {args.interval:g}s per conversation)"
    )
    print(" | ".join(f"{h:>13}" for h in header))
    for row in rows:
        print(" | ".join(f"{row[h]!s:>13}" for h in header))
    for row in rows:
        late = float(row["p95_turns_36_40_ms"])
        if late == late:  # conversations reached turn 36
            early = float(row["p95_turns_1_5_ms"])
            print(
                f"{row['target']} n={row['conversations']}: p95 of turns 36-40 {late} ms, "
                f"turns 1-5 {early} ms, x{late / max(early, 0.1):.2f} (goal <= 1.2)"
            )
    ratios = {}
    for n in sizes:
        a = next(r for r in rows if r["target"] == contender and r["conversations"] == n)
        b = next(r for r in rows if r["target"] == baseline and r["conversations"] == n)
        ratios[str(n)] = {
            "p50_ratio": round(float(a["p50_ms"]) / max(float(b["p50_ms"]), 0.1), 2),
            "p95_ratio": round(float(a["p95_ms"]) / max(float(b["p95_ms"]), 0.1), 2),
            "throughput_ratio": round(
                float(a["replies_per_s"]) / max(float(b["replies_per_s"]), 0.01), 2
            ),
        }
        print(
            f"n={n}: {contender}/{baseline} p50 x{ratios[str(n)]['p50_ratio']}, "
            f"p95 x{ratios[str(n)]['p95_ratio']}, throughput x{ratios[str(n)]['throughput_ratio']}"
        )
    print(
        json.dumps(
            {
                "benchmark": "ws_load",
                "mode": "scaling" if args.scaling else "overhead",
                "duration_s": args.duration,
                "interval_s": args.interval,
                "results": rows,
                "ratios": ratios,
            }
        )
    )


def soak(data_dir: Path, tmp: Path, n: int, args: argparse.Namespace) -> None:
    """Long steady load on one embedded kefu; memory growth after warm-up and losses."""
    target = start_kefu(data_dir, f"sqlite:///{tmp / 'kefu-soak.db'}", name="kefu")
    try:
        result = asyncio.run(run_load(target, n, args.duration, args.interval))
    finally:
        target.stop()
    for reason in result.lost_reasons[:5]:
        print(f"    lost: {reason}", file=sys.stderr)
    samples = result.rss_samples
    after = [rss for t, rss in samples if t >= args.warmup]
    at_warm = after[0] if after else float("nan")
    growth = (max(after) - at_warm) if after else float("nan")
    end_growth = (after[-1] - at_warm) if after else float("nan")
    summary = result.summary()
    print(
        f"\nws_load --soak: {n} conversations, {args.duration:g}s, one message every "
        f"{args.interval:g}s each; server RSS every 10 s"
    )
    print(f"{'t (s)':>8} | {'RSS (MiB)':>10}")
    for t, rss in samples:
        print(f"{t:>8.0f} | {rss:>10.1f}")
    within = growth <= args.rss_bound_mb
    print(
        f"sent {summary['sent']}, answered {summary['answered']}, lost {summary['lost']}, "
        f"errors {summary['errors']}; p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms\n"
        f"RSS after {args.warmup:g}s warm-up {at_warm:.1f} MiB; largest growth after it "
        f"{growth:+.1f} MiB, at the end {end_growth:+.1f} MiB (bound {args.rss_bound_mb:g} MiB: "
        f"{'within' if within else 'EXCEEDED'})"
    )
    print(
        json.dumps(
            {
                "benchmark": "ws_load",
                "mode": "soak",
                "duration_s": args.duration,
                "interval_s": args.interval,
                "warmup_s": args.warmup,
                "result": summary,
                "rss_samples": samples,
                "rss_after_warmup_mb": at_warm,
                "rss_growth_max_mb": round(growth, 1),
                "rss_growth_end_mb": round(end_growth, 1),
                "rss_bound_mb": args.rss_bound_mb,
                "within_bound": within,
            }
        )
    )


def scaled_target(data_dir: Path, *, replicas: int, name: str) -> Target:
    """Replicas in scaled mode on a fresh PostgreSQL database and the local Redis."""
    import psycopg
    import redis

    admin_url = os.environ.get(
        "KEFU_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    redis_url = os.environ.get("KEFU_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    database = f"kefu_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + database
    from app.db.migrate import upgrade

    upgrade(url)
    redis.Redis.from_url(redis_url).flushdb()
    return start_kefu(
        data_dir,
        url,
        replicas=replicas,
        name=name,
        extra_env={"KEFU_MODE": "scaled", "KEFU_REDIS_URL": redis_url},
    )


if __name__ == "__main__":
    main()
