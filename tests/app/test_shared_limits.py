"""Limits are counted once for every replica in scaled mode: the sixth failed sign-in of a
username, the API request past an address's burst and the socket past an address's cap are
refused whichever replica gets them; Redis going away degrades to counting in each
process, never to letting everything through."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from redis.asyncio import Redis

from app.auth.redis_throttle import RedisThrottle
from app.db.migrate import upgrade
from app.redis_limits import RedisAddressLimits, RedisConnectionCaps
from tests.chat_client import ChatClient
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


@pytest.mark.redis
async def test_two_replicas_share_one_token_bucket() -> None:
    await Redis.from_url(REDIS_URL).flushdb()
    first, second = (
        RedisAddressLimits(Redis.from_url(REDIS_URL), name="api", rate=0.5, burst=4)
        for _ in range(2)
    )
    now = time.monotonic()
    allowed = [await (first if i % 2 else second).allow("10.0.0.1", now) for i in range(6)]
    assert allowed == [True, True, True, True, False, False]
    assert await first.allow("10.0.0.2", now)  # per address
    await asyncio.sleep(2.1)  # one token a 2 s
    assert await second.allow("10.0.0.1", now)
    assert not await first.allow("10.0.0.1", now)


@pytest.mark.redis
async def test_two_replicas_share_one_socket_cap_and_a_dead_ones_sockets_expire() -> None:
    await Redis.from_url(REDIS_URL).flushdb()
    first, second = (
        RedisConnectionCaps(Redis.from_url(REDIS_URL), per_address=2, ttl=1.0) for _ in range(2)
    )
    one = await first.open("10.0.0.1")
    two = await second.open("10.0.0.1")
    assert one and two
    assert await first.open("10.0.0.1") is None and await second.open("10.0.0.1") is None
    assert await first.open("10.0.0.2")  # per address
    await second.close("10.0.0.1", two)
    three = await first.open("10.0.0.1")
    assert three
    # ``one`` is kept alive, ``three`` belongs to a replica that died: after the ttl only
    # the kept one counts.
    for _ in range(3):
        await asyncio.sleep(0.4)
        await first.keep("10.0.0.1", one)
    assert await second.open("10.0.0.1")
    assert await second.open("10.0.0.1") is None


async def test_without_redis_limits_count_in_process() -> None:
    gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limits = RedisAddressLimits(gone, name="api", rate=0.1, burst=2)
    now = time.monotonic()
    assert [await limits.allow("a", now) for _ in range(3)] == [True, True, False]
    caps = RedisConnectionCaps(gone, per_address=1)
    token = await caps.open("a")
    assert token is not None and await caps.open("a") is None
    await caps.close("a", token)
    assert await caps.open("a") is not None


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
            "KEFU_MAX_CONNECTIONS_PER_ADDRESS": "2",
            "KEFU_API_REQUEST_BURST": "40",
            "KEFU_API_REQUESTS_PER_SECOND": "0.5",
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


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
async def test_an_address_gets_its_sockets_once_across_replicas(
    replicas: tuple[ServerProcess, ServerProcess],
) -> None:
    first = await ChatClient.connect(replicas[0].ws_url)
    second = await ChatClient.connect(replicas[1].ws_url)
    for server in replicas:
        with pytest.raises(websockets.InvalidStatus):
            await ChatClient.connect(server.ws_url)
    await first.close()
    await asyncio.sleep(0.3)
    again = await ChatClient.connect(replicas[1].ws_url)  # the slot is free on either
    assert (await again.hello())["type"] == "welcome"
    for client in (second, again):
        await client.close()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_an_address_gets_its_api_burst_once_across_replicas(
    replicas: tuple[ServerProcess, ServerProcess],
) -> None:
    codes = [
        httpx.get(replicas[i % 2].http_url + "/api/v1/auth/me", timeout=30).status_code
        for i in range(60)
    ]
    limited = codes.index(429)  # the burst of 40, less what the tests before used
    refill = 3  # at 0.5 a second, the requests' own time refills a token or two
    assert limited < 40 and sum(c != 429 for c in codes[limited:]) <= refill
    assert 429 in codes[1::2] and 429 in codes[0::2]  # refused by both replicas
