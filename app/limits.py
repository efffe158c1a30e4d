"""Per-address limits: API requests per second and open chat sockets per address.

Two implementations each: in-process (embedded mode, one process) and in Redis
(``app.redis_limits``, scaled mode), so that two replicas behind one load balancer allow
one address what one replica would, not twice as much.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from typing import Protocol

from app.chat.protocol import TokenBucket

__all__ = [
    "AddressLimits",
    "ConnectionCaps",
    "InProcessAddressLimits",
    "InProcessConnectionCaps",
]


class AddressLimits(Protocol):
    """A token bucket per client address: ``rate`` requests a second, ``burst`` at once."""

    async def allow(self, address: str, now: float) -> bool: ...


class ConnectionCaps(Protocol):
    """Open sockets per client address, at most ``per_address``.

    ``open`` admits a socket and answers a token to pass to ``close`` (None: refused);
    ``keep`` is called now and then while it stays open (a replica that dies stops
    keeping its sockets, and they stop counting)."""

    per_address: int

    async def open(self, address: str) -> str | None: ...

    async def keep(self, address: str, token: str) -> None: ...

    async def close(self, address: str, token: str) -> None: ...


class InProcessAddressLimits:
    """Token buckets per address in this process, at most ``max_addresses`` remembered
    (least recently seen forgotten first)."""

    def __init__(self, rate: float, burst: int, max_addresses: int = 50_000) -> None:
        self.rate, self.burst, self.max_addresses = rate, burst, max_addresses
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    async def allow(self, address: str, now: float) -> bool:
        return self.allow_now(address, now)

    def allow_now(self, address: str, now: float) -> bool:
        bucket = self._buckets.pop(address, None) or TokenBucket(self.rate, self.burst)
        self._buckets[address] = bucket
        if len(self._buckets) > self.max_addresses:
            self._buckets.popitem(last=False)
        return bucket.allow(now)


class InProcessConnectionCaps:
    """Open sockets counted in this process."""

    def __init__(self, per_address: int) -> None:
        self.per_address = per_address
        self.by_address: Counter[str] = Counter()
        self._next = 0

    async def open(self, address: str) -> str | None:
        return self.open_now(address)

    def open_now(self, address: str) -> str | None:
        if self.by_address[address] >= self.per_address:
            return None
        self.by_address[address] += 1
        self._next += 1
        return str(self._next)

    async def keep(self, address: str, token: str) -> None:
        return None

    async def close(self, address: str, token: str) -> None:
        self.close_now(address)

    def close_now(self, address: str) -> None:
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]
