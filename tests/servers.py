"""Real kefu servers for integration tests: subprocesses on loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get(
    "KEFU_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


METRICS_TOKEN = "a-test-metrics-token"


class ServerProcess:
    """``python -m app run`` in a subprocess; ``start``/``kill``/``stop`` it like a real one."""

    def __init__(
        self,
        *,
        data_dir: Path,
        database_url: str,
        env: Mapping[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.data_dir = data_dir
        self.database_url = database_url
        self.extra_env = dict(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}-{uuid.uuid4().hex[:6]}.log"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metrics(self) -> str:
        """The Prometheus text, fetched as a scraper with the metrics token does."""
        response = httpx.get(
            f"{self.http_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        response.raise_for_status()
        return response.text

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat"

    def start(self, timeout: float = 90.0) -> ServerProcess:
        env = {
            **os.environ,
            "KEFU_DATA_DIR": str(self.data_dir),
            "KEFU_DATABASE_URL": self.database_url,
            "KEFU_MODEL_ENABLED": "false",
            # As a deployment sets it: /metrics only for the scraper's bearer.
            "KEFU_METRICS_TOKEN": METRICS_TOKEN,
            **self.extra_env,
        }
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "run",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.http_url}/readyz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"server not ready in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    name = f"kefu_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class WorkerProcess:
    """``python -m app worker`` (a Celery worker) in a subprocess."""

    def __init__(self, *, data_dir: Path, env: Mapping[str, str]) -> None:
        self.data_dir = data_dir
        self.env = dict(env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"worker-{uuid.uuid4().hex[:6]}.log"

    def start(self) -> WorkerProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "worker", "--concurrency", "1"],
            cwd=REPO,
            env={**os.environ, "KEFU_DATA_DIR": str(self.data_dir), **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
