"""Faults with real processes: the model runtime killed, Redis gone in scaled mode."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.chat_client import ChatClient
from tests.servers import ServerProcess, free_port

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``kefu model serve`` with the tiny random model, as its own process."""
    port = free_port()
    log = (tmp_path / "runtime.log").open("wb")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "app", "model", "serve", "--model", "tiny-random"),
            *("--port", str(port), "--host", "127.0.0.1", "--log-level", "warning"),
        ],
        cwd=REPO,
        env={**os.environ, "KEFU_DATA_DIR": str(tmp_path / "runtime")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, (tmp_path / "runtime.log").read_text(errors="replace")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the model runtime did not start"
        time.sleep(0.5)
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        log.close()


async def test_killing_the_model_runtime_falls_back_to_composed_answers(
    runtime: tuple[subprocess.Popen[bytes], int], trained_data_dir: Path, tmp_path: Path
) -> None:
    proc, port = runtime
    server = ServerProcess(
        data_dir=trained_data_dir,
        database_url=f"sqlite:///{tmp_path / 'kefu.db'}",
        env={"KEFU_MODEL_ENABLED": "true", "KEFU_MODEL_URL": f"http://127.0.0.1:{port}/v1"},
    ).start()
    try:
        client = await ChatClient.connect(server.ws_url)
        await client.hello()
        ack = await client.say("How much is the Aurora X2?")
        first = await client.bot_reply(after_seq=ack["seq"], timeout=120)
        # The tiny model writes noise: checked, it is replaced by an answer from the facts.
        assert "129" in first["text"], first

        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        started = time.monotonic()
        ack = await client.say("How much is the Vector 16 Pro?")
        reply = await client.bot_reply(after_seq=ack["seq"], timeout=30)
        elapsed = time.monotonic() - started
        assert "1,899" in reply["text"] or "1899" in reply["text"], reply
        # A dead runtime is noticed at once (connection refused), not after the client's
        # 120 s timeout; the bound is loose for a busy CI machine (typically well under 2 s).
        assert elapsed < 10.0, elapsed
        print(f"answer after the runtime was killed: {elapsed:.2f} s")
        await client.close()
    finally:
        server.stop()


def start_redis(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while (
        subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False
        ).stdout.strip()
        != b"PONG"
    ):
        assert proc.poll() is None and time.monotonic() < deadline, "redis did not start"
        time.sleep(0.1)
    return proc


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_redis_outage_degrades_a_scaled_replica_without_failing_it(
    trained_data_dir: Path,
) -> None:
    from app.db.migrate import upgrade
    from tests.servers import postgres_database

    port = free_port()
    redis = start_redis(port)
    with postgres_database() as url:
        upgrade(url)
        server = ServerProcess(
            data_dir=trained_data_dir,
            database_url=url,
            env={
                "KEFU_MODE": "scaled",
                "KEFU_REDIS_URL": f"redis://127.0.0.1:{port}/0",
                "KEFU_MODEL_ENABLED": "false",
            },
        ).start()
        try:
            client = await ChatClient.connect(server.ws_url)
            await client.hello()
            ack = await client.say("hi")
            await client.bot_reply(after_seq=ack["seq"])

            redis.kill()
            redis.wait(10)
            ack = await client.say("where is my order?")
            assert ack["type"] == "ack"
            reply = await client.bot_reply(after_seq=ack["seq"], timeout=30)
            assert "order ID" in reply["text"], reply
            newcomer = await ChatClient.connect(server.ws_url)
            assert (await newcomer.hello())["type"] == "welcome"
            ack = await newcomer.say("你们支持支付宝吗?")
            assert "支付宝" in (await newcomer.bot_reply(after_seq=ack["seq"]))["text"]
            checks = httpx.get(server.http_url + "/readyz").json()["checks"]
            assert checks["realtime"] == "degraded" and server.proc is not None
            assert server.proc.poll() is None, "the replica keeps running"
            assert "Redis is unavailable" in server.log_path.read_text(errors="replace")

            redis = start_redis(port)  # back: fan-out through Redis again
            deadline = time.monotonic() + 30
            while True:
                ack = await newcomer.say("thanks")
                await newcomer.bot_reply(after_seq=ack["seq"], timeout=30)
                if httpx.get(server.http_url + "/readyz").json()["checks"]["realtime"] == "ok":
                    break
                assert time.monotonic() < deadline, "still degraded after Redis came back"
                await asyncio.sleep(1)
            await client.close()
            await newcomer.close()
        finally:
            server.stop()
            redis.kill()
            redis.wait(10)


@pytest.fixture
def private_postgres() -> Iterator[tuple[str, list[str]]]:
    """A PostgreSQL cluster of this test's own (the machine's server stays untouched), run
    as the ``postgres`` user; yields its URL and the pg_ctl command to stop/start it."""
    import glob
    import shutil

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found or shutil.which("runuser") is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL's pg_ctl and root (to run it as the postgres user)")
    bin_dir = Path(found[-1]).parent
    # Not under pytest's tmp dirs: those are private to root, the cluster runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="kefu-pg-"))
    shutil.chown(root, "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_postgres, str(bin_dir / "initdb"), *("-D", str(root / "data")), "-A", "trust"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-w"]
    start = [
        *pg_ctl,
        *("-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "-l", str(root / "log")),
        "start",
    ]
    subprocess.run(start, check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", start
    finally:
        subprocess.run([*pg_ctl, "stop", "-m", "immediate"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.postgres
async def test_a_postgresql_restart_under_traffic(
    private_postgres: tuple[str, list[str]], trained_data_dir: Path
) -> None:
    url, start = private_postgres
    stop = [*start[: start.index("-o")], "stop", "-m", "fast"]
    server = ServerProcess(
        data_dir=trained_data_dir, database_url=url, env={"KEFU_MODEL_ENABLED": "false"}
    ).start()
    try:
        client = await ChatClient.connect(server.ws_url)
        await client.hello()
        ack = await client.say("hi")
        acked_before = ack["seq"]
        await client.bot_reply(after_seq=ack["seq"])

        subprocess.run(stop, check=True, capture_output=True)
        refused = await client.say("where is my order?")
        # An error frame, not silence: the message was not stored and may be sent again.
        assert refused["type"] == "error" and "retry" in refused["message"], refused
        assert httpx.get(server.http_url + "/readyz").status_code == 503

        subprocess.run(start, check=True, capture_output=True)
        ack = await client.say("where is my order?", client_id=refused.get("client_id"))
        assert ack["type"] == "ack" and ack["seq"] == acked_before + 2  # nothing lost, no gap
        reply = await client.bot_reply(after_seq=ack["seq"], timeout=30)
        assert "order ID" in reply["text"], reply
        assert httpx.get(server.http_url + "/readyz").status_code == 200
        assert server.proc is not None and server.proc.poll() is None
        await client.close()
    finally:
        server.stop()
