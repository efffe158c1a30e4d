"""Realtime fan-out and per-conversation locks: in-process (embedded) or Redis (scaled)."""

from app.realtime.fanout import (
    CONSOLE_CHANNEL,
    publish_message,
    to_agents,
    to_customer,
)
from app.realtime.hub import Hub, InProcessHub, Subscription, conversation_channel
from app.realtime.locks import InProcessLocks, Locks

__all__ = [
    "CONSOLE_CHANNEL",
    "Hub",
    "InProcessHub",
    "InProcessLocks",
    "Locks",
    "Subscription",
    "conversation_channel",
    "publish_message",
    "to_agents",
    "to_customer",
]
