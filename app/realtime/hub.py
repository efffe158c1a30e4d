"""Publish/subscribe of protocol frames between connections (widget, consoles, replicas).

Delivery is best effort: a subscriber that falls behind loses frames. Message frames carry
``seq``, and receivers fill any gap from the database, so nothing stored is ever lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol

SUBSCRIBER_QUEUE_SIZE = 1000


def conversation_channel(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


class Subscription:
    """Frames published on one channel after ``subscribe`` returned, in order."""

    def __init__(self, hub: InProcessHub, channel: str) -> None:
        self.channel = channel
        self._hub = hub
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_QUEUE_SIZE)
        self.dropped = 0

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self.queue.get()

    def close(self) -> None:
        self._hub._remove(self)


class Hub(Protocol):
    async def publish(self, channel: str, frame: dict[str, Any]) -> None: ...

    async def subscribe(self, channel: str) -> Subscription:
        """Frames published after this returns reach the subscription."""
        ...

    async def aclose(self) -> None: ...


class InProcessHub:
    """The embedded mode's hub: every subscriber lives in this process."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}

    async def publish(self, channel: str, frame: dict[str, Any]) -> None:
        self.deliver(channel, frame)

    def deliver(self, channel: str, frame: dict[str, Any]) -> None:
        for subscription in tuple(self._subscribers.get(channel, ())):
            try:
                subscription.queue.put_nowait(frame)
            except asyncio.QueueFull:
                subscription.dropped += 1

    async def subscribe(self, channel: str) -> Subscription:
        return self.subscribe_now(channel)

    def subscribe_now(self, channel: str) -> Subscription:
        subscription = Subscription(self, channel)
        self._subscribers.setdefault(channel, set()).add(subscription)
        return subscription

    def _remove(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.channel)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.channel]

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            self._subscribers.clear()
