"""Outbound webhooks: events stored in an outbox, delivered signed, retried, dead-lettered."""

from app.webhooks.signing import sign, verify

__all__ = ["sign", "verify"]
