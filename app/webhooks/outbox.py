"""Recording webhook events from the app (async), in the caller's flow."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from app.db.engine import Database
from app.db.models import WebhookDelivery

EVENTS = frozenset({"conversation.created", "message", "handoff", "resolved", "csat"})


async def record(db: Database, event: str, data: dict[str, Any]) -> str:
    """Store one event for delivery; returns the delivery id (the receiver's idempotency key)."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}; one of {sorted(EVENTS)}")
    delivery_id = uuid.uuid4().hex
    payload = {
        "id": delivery_id,
        "event": event,
        "created_at": datetime.now(UTC).isoformat(),
        "data": data,
    }
    async with db.session() as session:
        session.add(WebhookDelivery(id=delivery_id, event=event, payload=payload))
        await session.commit()
    return delivery_id
