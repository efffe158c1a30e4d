"""Tells every console that a conversation's row changed."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from app.console.rows import conversation_rows
from app.realtime import CONSOLE_CHANNEL

if TYPE_CHECKING:
    from app.services import Services

log = logging.getLogger(__name__)


class ConsoleNotifier:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._scheduled: dict[str, asyncio.Task[None]] = {}

    def conversation_changed_soon(self, conversation_id: str) -> None:
        """Like ``conversation_changed`` without waiting; bursts for one conversation coalesce."""
        if conversation_id in self._scheduled:
            return
        task = asyncio.create_task(self._notify_later(conversation_id))
        self._scheduled[conversation_id] = task

    async def _notify_later(self, conversation_id: str) -> None:
        try:
            await asyncio.sleep(0.05)
        finally:
            self._scheduled.pop(conversation_id, None)
        await self.conversation_changed(conversation_id)

    async def conversation_changed(self, conversation_id: str) -> None:
        try:
            async with self.services.db.session() as session:
                rows = await conversation_rows(session, ids=[conversation_id], limit=1)
        except Exception:
            log.exception("could not read conversation %s for the console", conversation_id)
            return
        if rows:
            await self.services.hub.publish(
                CONSOLE_CHANNEL, {"type": "conversation", "conversation": rows[0]}
            )
