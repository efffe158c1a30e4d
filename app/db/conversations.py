"""Data functions for conversations and their messages.

Every function takes an ``AsyncSession`` and keyword-only arguments and commits what it
writes before returning, so that a caller can acknowledge to a client only what is durable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Conversation, ConversationStatus, Message, Role, TrackerEvent, utcnow


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as it is in the database: what the protocol's ``message`` frame carries."""

    conversation_id: str
    seq: int
    role: str
    text: str
    created_at: datetime
    client_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Message) -> StoredMessage:
        return cls(
            conversation_id=row.conversation_id,
            seq=row.seq,
            role=row.role,
            text=row.text,
            created_at=row.created_at,
            client_id=row.client_id,
            extra=dict(row.extra or {}),
        )


@dataclass(frozen=True, slots=True)
class AppendResult:
    message: StoredMessage
    duplicate: bool  # True: this client_id was stored before; nothing new was written
    status: str  # the conversation's status when the message was stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_conversation(
    session: AsyncSession, *, locale: str | None
) -> tuple[Conversation, str]:
    """Start a conversation; returns it with its resume token (shown to the client only)."""
    token = secrets.token_urlsafe(32)
    conversation = Conversation(
        id=uuid.uuid4().hex,
        resume_token_hash=hash_token(token),
        status=ConversationStatus.BOT,
        locale=locale,
        last_seq=0,
        bot_cursor=0,
    )
    session.add(conversation)
    await session.commit()
    return conversation, token


async def authorize_resume(
    session: AsyncSession, *, conversation_id: str, token: str
) -> Conversation | None:
    """The conversation if ``token`` is its resume token, else None (unknown id or wrong token)."""
    conversation = await session.get(Conversation, conversation_id)
    expected = conversation.resume_token_hash if conversation else hash_token("")
    # Compare even for unknown ids so timing does not tell which ids exist.
    ok = hmac.compare_digest(expected, hash_token(token))
    return conversation if (conversation is not None and ok) else None


async def append_message(
    session: AsyncSession,
    *,
    conversation_id: str,
    role: Role | str,
    text: str,
    client_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> AppendResult:
    """Store one message with the conversation's next seq and commit it.

    A ``client_id`` already stored in this conversation returns the stored message with
    ``duplicate=True`` and writes nothing: resending is safe.
    """
    for _attempt in range(3):
        # Take the write lock first (the seq counter), then look for a duplicate: on SQLite
        # a read that later upgrades to a write can fail instead of waiting.
        seq, status = (
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(last_seq=Conversation.last_seq + 1, updated_at=utcnow())
                .returning(Conversation.last_seq, Conversation.status)
            )
        ).one()
        if client_id is not None:
            existing = (
                await session.execute(
                    select(Message).where(
                        Message.conversation_id == conversation_id, Message.client_id == client_id
                    )
                )
            ).scalar_one_or_none()
            if existing is not None:
                stored = StoredMessage.from_row(existing)
                await session.rollback()
                return AppendResult(stored, duplicate=True, status=status)
        row = Message(
            conversation_id=conversation_id,
            seq=seq,
            role=str(role),
            text=text,
            client_id=client_id,
            extra=extra or {},
            created_at=utcnow(),
        )
        session.add(row)
        try:
            await session.commit()
        except IntegrityError:
            # A concurrent writer stored the same client_id first: read theirs back.
            await session.rollback()
            continue
        return AppendResult(StoredMessage.from_row(row), duplicate=False, status=status)
    raise RuntimeError(f"could not store a message in conversation {conversation_id}")


async def messages_after(
    session: AsyncSession, *, conversation_id: str, after_seq: int, limit: int = 1000
) -> list[StoredMessage]:
    rows = (
        await session.execute(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
            .order_by(Message.seq)
            .limit(limit)
        )
    ).scalars()
    return [StoredMessage.from_row(r) for r in rows]


async def load_events(
    session: AsyncSession, *, conversation_id: str, start: int = 0
) -> list[dict[str, Any]]:
    """The conversation's tracker events from index ``start`` on, in order."""
    # The data column alone: no ORM objects for a history read on every turn.
    rows = (
        await session.execute(
            select(TrackerEvent.data)
            .where(TrackerEvent.conversation_id == conversation_id, TrackerEvent.idx >= start)
            .order_by(TrackerEvent.idx)
        )
    ).scalars()
    return [dict(data) for data in rows]


async def stored_event_count(session: AsyncSession, *, conversation_id: str) -> int:
    """How many tracker events the conversation has (indexes run 0 .. count - 1)."""
    last = (
        await session.execute(
            select(func.max(TrackerEvent.idx)).where(
                TrackerEvent.conversation_id == conversation_id
            )
        )
    ).scalar_one_or_none()
    return 0 if last is None else int(last) + 1


def add_events(
    session: AsyncSession,
    *,
    conversation_id: str,
    start_idx: int,
    events: Sequence[Mapping[str, Any]],
) -> None:
    """Stage tracker events (``{"event": type, ...}`` dicts) in the caller's transaction."""
    for offset, data in enumerate(events):
        session.add(
            TrackerEvent(
                conversation_id=conversation_id,
                idx=start_idx + offset,
                type=str(data.get("event", "unknown")),
                data=dict(data),
                created_at=utcnow(),
            )
        )


async def conversations_with_unhandled_messages(session: AsyncSession) -> list[str]:
    """Conversations whose latest customer messages the bot has not handled (after a crash)."""
    rows = await session.execute(
        select(Message.conversation_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.role == Role.CUSTOMER,
            Message.seq > Conversation.bot_cursor,
            Conversation.status == ConversationStatus.BOT,
        )
        .distinct()
    )
    return [r[0] for r in rows]
