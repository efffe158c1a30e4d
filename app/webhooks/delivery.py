"""Delivering outbox rows (sync: runs in Celery workers or a thread).

A delivery is sent only while its row says ``pending`` and is due; success marks it
``delivered``; a failure schedules the next try with exponential backoff and jitter, and
the last failure marks it ``dead`` (the dead-letter record stays for inspection). Running
any of this twice never delivers twice what was recorded as delivered.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.models import WebhookDelivery, WebhookStatus
from app.webhooks.signing import sign

log = logging.getLogger(__name__)
BASE_DELAY = 2.0  # seconds before the 2nd try; doubles each time
MAX_DELAY = 3600.0
TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    url: str
    secret: str
    max_attempts: int = 6


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``attempts`` failed tries: 2, 4, 8, ... capped, with ±20% jitter."""
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempts - 1))
    return delay * (0.8 + 0.4 * (rng or random).random())


LEASE = timedelta(seconds=60)


def deliver(session: Session, delivery_id: str, target: WebhookTarget, client: httpx.Client) -> str:
    """Try one delivery if it is pending and due; returns its status afterwards.

    The row is claimed first (its next try pushed one lease ahead, atomically), so two
    workers never send it at once; the HTTP call happens outside any transaction.
    """
    now = datetime.now(UTC)
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == WebhookStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
    )
    session.commit()
    row = session.get(WebhookDelivery, delivery_id)
    if row is None:
        return "missing"
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return row.status
    body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    error: str | None = None
    try:
        response = client.post(
            target.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Kefu-Event": row.event,
                "X-Kefu-Delivery": row.id,
                "X-Kefu-Timestamp": str(timestamp),
                "X-Kefu-Signature": sign(target.secret, timestamp, body),
            },
            timeout=TIMEOUT,
        )
        if not 200 <= response.status_code < 300:
            error = f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    row.attempts += 1
    finished = datetime.now(UTC)
    if error is None:
        row.status = WebhookStatus.DELIVERED
        row.delivered_at = finished
        row.last_error = None
    elif row.attempts >= target.max_attempts:
        row.status = WebhookStatus.DEAD
        row.last_error = error
        log.error(
            "webhook %s (%s) is dead after %d tries: %s", row.id, row.event, row.attempts, error
        )
    else:
        row.last_error = error
        row.next_attempt_at = finished + timedelta(seconds=backoff(row.attempts))
        log.warning("webhook %s try %d failed: %s", row.id, row.attempts, error)
    session.commit()
    return row.status


def due_deliveries(session: Session, limit: int = 100) -> list[str]:
    rows = session.execute(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == WebhookStatus.PENDING,
            WebhookDelivery.next_attempt_at <= datetime.now(UTC),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    ).scalars()
    return list(rows)


def requeue_dead(session: Session, delivery_id: str) -> bool:
    """Give a dead letter another round of tries (an operator fixed the receiver)."""
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == WebhookStatus.DEAD)
        .values(status=WebhookStatus.PENDING, attempts=0, next_attempt_at=datetime.now(UTC))
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]
