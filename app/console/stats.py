"""Operations figures for admins, per day, from the database.

Volume (conversations, customer messages), handoff rate, bot resolution rate (no human
involved), CSAT, first response time (customer's first message to the first bot or agent
reply) and contradictions caught by the fact checker (claims stored with bot replies).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import fmean, median
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Conversation, Message, TrackerEvent


@dataclass
class Day:
    conversations: int = 0
    customer_messages: int = 0
    handoffs: int = 0
    csat: list[int] = field(default_factory=list)
    first_response_s: list[float] = field(default_factory=list)
    contradictions_caught: int = 0

    def figures(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "customer_messages": self.customer_messages,
            "handoff_rate": round(self.handoffs / self.conversations, 3)
            if self.conversations
            else None,
            "bot_resolution_rate": round(1 - self.handoffs / self.conversations, 3)
            if self.conversations
            else None,
            "csat_avg": round(fmean(self.csat), 2) if self.csat else None,
            "csat_count": len(self.csat),
            "first_response_median_s": round(median(self.first_response_s), 2)
            if self.first_response_s
            else None,
            "contradictions_caught": self.contradictions_caught,
        }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def daily_stats(
    session: AsyncSession, *, days: int, today: date | None = None
) -> dict[str, Any]:
    end_day = today or datetime.now(UTC).date()
    start = datetime.combine(end_day - timedelta(days=days - 1), datetime.min.time(), UTC)
    per_day: dict[date, Day] = defaultdict(Day)
    conversations = (
        await session.execute(
            select(Conversation.id, Conversation.created_at, Conversation.csat_score).where(
                Conversation.created_at >= start
            )
        )
    ).all()
    day_of: dict[str, date] = {}
    for cid, created, csat in conversations:
        day = _aware(created).date()
        day_of[cid] = day
        per_day[day].conversations += 1
        if csat is not None:
            per_day[day].csat.append(int(csat))
    if day_of:
        ids = list(day_of)
        handed = (
            await session.execute(
                select(TrackerEvent.conversation_id)
                .where(TrackerEvent.conversation_id.in_(ids), TrackerEvent.type == "handoff")
                .distinct()
            )
        ).scalars()
        for cid in handed:
            per_day[day_of[cid]].handoffs += 1
        firsts: dict[str, datetime] = {}
        replied: dict[str, datetime] = {}
        rows = await session.execute(
            select(Message.conversation_id, Message.role, Message.created_at, Message.extra)
            .where(Message.conversation_id.in_(ids))
            .order_by(Message.conversation_id, Message.seq)
        )
        for cid, role, created, extra in rows:
            if role == "customer":
                per_day[day_of[cid]].customer_messages += 1
                firsts.setdefault(cid, _aware(created))
            elif role in ("bot", "agent") and cid in firsts and cid not in replied:
                replied[cid] = _aware(created)
            for claim in (extra or {}).get("repaired_claims", []) or []:
                if claim.get("status") == "contradicted":
                    per_day[day_of[cid]].contradictions_caught += 1
        for cid, first in firsts.items():
            if cid in replied:
                per_day[day_of[cid]].first_response_s.append((replied[cid] - first).total_seconds())
    series = []
    for offset in range(days):
        day = end_day - timedelta(days=days - 1 - offset)
        series.append({"day": day.isoformat(), **per_day[day].figures()})
    total = Day()
    for figures in per_day.values():
        total.conversations += figures.conversations
        total.customer_messages += figures.customer_messages
        total.handoffs += figures.handoffs
        total.csat += figures.csat
        total.first_response_s += figures.first_response_s
        total.contradictions_caught += figures.contradictions_caught
    return {"days": series, "total": total.figures()}
