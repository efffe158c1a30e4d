"""Status changes of conversations, stored and broadcast.

Each change runs in one transaction (row lock on PostgreSQL, the write lock on SQLite):
the status, a ``handoff`` tracker event and a system message for the customer are
committed together, then the customer's widget and every console are told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import conversations as store
from app.db.models import Conversation, Message, Role, TrackerEvent, User, utcnow
from app.db.models import ConversationStatus as Status
from app.handoff.states import HandoffError, check_transition
from app.realtime import publish_message, to_customer

if TYPE_CHECKING:
    from app.services import Services

log = logging.getLogger(__name__)

NOTICES: dict[str, dict[str, str]] = {
    "pending": {
        "en": "I'm connecting you with a member of our team. Please stay here; an agent will be with you shortly.",
        "zh": "正在为您转接人工客服，请稍候，客服人员马上就来。",
    },
    "pending_closed": {
        "en": "Our agents are available Monday to Friday, 09:00–18:00 (UTC+8). Leave your message here and an agent will reply by email within 1 business day.",
        "zh": "人工客服服务时间为周一至周五 09:00–18:00（UTC+8）。请在此留言，客服会在 1 个工作日内通过邮件回复您。",
    },
    "assigned": {"en": "{agent} joined the conversation.", "zh": "客服 {agent} 已加入对话。"},
    "resolved": {
        "en": "This conversation was marked as resolved. How did we do? Rate us from 1 to 5.",
        "zh": "本次对话已结束。请为我们的服务打分（1–5 分）。",
    },
    "bot": {
        "en": "You're chatting with our assistant again. Ask me anything.",
        "zh": "您已回到智能助手，有问题随时问我。",
    },
}


@dataclass(frozen=True, slots=True)
class Change:
    conversation_id: str
    status: str
    agent: str | None
    notice: store.StoredMessage | None


def _language(conversation: Conversation) -> str:
    return "zh" if (conversation.language or conversation.locale) == "zh" else "en"


class HandoffService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._tasks: set[asyncio.Task[Any]] = set()

    def agents_available(self, now: datetime | None = None) -> bool:
        return self.services.support_hours.open_at(now or datetime.now(UTC))

    # --- the transitions ----------------------------------------------------------------

    async def request(
        self, conversation_id: str, *, reason: str, locked: bool = False, quiet: bool = False
    ) -> Change | None:
        """The customer (or the bot's fallback) asks for a person: bot -> pending, then assign.

        ``quiet``: no system message (the bot already said what happens next)."""
        change = await self._change(
            conversation_id, Status.PENDING, reason=reason, locked=locked, quiet=quiet
        )
        if change is not None:
            self.services.metrics.handoffs.labels(reason=reason).inc()
            if locked:
                # Assigning takes this conversation's lock, which our caller holds: later.
                self._spawn(self.auto_assign())
            else:
                await self.auto_assign()
        return change

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def take_over(self, conversation_id: str, *, agent_id: int) -> Change | None:
        change = await self._change(
            conversation_id, Status.ASSIGNED, agent_id=agent_id, reason="take_over"
        )
        if change is not None:
            self.services.metrics.take_overs.inc()
        return change

    async def resolve(self, conversation_id: str, *, agent_id: int | None) -> Change | None:
        return await self._change(
            conversation_id, Status.RESOLVED, agent_id=agent_id, reason="resolved"
        )

    async def hand_back(self, conversation_id: str, *, agent_id: int | None) -> Change | None:
        return await self._change(
            conversation_id, Status.BOT, agent_id=agent_id, reason="hand_back"
        )

    async def reopen(self, conversation_id: str, *, from_seq: int) -> Change | None:
        """A customer writes in a resolved conversation: the bot takes it again and answers
        from message ``from_seq`` on."""
        return await self._change(
            conversation_id,
            Status.BOT,
            reason="customer_returned",
            quiet=True,
            bot_from_seq=from_seq,
        )

    async def auto_assign(self) -> int:
        """Give pending conversations, oldest first, to the least-loaded online agents."""
        online = await self.services.presence.online()
        if not online:
            return 0
        capacity = self.services.settings.agent_capacity
        assigned = 0
        async with self.services.db.session() as session:
            pending = list(
                (
                    await session.execute(
                        select(Conversation.id)
                        .where(Conversation.status == Status.PENDING)
                        .order_by(Conversation.status_changed_at)
                        .limit(100)
                    )
                ).scalars()
            )
            loads = await _loads(session, online)
        for conversation_id in pending:
            agent_id, load = min(loads.items(), key=lambda kv: (kv[1], kv[0]))
            if load >= capacity:
                break
            try:
                change = await self._change(
                    conversation_id,
                    Status.ASSIGNED,
                    agent_id=agent_id,
                    reason="auto_assign",
                    only_from=Status.PENDING,
                )
            except HandoffError:
                continue
            if change is not None:
                loads[agent_id] += 1
                assigned += 1
        return assigned

    # --- the mechanism ------------------------------------------------------------------

    async def _change(
        self,
        conversation_id: str,
        target: Status,
        *,
        reason: str,
        agent_id: int | None = None,
        only_from: Status | None = None,
        quiet: bool = False,
        locked: bool = False,
        bot_from_seq: int | None = None,
    ) -> Change | None:
        """Apply one status change; None when the conversation is already there (no-op).

        Takes the conversation's lock (tracker events are appended in order) unless the
        caller holds it already (``locked=True``, the bot runner inside a turn).
        """
        if not locked:
            async with self.services.locks.hold(conversation_id):
                return await self._change(
                    conversation_id,
                    target,
                    reason=reason,
                    agent_id=agent_id,
                    only_from=only_from,
                    quiet=quiet,
                    locked=True,
                    bot_from_seq=bot_from_seq,
                )
        async with self.services.db.session() as session:
            conversation = (
                await session.execute(
                    select(Conversation).where(Conversation.id == conversation_id).with_for_update()
                )
            ).scalar_one_or_none()
            if conversation is None:
                raise HandoffError(f"unknown conversation {conversation_id}")
            if only_from is not None and conversation.status != only_from:
                return None
            if conversation.status == target and (
                target != Status.ASSIGNED or conversation.assigned_agent_id == agent_id
            ):
                return None
            check_transition(conversation.status, target)
            agent = await session.get(User, agent_id) if agent_id is not None else None
            conversation.status = target
            conversation.status_changed_at = utcnow()
            if target == Status.ASSIGNED:
                conversation.assigned_agent_id = agent_id
            elif target == Status.BOT:
                conversation.assigned_agent_id = None
                # The bot answers what comes next, not what was said to the humans.
                conversation.bot_cursor = (
                    conversation.last_seq if bot_from_seq is None else bot_from_seq - 1
                )
            n_events = await _event_count(session, conversation_id)
            store.add_events(
                session,
                conversation_id=conversation_id,
                start_idx=n_events,
                events=[
                    {
                        "event": "handoff",
                        "status": str(target),
                        "reason": reason,
                        "agent": agent.display_name if agent else None,
                        "timestamp": utcnow().timestamp(),
                    }
                ],
            )
            notice_text = None if quiet else self._notice(conversation, target, agent)
            notice = None
            if notice_text is not None:
                conversation.last_seq += 1
                row = Message(
                    conversation_id=conversation_id,
                    seq=conversation.last_seq,
                    role=Role.SYSTEM,
                    text=notice_text,
                    extra={"status": str(target)},
                    created_at=utcnow(),
                )
                session.add(row)
                await session.flush()
                notice = store.StoredMessage.from_row(row)
            await session.commit()
            agent_name = agent.display_name if (agent and target == Status.ASSIGNED) else None
        change = Change(conversation_id, str(target), agent_name, notice)
        await self._broadcast(change)
        log.info("conversation %s -> %s (%s)", conversation_id, target, reason)
        return change

    def _notice(self, conversation: Conversation, target: Status, agent: User | None) -> str | None:
        language = _language(conversation)
        if target == Status.PENDING:
            key = "pending" if self.agents_available() else "pending_closed"
            return NOTICES[key][language]
        if target == Status.ASSIGNED:
            return NOTICES["assigned"][language].format(agent=agent.display_name if agent else "")
        return NOTICES[str(target)][language]

    async def _broadcast(self, change: Change) -> None:
        hub = self.services.hub
        status_frame: dict[str, Any] = {
            "type": "status",
            "status": change.status,
            "agent": change.agent,
        }
        if change.status == Status.PENDING:
            status_frame["agents_available"] = self.agents_available()
        if change.notice is not None:
            await publish_message(hub, change.notice)
        await to_customer(hub, change.conversation_id, status_frame)
        await self.services.console.conversation_changed(change.conversation_id)
        if change.status in (Status.PENDING, Status.ASSIGNED, Status.RESOLVED):
            self.services.jobs.submit("kefu.summarize_conversation", change.conversation_id)
            event = "resolved" if change.status == Status.RESOLVED else "handoff"
            await self.services.webhooks.emit(
                event,
                {
                    "conversation_id": change.conversation_id,
                    "status": change.status,
                    "agent": change.agent,
                },
            )


async def _event_count(session: AsyncSession, conversation_id: str) -> int:
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(TrackerEvent)
                .where(TrackerEvent.conversation_id == conversation_id)
            )
        ).scalar_one()
    )


async def _loads(session: AsyncSession, agents: set[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Conversation.assigned_agent_id, func.count())
        .where(Conversation.status == Status.ASSIGNED, Conversation.assigned_agent_id.in_(agents))
        .group_by(Conversation.assigned_agent_id)
    )
    loads = dict.fromkeys(agents, 0)
    for agent_id, count in rows:
        if agent_id is not None:
            loads[int(agent_id)] = int(count)
    return loads
