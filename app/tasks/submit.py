"""Submitting jobs from the async app without blocking its event loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from celery import Celery

log = logging.getLogger(__name__)


class Jobs:
    """``submit`` hands a task to the Celery broker, or runs it in a thread when eager."""

    def __init__(self, celery: Celery) -> None:
        self.celery = celery
        self._running: set[asyncio.Task[Any]] = set()

    @property
    def eager(self) -> bool:
        return bool(self.celery.conf.task_always_eager)

    def submit(self, name: str, *args: Any, **kwargs: Any) -> None:
        task = asyncio.create_task(self._submit(name, args, kwargs))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _submit(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        task = self.celery.tasks[name]
        try:
            if self.eager:
                await asyncio.to_thread(task.apply, args=args, kwargs=kwargs)
            else:
                await asyncio.to_thread(task.apply_async, args=args, kwargs=kwargs)
        except Exception:
            log.exception("job %s failed to run or to be queued", name)

    async def drain(self) -> None:
        while self._running:
            await asyncio.gather(*tuple(self._running), return_exceptions=True)
