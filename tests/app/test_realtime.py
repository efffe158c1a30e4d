"""The realtime hubs and locks: in-process, and Redis (the local server at 127.0.0.1:6379)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from app.realtime import InProcessHub, InProcessLocks
from app.realtime.redis_hub import RedisHub, RedisLocks

REDIS_URL = "redis://127.0.0.1:6379/15"


async def test_in_process_hub_delivers_in_order_to_every_subscriber() -> None:
    hub = InProcessHub()
    a, b = await hub.subscribe("c1"), await hub.subscribe("c1")
    other = await hub.subscribe("c2")
    for i in range(5):
        await hub.publish("c1", {"n": i})
    assert [a.queue.get_nowait()["n"] for _ in range(5)] == list(range(5))
    assert [b.queue.get_nowait()["n"] for _ in range(5)] == list(range(5))
    assert other.queue.empty()
    a.close()
    b.close()
    assert hub.subscriber_count("c1") == 0


async def test_in_process_locks_serialise_and_clean_up() -> None:
    locks = InProcessLocks()
    order: list[str] = []

    async def turn(name: str) -> None:
        async with locks.hold("conv"):
            order.append(f"{name}-in")
            await asyncio.sleep(0.01)
            order.append(f"{name}-out")

    await asyncio.gather(turn("a"), turn("b"), turn("c"))
    assert all(order[i].split("-")[0] == order[i + 1].split("-")[0] for i in range(0, 6, 2))
    assert len(locks) == 0


@pytest.fixture
async def redis_clients() -> AsyncIterator[tuple[Redis, Redis]]:
    first, second = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    try:
        await first.ping()
    except Exception as exc:  # pragma: no cover - CI starts Redis in .ci/run
        pytest.fail(f"Redis is not running at {REDIS_URL}: {exc}")
    yield first, second


@pytest.mark.redis
async def test_redis_hub_fans_out_across_processes(redis_clients: tuple[Redis, Redis]) -> None:
    # Two hubs on two connections stand for two app replicas.
    replica_a, replica_b = RedisHub(redis_clients[0]), RedisHub(redis_clients[1])
    channel = f"conversation:{uuid.uuid4().hex}"
    on_b = await replica_b.subscribe(channel)
    on_a = await replica_a.subscribe(channel)
    for i in range(20):
        await replica_a.publish(channel, {"type": "message", "seq": i})
    got_b = [(await asyncio.wait_for(on_b.queue.get(), 5))["seq"] for _ in range(20)]
    got_a = [(await asyncio.wait_for(on_a.queue.get(), 5))["seq"] for _ in range(20)]
    assert got_a == got_b == list(range(20))
    on_a.close()
    on_b.close()
    await replica_a.aclose()
    await replica_b.aclose()


@pytest.mark.redis
async def test_redis_locks_exclude_across_replicas(redis_clients: tuple[Redis, Redis]) -> None:
    locks_a, locks_b = RedisLocks(redis_clients[0], ttl=5), RedisLocks(redis_clients[1], ttl=5)
    key = uuid.uuid4().hex
    inside = 0
    peak = 0

    async def turn(locks: RedisLocks) -> None:
        nonlocal inside, peak
        async with locks.hold(key):
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.02)
            inside -= 1

    await asyncio.gather(*(turn(locks_a if i % 2 else locks_b) for i in range(8)))
    assert peak == 1
    await redis_clients[0].aclose()
    await redis_clients[1].aclose()
