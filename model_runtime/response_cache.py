"""A cache of answers to deterministic requests (greedy, or seeded).

Keyed by namespace, model identity, prompt token ids and sampling parameters. The
namespace is the caller's: kefu passes the knowledge graph's revision, so a new revision
never serves an answer written from old facts; :meth:`ResponseCache.invalidate` empties
one namespace or all of it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from model_runtime.types import Completion, SamplingParams


@dataclass(frozen=True, slots=True)
class CacheKey:
    namespace: str
    model: str
    prompt: tuple[int, ...]
    params: SamplingParams


class ResponseCache:
    """Least-recently-used, bounded; use from one thread (the event loop)."""

    def __init__(self, max_entries: int = 1024) -> None:
        if max_entries < 0:
            raise ValueError(f"max_entries must be >= 0 (0 disables the cache); got {max_entries}")
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, Completion] = OrderedDict()

    @staticmethod
    def key(
        *, namespace: str, model: str, prompt: Sequence[int], params: SamplingParams
    ) -> CacheKey:
        return CacheKey(namespace, model, tuple(prompt), params)

    def get(self, key: CacheKey) -> Completion | None:
        completion = self._entries.get(key)
        if completion is not None:
            self._entries.move_to_end(key)
        return completion

    def put(self, key: CacheKey, completion: Completion) -> None:
        if self.max_entries == 0 or completion.finish_reason not in ("stop", "length"):
            return
        self._entries[key] = completion
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def invalidate(self, namespace: str | None = None) -> int:
        """Forget the answers of ``namespace`` (all when None); returns how many went."""
        if namespace is None:
            count = len(self._entries)
            self._entries.clear()
            return count
        stale = [k for k in self._entries if k.namespace == namespace]
        for k in stale:
            del self._entries[k]
        return len(stale)

    def __len__(self) -> int:
        return len(self._entries)
