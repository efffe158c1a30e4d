"""Where a conversation's next turn starts: the tracker snapshot its last turn left.

A turn that starts from its conversation's snapshot folds only the events stored after it,
so the three-hundredth turn costs what the tenth does. Snapshots live in this process,
least recently used out once they hold more than ``capacity`` events in all (memory grows
with the events kept, not with the conversations). They stay right whatever other
replicas do: events are only ever appended (index by index), so a snapshot of the first
``size`` events is still their fold, and the events another replica stored since are
folded on top. The one exception, retention's redaction deleting a conversation's events,
leaves fewer stored events than the snapshot folded: the runner drops such a snapshot. A
conversation with no snapshot here (a restart, a new replica, evicted, a turn that failed)
is folded from its stored events once, and is constant-cost again after.
"""

from __future__ import annotations

from collections import OrderedDict

from dialogue.turn import TrackerSnapshot

__all__ = ["SnapshotCache"]


class SnapshotCache:
    """Conversation id → the snapshot its last turn here handed back; at most ``capacity``
    events in all."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"capacity is {capacity}; use 0 (keep none) or more events")
        self.capacity = capacity
        self.events = 0
        self._entries: OrderedDict[str, TrackerSnapshot] = OrderedDict()

    def take(self, conversation_id: str) -> TrackerSnapshot | None:
        """The snapshot, removed: the turn that takes it changes it (a turn that fails
        leaves none, and the next one folds the stored events)."""
        snapshot = self._entries.pop(conversation_id, None)
        if snapshot is not None:
            self.events -= snapshot.size
        return snapshot

    def keep(self, conversation_id: str, snapshot: TrackerSnapshot) -> None:
        """Keep what a turn handed back, once its events are stored."""
        self.take(conversation_id)
        if snapshot.size > self.capacity:
            return
        self._entries[conversation_id] = snapshot
        self.events += snapshot.size
        while self.events > self.capacity:
            _, evicted = self._entries.popitem(last=False)
            self.events -= evicted.size

    def __len__(self) -> int:
        return len(self._entries)
