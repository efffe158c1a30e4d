"""Embedded mode's periodic jobs: what ``kefu beat`` does in scaled mode, inside the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from app.tasks.submit import Jobs

log = logging.getLogger(__name__)


async def run_periodic(jobs: Jobs, *, tick: float = 15.0) -> None:
    """Due webhooks every tick; retention, yesterday's export and the NLU evaluation once a
    day (and at start-up, so a fresh install has a report)."""
    last_daily: str | None = None
    while True:
        jobs.submit("kefu.deliver_due_webhooks")
        today = datetime.now(UTC).date().isoformat()
        if today != last_daily:
            last_daily = today
            jobs.submit("kefu.apply_retention", today)
            yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
            jobs.submit("kefu.export_transcripts", yesterday, "json")
            jobs.submit("kefu.evaluate_nlu", today)
        await asyncio.sleep(tick)


async def watch(check: Callable[[], Awaitable[object]], *, every: float) -> None:
    """Run ``check`` every ``every`` seconds, logging (not raising) its failures."""
    while True:
        await asyncio.sleep(every)
        try:
            await check()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("periodic check failed")
