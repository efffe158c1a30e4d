"""The bot's side of a conversation.

``kick(conversation_id)`` makes sure every customer message past the conversation's
``bot_cursor`` gets handled, one turn at a time under the conversation's lock. A turn's
replies, tracker events and the cursor move are committed together, so a crash mid-turn
leaves the message unhandled and the next kick (a resume, a restart) handles it again.
A turn starts from the tracker snapshot the conversation's previous turn left
(:mod:`app.bot.snapshots`) and loads only the events stored after it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from app.bot.snapshots import SnapshotCache
from app.db import conversations as store
from app.db.models import Conversation, ConversationStatus, Message, Role, utcnow
from app.realtime import publish_message, to_agents, to_customer
from dialogue.engine import BotReply, TurnOutcome

if TYPE_CHECKING:
    from app.services import Services

log = logging.getLogger(__name__)

NO_REPLY = {
    "en": "Sorry, I didn't quite get that. Could you rephrase it, or ask to talk to a person?",
    "zh": "抱歉，我没有完全理解。您能换个说法吗？也可以让我为您转接人工客服。",
}
APOLOGY = {
    "en": "Sorry, something went wrong on our side. Please try again in a moment.",
    "zh": "抱歉，我们这边出了点问题，请稍后再试。",
}


class BotRunner:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._tasks: set[asyncio.Task[None]] = set()
        self.snapshots = SnapshotCache(services.settings.tracker_snapshot_events)

    def kick(self, conversation_id: str) -> None:
        """Handle this conversation's unhandled customer messages soon (fire and forget)."""
        task = asyncio.create_task(self._run(conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the turns in flight (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*tuple(self._tasks), return_exceptions=True)

    async def recover(self) -> int:
        """Kick every conversation left with unhandled messages (start-up after a crash)."""
        async with self.services.db.session() as session:
            pending = await store.conversations_with_unhandled_messages(session)
        for conversation_id in pending:
            self.kick(conversation_id)
        return len(pending)

    async def _run(self, conversation_id: str) -> None:
        try:
            async with self.services.locks.hold(conversation_id):
                while await self._handle_next(conversation_id):
                    pass
        except Exception:
            log.exception("bot turn failed for conversation %s", conversation_id)

    async def _handle_next(self, conversation_id: str) -> bool:
        """Handle the oldest unhandled customer message; False when there is none."""
        db = self.services.db
        async with db.session() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None or conversation.status != ConversationStatus.BOT:
                return False
            message = (
                await session.execute(
                    select(Message)
                    .where(
                        Message.conversation_id == conversation_id,
                        Message.role == Role.CUSTOMER,
                        Message.seq > conversation.bot_cursor,
                    )
                    .order_by(Message.seq)
                    .limit(1)
                )
            ).scalar_one_or_none()
            if message is None:
                return False
            snapshot = self.snapshots.take(conversation_id)
            if snapshot is not None and snapshot.size > await store.stored_event_count(
                session, conversation_id=conversation_id
            ):
                snapshot = None  # its events were deleted since (retention's redaction)
            stored = snapshot.size if snapshot is not None else 0
            history = await store.load_events(
                session, conversation_id=conversation_id, start=stored
            )
            locale = conversation.locale
            text, seq = message.text, message.seq

        hub = self.services.hub
        await to_customer(hub, conversation_id, {"type": "typing", "role": "bot", "on": True})
        started = time.perf_counter()
        try:
            outcome = await self.services.assistant.engine.handle(
                history=history,
                text=text,
                message_seq=seq,
                locale=locale,
                conversation_id=conversation_id,
                snapshot=snapshot,
            )
        except Exception:
            log.exception("dialogue engine failed on conversation %s seq %d", conversation_id, seq)
            self.services.metrics.turn_failures.inc()
            outcome = TurnOutcome(
                events=(), replies=(BotReply(text=APOLOGY["zh" if locale == "zh" else "en"]),)
            )
        self.services.metrics.turn_seconds.labels(stage="engine").observe(
            time.perf_counter() - started
        )
        for stage, seconds in outcome.timings.items():
            self.services.metrics.turn_seconds.labels(stage=stage).observe(seconds)
        if outcome.fallback:
            self.services.metrics.fallbacks.inc()
        for reply in outcome.replies:
            # Delivered claims by status, and what the checker caught in the model's draft
            # before repair (those never reached the customer).
            for key in ("claims", "repaired_claims"):
                for claim in reply.extra.get(key) or ():
                    self.services.metrics.claims.labels(status=str(claim.get("status"))).inc()
        if not any(r.text.strip() for r in outcome.replies) and not outcome.handoff_requested:
            # The customer is never left without an answer, whatever the policies decided.
            log.error("conversation %s seq %d: the engine sent no reply", conversation_id, seq)
            self.services.metrics.silent_turns.inc()
            language = outcome.parse.language if outcome.parse else (locale or "en")
            outcome = replace(
                outcome,
                replies=(BotReply(text=NO_REPLY["zh" if language == "zh" else "en"]),),
            )
        replies = await self._commit_turn(conversation_id, seq, stored + len(history), outcome)
        if outcome.snapshot is not None:
            self.snapshots.keep(conversation_id, outcome.snapshot)
        for message_out in replies:
            self.services.metrics.messages.labels(role=Role.BOT).inc()
            await publish_message(hub, message_out)
            await self.services.webhooks.emit_message(message_out)
        await to_customer(hub, conversation_id, {"type": "typing", "role": "bot", "on": False})
        if outcome.parse is not None:
            await to_agents(
                hub,
                conversation_id,
                {
                    "type": "turn",
                    "parse": outcome.parse.to_dict(),
                    "slots": dict(outcome.slots),
                },
            )
        if outcome.handoff_requested:
            # The bot's own reply told the customer what happens next (or that agents are
            # away): the status change needs no second notice.
            await self.services.handoff.request(
                conversation_id, reason="bot", locked=True, quiet=True
            )
        else:
            self.services.console.conversation_changed_soon(conversation_id)
        self.services.metrics.turn_seconds.labels(stage="total").observe(
            time.perf_counter() - started
        )
        return True

    async def _commit_turn(
        self, conversation_id: str, seq: int, n_events: int, outcome: TurnOutcome
    ) -> list[store.StoredMessage]:
        async with self.services.db.session() as session:
            replies = [r for r in outcome.replies if r.text.strip()]
            last_seq = (
                await session.execute(
                    update(Conversation)
                    .where(Conversation.id == conversation_id)
                    .values(
                        last_seq=Conversation.last_seq + len(replies),
                        bot_cursor=seq,
                        updated_at=utcnow(),
                        **_parse_fields(outcome),
                    )
                    .returning(Conversation.last_seq)
                )
            ).scalar_one()
            rows: list[Message] = []
            for offset, reply in enumerate(replies):
                extra: dict[str, Any] = dict(reply.extra)
                if reply.buttons:
                    extra["buttons"] = [dict(b) for b in reply.buttons]
                row = Message(
                    conversation_id=conversation_id,
                    seq=last_seq - len(replies) + 1 + offset,
                    role=Role.BOT,
                    text=reply.text,
                    extra=extra,
                    created_at=utcnow(),
                )
                session.add(row)
                rows.append(row)
            store.add_events(
                session,
                conversation_id=conversation_id,
                start_idx=n_events,
                events=outcome.events,
            )
            await session.commit()
            return [store.StoredMessage.from_row(r) for r in rows]


def _parse_fields(outcome: TurnOutcome) -> dict[str, Any]:
    """What the console lists about the customer's latest message."""
    if outcome.parse is None:
        return {}
    return {"language": outcome.parse.language, "last_intent": outcome.parse.intent.name[:64]}
