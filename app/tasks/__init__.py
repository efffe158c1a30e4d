"""Background jobs on Celery: Redis as the broker in scaled mode, eager in embedded mode."""

from app.tasks.celery_app import create_celery

__all__ = ["create_celery"]
