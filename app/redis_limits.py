"""Scaled mode: per-address API rate limits and socket caps kept in Redis, shared by every
replica that uses the same Redis.

Rate limits are a GCRA token bucket (one key per address: the time at which its bucket is
full again), decided in one Lua script on Redis's own clock, so replicas whose clocks
differ agree. Open sockets are a sorted set per address (socket token -> the time it stops
counting unless kept), so a replica that dies without closing its sockets frees them
within ``ttl`` seconds. When Redis is unreachable a replica falls back to counting
in-process (logged): never letting everything through, never refusing everything.
"""

from __future__ import annotations

import logging
import uuid

from redis.asyncio import Redis

from app.limits import InProcessAddressLimits, InProcessConnectionCaps
from app.realtime.redis_hub import PREFIX, UNAVAILABLE

__all__ = ["RedisAddressLimits", "RedisConnectionCaps"]

log = logging.getLogger(__name__)

# KEYS[1]: the address's key. ARGV: interval (seconds per token), burst. Returns 1 when
# allowed. The key holds the theoretical arrival time (TAT) in microseconds.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
if new_tat - now > burst * interval then return 0 end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return 1
"""

# KEYS[1]: the address's sorted set. ARGV: token, cap, ttl (seconds). Returns 1 when the
# socket is admitted.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])) + 1)
return 1
"""

_KEEP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
return 1
"""


class RedisAddressLimits:
    """``AddressLimits`` shared through Redis."""

    def __init__(self, redis: Redis, *, name: str, rate: float, burst: int) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("RedisAddressLimits needs rate > 0 and burst >= 1")
        self.redis = redis
        self.name = name
        self.rate = rate
        self.burst = burst
        self._interval_us = max(1, round(1_000_000 / rate))
        self._fallback = InProcessAddressLimits(rate, burst)
        self._script = redis.register_script(_GCRA)

    async def allow(self, address: str, now: float) -> bool:
        key = f"{PREFIX}rate:{self.name}:{address}"
        try:
            allowed = await self._script(keys=[key], args=[self._interval_us, self.burst])
        except UNAVAILABLE as error:
            log.warning("rate limit: Redis unavailable (%s); counting in-process", error)
            return self._fallback.allow_now(address, now)
        return bool(allowed)


class RedisConnectionCaps:
    """``ConnectionCaps`` shared through Redis; a socket stops counting ``ttl`` seconds
    after it was last kept (the endpoint keeps its sockets every ``ttl / 3``)."""

    def __init__(self, redis: Redis, *, per_address: int, ttl: float = 90.0) -> None:
        if per_address < 1 or ttl <= 0:
            raise ValueError("RedisConnectionCaps needs per_address >= 1 and ttl > 0")
        self.redis = redis
        self.per_address = per_address
        self.ttl = ttl
        self._fallback = InProcessConnectionCaps(per_address)
        self._local: set[str] = set()  # tokens admitted by the fallback
        self._admit = redis.register_script(_ADMIT)
        self._keep = redis.register_script(_KEEP)

    def _key(self, address: str) -> str:
        return f"{PREFIX}sockets:{address}"

    async def open(self, address: str) -> str | None:
        token = uuid.uuid4().hex
        try:
            admitted = await self._admit(
                keys=[self._key(address)], args=[token, self.per_address, self.ttl]
            )
        except UNAVAILABLE as error:
            log.warning("socket cap: Redis unavailable (%s); counting in-process", error)
            local = self._fallback.open_now(address)
            if local is None:
                return None
            self._local.add(token)
            return token
        return token if admitted else None

    async def keep(self, address: str, token: str) -> None:
        if token in self._local:
            return
        try:
            await self._keep(keys=[self._key(address)], args=[token, self.ttl])
        except UNAVAILABLE as error:
            log.warning("socket cap: Redis unavailable (%s)", error)

    async def close(self, address: str, token: str) -> None:
        if token in self._local:
            self._local.discard(token)
            self._fallback.close_now(address)
            return
        try:
            await self.redis.zrem(self._key(address), token)
        except UNAVAILABLE as error:
            log.warning("socket cap: Redis unavailable (%s); it expires in %ss", error, self.ttl)
