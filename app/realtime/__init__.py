"""Realtime fan-out and per-conversation locks: in-process (embedded) or Redis (scaled)."""

from app.realtime.hub import Hub, InProcessHub, Subscription, conversation_channel
from app.realtime.locks import InProcessLocks, Locks

__all__ = [
    "Hub",
    "InProcessHub",
    "InProcessLocks",
    "Locks",
    "Subscription",
    "conversation_channel",
]
