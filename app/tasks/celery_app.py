"""Building the Celery app from the settings (never at import time)."""

from __future__ import annotations

from typing import Any

from celery import Celery

from app.settings import Settings


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
        timezone="UTC",
    )
    celery.conf.kefu_settings = settings
    _register(celery)
    return celery


def _register(celery: Celery) -> None:
    @celery.task(name="kefu.train_assistant", bind=True, max_retries=2)
    def train_assistant(task: Any, project_dir: str | None = None) -> str:
        """Train the assistant project (no-op when a model for its content exists)."""
        from app.bot import ensure_trained

        settings: Settings = task.app.conf.kefu_settings
        if project_dir is not None:
            settings = settings.model_copy(update={"project_dir": project_dir})
        return str(ensure_trained(settings))
