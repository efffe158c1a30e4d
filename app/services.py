"""The app's long-lived parts, built once from the settings and shared by every request."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.bot import AssistantHolder, BotRunner
from app.db import Database
from app.db.orders import SqlOrderStore
from app.metrics import AppMetrics
from app.realtime import Hub, InProcessHub, InProcessLocks, Locks
from app.settings import Settings


@dataclass(eq=False)
class Services:
    settings: Settings
    db: Database
    hub: Hub
    locks: Locks
    assistant: AssistantHolder
    metrics: AppMetrics = field(default_factory=AppMetrics)
    bot: BotRunner = field(init=False)
    open_connections: int = 0

    def __post_init__(self) -> None:
        self.bot = BotRunner(self)

    @classmethod
    def build(cls, settings: Settings, *, assistant: AssistantHolder | None = None) -> Services:
        hub: Hub
        locks: Locks
        if settings.redis_url:
            from redis.asyncio import Redis

            from app.realtime.redis_hub import RedisHub, RedisLocks

            hub = RedisHub(Redis.from_url(settings.redis_url))
            locks = RedisLocks(Redis.from_url(settings.redis_url))
        else:
            hub, locks = InProcessHub(), InProcessLocks()
        db = Database(settings.resolved_database_url)
        return cls(
            settings=settings,
            db=db,
            hub=hub,
            locks=locks,
            assistant=assistant or AssistantHolder.load(settings, orders=SqlOrderStore(db)),
        )

    async def aclose(self) -> None:
        await self.bot.drain()
        await self.hub.aclose()
        await self.db.dispose()
