"""Emitting webhook events from the app: outbox row first, then a delivery job."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from app.db.conversations import StoredMessage
from app.webhooks import outbox

if TYPE_CHECKING:
    from app.services import Services

log = logging.getLogger(__name__)


class WebhookEmitter:
    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def enabled(self) -> bool:
        return bool(self.services.settings.webhook_url)

    async def emit(self, event: str, data: dict[str, Any]) -> None:
        """Record ``event`` for delivery (nothing when no webhook is configured).

        A failure to record is logged, not raised: the customer's conversation goes on.
        """
        if not self.enabled:
            return
        try:
            delivery_id = await outbox.record(self.services.db, event, data)
        except Exception:
            log.exception("could not record webhook event %s", event)
            return
        self.services.jobs.submit("kefu.deliver_webhook", delivery_id)

    async def emit_message(self, message: StoredMessage) -> None:
        await self.emit(
            "message",
            {
                "conversation_id": message.conversation_id,
                "seq": message.seq,
                "role": message.role,
                "text": message.text,
                "created_at": message.created_at.isoformat(),
                "agent": message.extra.get("agent"),
            },
        )
