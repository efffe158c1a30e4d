"""Failed sign-ins are counted once for every replica in scaled mode: the sixth try of a
username is refused whichever replica gets it; Redis going away degrades to counting in
each process, never to letting every try through."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from app.auth.redis_throttle import RedisThrottle
from app.db.migrate import upgrade
from tests.console_client import create_account
from tests.servers import ServerProcess, postgres_database

PASSWORD = "a long enough password"
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.mark.redis
async def test_two_replicas_share_one_count() -> None:
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    first = RedisThrottle(Redis.from_url(REDIS_URL), name="user", max_failures=5, window=60)
    second = RedisThrottle(Redis.from_url(REDIS_URL), name="user", max_failures=5, window=60)
    now = time.time()
    for i in range(5):
        assert await (first if i % 2 else second).blocked("user:ana", now + i) == 0
        await (first if i % 2 else second).failed("user:ana", now + i)
    wait = await second.blocked("user:ana", now + 5)
    assert 54 < wait <= 60  # the first failure leaves the window 60 s after it was made
    assert await first.blocked("user:ana", now + 5) == wait
    assert await first.blocked("user:bo", now + 5) == 0  # per key
    assert await first.blocked("user:ana", now + 61) == 0  # the window moved on
    await first.succeeded("user:ana")
    assert await second.blocked("user:ana", now + 6) == 0
    assert await redis.ttl("kefu:throttle:user:bo") > 0 or not await redis.exists(
        "kefu:throttle:user:bo"
    )
    await redis.aclose()


async def test_without_redis_each_process_still_counts() -> None:
    gone = RedisThrottle(
        Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2),
        name="user",
        max_failures=2,
        window=60,
    )
    now = time.time()
    await gone.failed("user:ana", now)
    assert await gone.blocked("user:ana", now) == 0
    await gone.failed("user:ana", now)
    assert await gone.blocked("user:ana", now) > 0


@pytest.fixture(scope="module")
def replicas(trained_data_dir: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with postgres_database() as url:
        upgrade(url)
        create_account(url, "ana", PASSWORD, "agent", "Ana")
        env = {
            "KEFU_MODE": "scaled",
            "KEFU_REDIS_URL": REDIS_URL,
            "KEFU_DATABASE_URL": url,
            "KEFU_MODEL_ENABLED": "false",
        }
        first = ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
        second = ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
        try:
            yield first, second
        finally:
            first.stop()
            second.stop()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_the_sixth_wrong_password_is_refused_on_either_replica(
    replicas: tuple[ServerProcess, ServerProcess],
) -> None:
    def login(server: ServerProcess, password: str) -> httpx.Response:
        return httpx.post(
            server.http_url + "/api/v1/auth/login",
            json={"username": "ana", "password": password},
            timeout=30,
        )

    for i in range(5):  # spread over both replicas: 3 on one, 2 on the other
        assert login(replicas[i % 2], f"wrong password, try {i}").status_code == 401
    for server in replicas:
        refused = login(server, PASSWORD)  # even the right password waits
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["retry-after"]) > 0
