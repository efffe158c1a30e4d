"""Where a conversation's next turn starts: the tracker snapshot its last turn left.

A turn that starts from its conversation's snapshot folds only the events stored after it,
so the three-hundredth turn costs what the tenth does. Snapshots live in this process,
at most ``capacity`` events in all (memory grows with the events kept, not with the
conversations). Past it, the least recently used snapshot goes if it has been idle a while
(an ended chat); when every kept conversation is still active (more of them than fit, each
speaking in turn), a random one goes instead: least-recently-used would then always evict
the very conversation that speaks next, and no turn would find its snapshot. They stay right whatever other
replicas do: events are only ever appended (index by index), so a snapshot of the first
``size`` events is still their fold, and the events another replica stored since are
folded on top. The one exception, retention's redaction deleting a conversation's events,
leaves fewer stored events than the snapshot folded: the runner drops such a snapshot. A
conversation with no snapshot here (a restart, a new replica, evicted, a turn that failed)
is folded from its stored events once, and is constant-cost again after.
"""

from __future__ import annotations

import random
import time
from collections import OrderedDict
from collections.abc import Callable

from dialogue.turn import TrackerSnapshot

__all__ = ["SnapshotCache"]


class SnapshotCache:
    """Conversation id → the snapshot its last turn here handed back; at most ``capacity``
    events in all."""

    def __init__(
        self,
        capacity: int,
        *,
        idle_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if capacity < 0:
            raise ValueError(f"capacity is {capacity}; use 0 (keep none) or more events")
        self.capacity = capacity
        self.idle_s = idle_s
        self.events = 0
        self._clock = clock
        self._rng = rng or random.Random()
        # Least recently kept first: (snapshot, when it was kept).
        self._entries: OrderedDict[str, tuple[TrackerSnapshot, float]] = OrderedDict()

    def take(self, conversation_id: str) -> TrackerSnapshot | None:
        """The snapshot, removed: the turn that takes it changes it (a turn that fails
        leaves none, and the next one folds the stored events)."""
        entry = self._entries.pop(conversation_id, None)
        if entry is None:
            return None
        self.events -= entry[0].size
        return entry[0]

    def keep(self, conversation_id: str, snapshot: TrackerSnapshot) -> None:
        """Keep what a turn handed back, once its events are stored."""
        self.take(conversation_id)
        if snapshot.size > self.capacity:
            return
        now = self._clock()
        while self._entries and self.events + snapshot.size > self.capacity:
            oldest, (_, kept_at) = next(iter(self._entries.items()))
            victim = (
                oldest if now - kept_at >= self.idle_s else self._rng.choice(list(self._entries))
            )
            self.take(victim)
        self._entries[conversation_id] = (snapshot, now)
        self.events += snapshot.size

    def __len__(self) -> int:
        return len(self._entries)
