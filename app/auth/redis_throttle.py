"""Scaled mode: failed sign-ins counted in Redis, so that every replica refuses the sixth
try of a username (or the thirty-first of an address) however the tries are spread.

Each key is a sorted set of failure times (wall clock) that expires with its window. When
Redis is unreachable the replica degrades to counting in-process (logged), never to letting
every try through and never to refusing every sign-in.
"""

from __future__ import annotations

import logging
import uuid

from redis.asyncio import Redis

from app.auth.throttle import InProcessThrottle
from app.realtime.redis_hub import PREFIX, UNAVAILABLE

log = logging.getLogger(__name__)


class RedisThrottle:
    """``SignInThrottle`` shared by every replica that uses the same Redis."""

    def __init__(
        self, redis: Redis, *, name: str, max_failures: int = 5, window: float = 300.0
    ) -> None:
        if max_failures < 1 or window <= 0:
            raise ValueError("RedisThrottle needs max_failures >= 1 and window > 0")
        self.redis = redis
        self.name = name
        self.max_failures = max_failures
        self.window = window
        self._fallback = InProcessThrottle(max_failures, window)

    def _key(self, key: str) -> str:
        return f"{PREFIX}throttle:{self.name}:{key}"

    async def blocked(self, key: str, now: float) -> float:
        name = self._key(key)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(name, "-inf", now - self.window)
                pipe.zrange(name, 0, -self.max_failures, withscores=True)
                _, oldest = await pipe.execute()
        except UNAVAILABLE as error:
            log.warning("sign-in throttle: Redis unavailable (%s); counting in-process", error)
            return await self._fallback.blocked(key, now)
        # ``oldest``: the failures before the newest max_failures - 1; with max_failures
        # failures in the window, the first of them decides when a try is allowed again.
        if len(oldest) == 0:
            return 0.0
        first = float(oldest[0][1])
        return max(0.0, first + self.window - now)

    async def failed(self, key: str, now: float) -> None:
        name = self._key(key)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zadd(name, {f"{now:.6f}:{uuid.uuid4().hex[:8]}": now})
                pipe.zremrangebyscore(name, "-inf", now - self.window)
                pipe.expire(name, int(self.window) + 1)
                await pipe.execute()
        except UNAVAILABLE as error:
            log.warning("sign-in throttle: Redis unavailable (%s); counting in-process", error)
            await self._fallback.failed(key, now)

    async def succeeded(self, key: str) -> None:
        try:
            await self.redis.delete(self._key(key))
        except UNAVAILABLE as error:
            log.warning("sign-in throttle: Redis unavailable (%s)", error)
        await self._fallback.succeeded(key)
