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
    """Publishes conversation rows to the consoles.

    ``conversation_changed`` publishes at once (status changes); ``conversation_changed_soon``
    collects ids for ``FLUSH_SECONDS`` and reads all their rows in one query, so a busy
    minute costs the database a few queries, not one per message.
    """

    FLUSH_SECONDS = 0.25
    BATCH = 200

    def __init__(self, services: Services) -> None:
        self.services = services
        self._pending: set[str] = set()
        self._flusher: asyncio.Task[None] | None = None

    def conversation_changed_soon(self, conversation_id: str) -> None:
        """Publish this conversation's row within ``FLUSH_SECONDS``, batched with others."""
        self._pending.add(conversation_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        # No await between the emptiness check and returning: an id added while this
        # task runs is either taken by the next round or starts a new flusher.
        while self._pending:
            await asyncio.sleep(self.FLUSH_SECONDS)
            ids, self._pending = sorted(self._pending), set()
            for start in range(0, len(ids), self.BATCH):
                await self._publish(ids[start : start + self.BATCH])

    async def conversation_changed(self, conversation_id: str) -> None:
        await self._publish([conversation_id])

    async def _publish(self, ids: list[str]) -> None:
        try:
            async with self.services.db.session() as session:
                rows = await conversation_rows(session, ids=ids, limit=len(ids))
        except Exception:
            log.exception("could not read conversations %s for the console", ids[:5])
            return
        for row in rows:
            await self.services.hub.publish(
                CONSOLE_CHANNEL, {"type": "conversation", "conversation": row}
            )
