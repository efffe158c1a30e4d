"""Realtime fan-out and per-conversation locks: in-process (embedded) or Redis (scaled)."""

from app.realtime.fanout import (
    CONSOLE_CHANNEL,
    SIGNED_OUT,
    publish_message,
    sign_out_consoles,
    to_agents,
    to_customer,
)
from app.realtime.hub import Hub, InProcessHub, Subscription, conversation_channel
from app.realtime.locks import InProcessLocks, Locks

__all__ = [
    "CONSOLE_CHANNEL",
    "SIGNED_OUT",
    "Hub",
    "InProcessHub",
    "InProcessLocks",
    "Locks",
    "Subscription",
    "conversation_channel",
    "publish_message",
    "sign_out_consoles",
    "to_agents",
    "to_customer",
]
