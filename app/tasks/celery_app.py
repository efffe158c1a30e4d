"""Building the Celery app from the settings (never at import time)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery
from celery.schedules import crontab

from app.settings import Settings
from app.tasks import jobs
from app.tasks.context import JobContext

# Periodic jobs (``kefu beat`` in scaled mode; the app's own scheduler in embedded mode).
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "deliver-due-webhooks": {
        "task": "kefu.deliver_due_webhooks",
        "schedule": timedelta(seconds=15),
    },
    "retrain-if-changed": {"task": "kefu.retrain_if_changed", "schedule": timedelta(minutes=5)},
    "retention": {"task": "kefu.apply_retention", "schedule": crontab(hour=3, minute=0)},
    "nightly-export": {"task": "kefu.export_transcripts", "schedule": crontab(hour=2, minute=30)},
    "nightly-nlu-evaluation": {"task": "kefu.evaluate_nlu", "schedule": crontab(hour=1, minute=30)},
}


def create_celery(settings: Settings) -> Celery:
    """A Celery app for these settings; without a broker URL tasks run eagerly in-process."""
    broker = settings.celery_broker_url or settings.redis_url
    celery = Celery("kefu", broker=broker or "memory://", backend=None)
    celery.conf.update(
        task_always_eager=broker is None,
        task_eager_propagates=True,
        task_acks_late=True,  # a worker that dies mid-task leaves it for another worker
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="kefu",
        broker_connection_retry_on_startup=True,
        beat_schedule=BEAT_SCHEDULE,
        timezone="UTC",
    )
    _register(celery, JobContext(settings))
    return celery


def _register(celery: Celery, ctx: JobContext) -> None:
    @celery.task(name="kefu.deliver_webhook")
    def deliver_webhook(delivery_id: str) -> str:
        return jobs.deliver_webhook(ctx, delivery_id)

    @celery.task(name="kefu.deliver_due_webhooks")
    def deliver_due_webhooks() -> dict[str, int]:
        return jobs.deliver_due_webhooks(ctx)

    @celery.task(name="kefu.summarize_conversation")
    def summarize_conversation(conversation_id: str) -> str | None:
        return jobs.summarize_conversation(ctx, conversation_id)

    @celery.task(name="kefu.apply_retention")
    def apply_retention(today: str | None = None) -> dict[str, Any]:
        return jobs.apply_retention(ctx, today=today)

    @celery.task(name="kefu.export_transcripts")
    def export_transcripts(day: str | None = None, fmt: str = "json") -> dict[str, Any]:
        from datetime import UTC, datetime

        yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        return jobs.export_transcripts(ctx, day=day or yesterday, fmt=fmt)

    @celery.task(name="kefu.evaluate_nlu")
    def evaluate_nlu(day: str | None = None) -> dict[str, Any]:
        from datetime import UTC, datetime

        return jobs.evaluate_nlu(ctx, day=day or datetime.now(UTC).date().isoformat())

    @celery.task(name="kefu.retrain_if_changed")
    def retrain_if_changed() -> str:
        return jobs.retrain_if_changed(ctx)

    # Kept for `kefu train --queue`-style callers of the first release.
    @celery.task(name="kefu.train_assistant")
    def train_assistant(project_dir: str | None = None) -> str:
        from app.bot import ensure_trained

        settings = ctx.settings
        if project_dir is not None:
            settings = settings.model_copy(update={"project_dir": project_dir})
        return str(ensure_trained(settings))
