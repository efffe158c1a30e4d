"""What the console shows about conversations, read from the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Conversation, ConversationStatus, Message, User

PREVIEW_CHARS = 140
_ORDER = case(
    (Conversation.status == ConversationStatus.PENDING, 0),
    (Conversation.status == ConversationStatus.ASSIGNED, 1),
    (Conversation.status == ConversationStatus.BOT, 2),
    else_=3,
)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


async def conversation_rows(
    session: AsyncSession, *, ids: Sequence[str] | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Rows for the conversation list: pending first (longest waiting first), then the rest."""
    query = (
        select(Conversation, User.display_name, Message.role, Message.text, Message.created_at)
        .outerjoin(User, User.id == Conversation.assigned_agent_id)
        .outerjoin(
            Message,
            and_(Message.conversation_id == Conversation.id, Message.seq == Conversation.last_seq),
        )
        .order_by(_ORDER, Conversation.status_changed_at, Conversation.updated_at.desc())
        .limit(limit)
    )
    if ids is not None:
        query = query.where(Conversation.id.in_(ids))
    rows = []
    for conversation, agent, role, text, at in (await session.execute(query)).all():
        rows.append(
            {
                "id": conversation.id,
                "status": conversation.status,
                "language": conversation.language or conversation.locale,
                "last_intent": conversation.last_intent,
                "agent": agent,
                "agent_id": conversation.assigned_agent_id,
                "status_changed_at": _iso(conversation.status_changed_at),
                "created_at": _iso(conversation.created_at),
                "updated_at": _iso(conversation.updated_at),
                "last_seq": conversation.last_seq,
                "customer_read_seq": conversation.customer_read_seq,
                "agent_read_seq": conversation.agent_read_seq,
                "csat_score": conversation.csat_score,
                "last_message": None
                if role is None
                else {"role": role, "text": (text or "")[:PREVIEW_CHARS], "created_at": _iso(at)},
            }
        )
    return rows
