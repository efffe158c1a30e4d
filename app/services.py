"""The app's long-lived parts, built once from the settings and shared by every request."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.auth.throttle import InProcessThrottle, SignInThrottle
from app.bot import AssistantHolder, BotRunner
from app.chat.origins import WidgetOrigins
from app.console import ConsoleNotifier
from app.db import Database
from app.db.orders import SqlOrderStore
from app.handoff import HandoffService, InProcessPresence, Presence
from app.knowledge import GraphAnswers, KnowledgeBase, chat_model_for
from app.limits import (
    AddressLimits,
    ConnectionCaps,
    InProcessAddressLimits,
    InProcessConnectionCaps,
)
from app.metrics import AppMetrics
from app.realtime import Hub, InProcessHub, InProcessLocks, Locks
from app.settings import Settings
from app.tasks import create_celery
from app.tasks.submit import Jobs
from app.webhooks.emitter import WebhookEmitter
from dialogue.clock import SupportHours
from dialogue.knowledge import KnowledgeAnswerer
from knowledge_graph import surface_forms
from model_runtime.types import ChatModel


@dataclass(eq=False)
class Services:
    settings: Settings
    db: Database
    hub: Hub
    locks: Locks
    assistant: AssistantHolder
    presence: Presence
    jobs: Jobs
    knowledge: KnowledgeBase
    answers: GraphAnswers
    chat_model: ChatModel | None = None
    metrics: AppMetrics = field(default_factory=AppMetrics)
    # Failed sign-ins: 5 per username and 30 per client address in 5 minutes (counted in
    # Redis across replicas in scaled mode).
    login_throttle: SignInThrottle = field(default_factory=lambda: InProcessThrottle(5, 300.0))
    address_throttle: SignInThrottle = field(default_factory=lambda: InProcessThrottle(30, 300.0))
    bot: BotRunner = field(init=False)
    handoff: HandoffService = field(init=False)
    webhooks: WebhookEmitter = field(init=False)
    console: ConsoleNotifier = field(init=False)
    support_hours: SupportHours = field(init=False)
    widget_origins: WidgetOrigins = field(init=False)
    open_connections: int = 0
    # API requests per second and open chat sockets per client address (in Redis across
    # replicas in scaled mode); None: built from the settings, in-process.
    api_limits: AddressLimits | None = None
    connection_caps: ConnectionCaps | None = None

    def __post_init__(self) -> None:
        if self.api_limits is None:
            self.api_limits = InProcessAddressLimits(
                self.settings.api_requests_per_second, self.settings.api_request_burst
            )
        if self.connection_caps is None:
            self.connection_caps = InProcessConnectionCaps(
                self.settings.max_connections_per_address
            )
        self.support_hours = SupportHours.parse(self.settings.support_hours)
        self.widget_origins = WidgetOrigins.parse(self.settings.widget_origins)
        self.bot = BotRunner(self)
        self.handoff = HandoffService(self)
        self.console = ConsoleNotifier(self)
        self.webhooks = WebhookEmitter(self)

    @classmethod
    def build(cls, settings: Settings, *, assistant: AssistantHolder | None = None) -> Services:
        hub: Hub
        locks: Locks
        presence: Presence
        login: SignInThrottle = InProcessThrottle(5, 300.0)
        address: SignInThrottle = InProcessThrottle(30, 300.0)
        api_limits: AddressLimits | None = None
        caps: ConnectionCaps | None = None
        if settings.redis_url:
            from redis.asyncio import Redis

            from app.auth.redis_throttle import RedisThrottle
            from app.handoff.presence import RedisPresence
            from app.realtime.redis_hub import RedisHub, RedisLocks
            from app.redis_limits import RedisAddressLimits, RedisConnectionCaps

            hub = RedisHub(Redis.from_url(settings.redis_url))
            locks = RedisLocks(Redis.from_url(settings.redis_url))
            presence = RedisPresence(Redis.from_url(settings.redis_url))
            shared = Redis.from_url(settings.redis_url)
            login = RedisThrottle(shared, name="user", max_failures=5)
            address = RedisThrottle(shared, name="address", max_failures=30)
            api_limits = RedisAddressLimits(
                shared,
                name="api",
                rate=settings.api_requests_per_second,
                burst=settings.api_request_burst,
            )
            caps = RedisConnectionCaps(shared, per_address=settings.max_connections_per_address)
        else:
            hub, locks, presence = InProcessHub(), InProcessLocks(), InProcessPresence()
        db = Database(settings.resolved_database_url)
        knowledge = KnowledgeBase(settings)
        knowledge.load()
        chat_model = chat_model_for(settings)
        if not settings.model_enabled or settings.model_url:
            # Without an in-process language model, torch only runs the NLU's small models
            # on the event loop: one intra-op thread; more only spin against the other
            # replicas and the database on a busy machine.
            import torch

            torch.set_num_threads(1)
        answers = GraphAnswers(
            knowledge, KnowledgeAnswerer(chat_model, store_name=settings.business_name)
        )
        return cls(
            settings=settings,
            db=db,
            hub=hub,
            locks=locks,
            presence=presence,
            jobs=Jobs(create_celery(settings)),
            knowledge=knowledge,
            chat_model=chat_model,
            answers=answers,
            login_throttle=login,
            address_throttle=address,
            api_limits=api_limits,
            connection_caps=caps,
            assistant=assistant
            or AssistantHolder.load(
                settings,
                orders=SqlOrderStore(db),
                knowledge=answers,
                entity_names=surface_forms(knowledge.live.current.graph),
            ),
        )

    async def aclose(self) -> None:
        await self.bot.drain()
        await self.jobs.drain()
        await self.hub.aclose()
        closer = getattr(self.chat_model, "aclose", None)
        if closer is not None:
            await closer()
        self.knowledge.close()
        await self.db.dispose()
