"""Scaled mode: fan-out through Redis pub/sub and per-conversation locks in Redis.

A customer on one app replica and an agent on another see each other live: every publish
goes to Redis, and each replica relays what arrives to its local subscribers.

When Redis is unreachable the replica degrades instead of failing: it logs a warning,
delivers its publishes to its own subscribers, keeps retrying subscriptions, and takes
per-conversation locks in-process. Customers and agents on the same replica keep talking;
across replicas they see each other again once Redis is back.
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
from redis.exceptions import RedisError

from app.realtime.hub import InProcessHub, Subscription
from app.realtime.locks import InProcessLocks

log = logging.getLogger(__name__)
PREFIX = "kefu:"
UNAVAILABLE = (RedisError, OSError)
RETRY_SECONDS = 2.0


class RedisHub:
    """Relays Redis channels to local subscribers; one Redis subscription per channel."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._local = InProcessHub()
        self._pubsub: PubSub = redis.pubsub()
        self._reader: asyncio.Task[None] | None = None
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._commands = asyncio.Lock()
        self._retries: set[asyncio.Task[None]] = set()
        self.origin = uuid.uuid4().hex
        self.degraded = False

    def _unavailable(self, what: str, error: BaseException) -> None:
        if not self.degraded:
            log.warning(
                "Redis is unavailable (%s: %s); realtime fan-out stays on this replica "
                "until it is back",
                what,
                error,
            )
        self.degraded = True

    def _available(self) -> None:
        if self.degraded:
            log.warning("Redis is reachable again; realtime fan-out crosses replicas again")
        self.degraded = False

    async def publish(self, channel: str, frame: dict[str, Any]) -> None:
        # This replica's subscribers get the frame at once, whatever Redis does; the other
        # replicas get it through Redis (and this one skips its own echo).
        self._local.deliver(channel, frame)
        message = json.dumps({"origin": self.origin, "frame": frame}, default=str)
        try:
            await self.redis.publish(PREFIX + channel, message)
        except UNAVAILABLE as error:
            self._unavailable("publish", error)
            return
        self._available()

    async def subscribe(self, channel: str) -> Subscription:
        """Returns once Redis confirmed the subscription: later publishes are all seen."""
        subscription = self._local.subscribe_now(channel)
        subscription.close = lambda: self._unsubscribe(subscription)  # type: ignore[method-assign]
        confirmed = self._confirmed.get(channel)
        if confirmed is None:
            confirmed = asyncio.get_running_loop().create_future()
            self._confirmed[channel] = confirmed
            try:
                async with self._commands:
                    await self._pubsub.subscribe(PREFIX + channel)
            except UNAVAILABLE as error:
                self._unavailable("subscribe", error)
                self._retry_subscribe(channel)
                return subscription  # local frames arrive now; remote ones once subscribed
            if self._reader is None or self._reader.done():
                self._reader = asyncio.get_running_loop().create_task(self._read())
        elif not confirmed.done() and self.degraded:
            return subscription  # the retry task is subscribing this channel
        await asyncio.wait_for(asyncio.shield(confirmed), timeout=10.0)
        return subscription

    def _retry_subscribe(self, channel: str) -> None:
        task = asyncio.get_running_loop().create_task(self._subscribe_when_back(channel))
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _subscribe_when_back(self, channel: str) -> None:
        while channel in self._confirmed:  # someone here still listens
            await asyncio.sleep(RETRY_SECONDS)
            try:
                async with self._commands:
                    await self._pubsub.subscribe(PREFIX + channel)
            except UNAVAILABLE:
                continue
            self._available()
            if self._reader is None or self._reader.done():
                self._reader = asyncio.get_running_loop().create_task(self._read())
            return

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
                envelope = json.loads(message["data"])
            except (TypeError, ValueError):
                continue
            if not isinstance(envelope, dict) or envelope.get("origin") == self.origin:
                continue  # not ours to relay, or our own frame, delivered at publish
            frame = envelope.get("frame")
            if isinstance(frame, dict):
                self._local.deliver(channel, frame)

    async def aclose(self) -> None:
        for task in tuple(self._retries):
            task.cancel()
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
        self._fallback = InProcessLocks()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self.redis.lock(f"{PREFIX}lock:{key}", timeout=self.ttl, blocking_timeout=self.wait)
        try:
            acquired = await lock.acquire(token=uuid.uuid4().hex)
        except UNAVAILABLE as error:
            # Degraded: turns of one conversation still never overlap on this replica.
            log.warning("Redis lock for %s unavailable (%s); locking in-process", key, error)
            async with self._fallback.hold(key):
                yield
            return
        if not acquired:
            raise TimeoutError(f"could not lock {key} within {self.wait}s")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await lock.release()
