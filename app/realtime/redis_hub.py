"""Scaled mode: fan-out through Redis pub/sub and per-conversation locks in Redis.

A customer on one app replica and an agent on another see each other live: every publish
goes to Redis, and each replica relays what arrives to its local subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from app.realtime.hub import InProcessHub, Subscription

log = logging.getLogger(__name__)
PREFIX = "kefu:"


class RedisHub:
    """Relays Redis channels to local subscribers; one Redis subscription per channel."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._local = InProcessHub()
        self._pubsub: PubSub = redis.pubsub()
        self._reader: asyncio.Task[None] | None = None
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._commands = asyncio.Lock()

    async def publish(self, channel: str, frame: dict[str, Any]) -> None:
        await self.redis.publish(PREFIX + channel, json.dumps(frame, default=str))

    async def subscribe(self, channel: str) -> Subscription:
        """Returns once Redis confirmed the subscription: later publishes are all seen."""
        subscription = self._local.subscribe_now(channel)
        subscription.close = lambda: self._unsubscribe(subscription)  # type: ignore[method-assign]
        confirmed = self._confirmed.get(channel)
        if confirmed is None:
            confirmed = asyncio.get_running_loop().create_future()
            self._confirmed[channel] = confirmed
            async with self._commands:
                await self._pubsub.subscribe(PREFIX + channel)
            if self._reader is None or self._reader.done():
                self._reader = asyncio.get_running_loop().create_task(self._read())
        await asyncio.wait_for(asyncio.shield(confirmed), timeout=10.0)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        self._local._remove(subscription)
        channel = subscription.channel
        if self._local.subscriber_count(channel) == 0 and channel in self._confirmed:
            del self._confirmed[channel]
            asyncio.get_running_loop().create_task(self._unsubscribe_remote(channel))

    async def _unsubscribe_remote(self, channel: str) -> None:
        with contextlib.suppress(Exception):
            async with self._commands:
                if channel not in self._confirmed:
                    await self._pubsub.unsubscribe(PREFIX + channel)

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("redis pub/sub connection lost; retrying", exc_info=True)
                await asyncio.sleep(1.0)
                continue
            if message is None:
                continue
            channel = message["channel"]
            if isinstance(channel, bytes):
                channel = channel.decode()
            channel = channel.removeprefix(PREFIX)
            if message["type"] == "subscribe":
                future = self._confirmed.get(channel)
                if future is not None and not future.done():
                    future.set_result(None)
                continue
            if message["type"] != "message":
                continue
            try:
                frame = json.loads(message["data"])
            except (TypeError, ValueError):
                continue
            self._local.deliver(channel, frame)

    async def aclose(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        with contextlib.suppress(Exception):
            await self.redis.aclose()


class RedisLocks:
    """Per-conversation locks across replicas. A holder that dies frees it after ``ttl``."""

    def __init__(self, redis: Redis, *, ttl: float = 120.0, wait: float = 120.0) -> None:
        self.redis = redis
        self.ttl = ttl
        self.wait = wait

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self.redis.lock(f"{PREFIX}lock:{key}", timeout=self.ttl, blocking_timeout=self.wait)
        if not await lock.acquire(token=uuid.uuid4().hex):
            raise TimeoutError(f"could not lock {key} within {self.wait}s")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await lock.release()
