"""Which agents are online (have a console open): in-process, or in Redis across replicas."""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

PRESENCE_KEY = "kefu:presence"
PRESENCE_TTL = 60.0


class Presence(Protocol):
    async def join(self, agent_id: int, connection_id: str) -> None: ...

    async def leave(self, agent_id: int, connection_id: str) -> None: ...

    async def online(self) -> set[int]: ...


class InProcessPresence:
    def __init__(self) -> None:
        self._connections: Counter[int] = Counter()

    async def join(self, agent_id: int, connection_id: str) -> None:
        self._connections[agent_id] += 1

    async def leave(self, agent_id: int, connection_id: str) -> None:
        self._connections[agent_id] -= 1
        if self._connections[agent_id] <= 0:
            del self._connections[agent_id]

    async def online(self) -> set[int]:
        return set(self._connections)


class RedisPresence:
    """One hash field per console connection, valued with its expiry; consoles re-join
    (heartbeat) more often than ``PRESENCE_TTL`` so a crashed replica's agents drop out."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def join(self, agent_id: int, connection_id: str) -> None:
        try:
            await self.redis.hset(  # type: ignore[misc]
                PRESENCE_KEY, f"{agent_id}:{connection_id}", str(time.time() + PRESENCE_TTL)
            )
        except (RedisError, OSError) as error:
            log.warning("presence not recorded, Redis unavailable: %s", error)

    async def leave(self, agent_id: int, connection_id: str) -> None:
        try:
            await self.redis.hdel(PRESENCE_KEY, f"{agent_id}:{connection_id}")  # type: ignore[misc]
        except (RedisError, OSError) as error:
            log.warning("presence not cleared, Redis unavailable (it expires): %s", error)

    async def online(self) -> set[int]:
        now = time.time()
        try:
            fields = await self.redis.hgetall(PRESENCE_KEY)  # type: ignore[misc]
        except (RedisError, OSError) as error:
            # Nobody is known to be online: handoffs wait in the queue, agents take them.
            log.warning("presence unknown, Redis unavailable: %s", error)
            return set()
        agents, stale = set(), []
        for field, expires in fields.items():
            name = field.decode() if isinstance(field, bytes) else field
            if float(expires) > now:
                agents.add(int(name.split(":", 1)[0]))
            else:
                stale.append(name)
        if stale:
            await self.redis.hdel(PRESENCE_KEY, *stale)  # type: ignore[misc]
        return agents
