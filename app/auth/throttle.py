"""Login throttling: failures per key in a sliding window, time passed in (wall-clock
seconds, so that replicas agree). ``LoginThrottle`` is the pure in-process core;
``SignInThrottle`` is what the sign-in route uses: ``InProcessThrottle`` in embedded mode,
``app.auth.redis_throttle.RedisThrottle`` (one count for every replica) in scaled mode."""

from __future__ import annotations

from collections import deque
from typing import Protocol


class SignInThrottle(Protocol):
    async def blocked(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        ...

    async def failed(self, key: str, now: float) -> None: ...

    async def succeeded(self, key: str) -> None: ...


class LoginThrottle:
    """At most ``max_failures`` failed logins per key within ``window`` seconds."""

    def __init__(
        self, max_failures: int = 5, window: float = 300.0, max_keys: int = 100_000
    ) -> None:
        if max_failures < 1 or window <= 0:
            raise ValueError("LoginThrottle needs max_failures >= 1 and window > 0")
        self.max_failures = max_failures
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def blocked(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        failures = self._recent(key, now)
        if len(failures) < self.max_failures:
            return 0.0
        return max(0.0, failures[0] + self.window - now)

    def failed(self, key: str, now: float) -> None:
        if len(self._failures) >= self.max_keys:
            # Bounded memory under a flood of distinct keys: forget the oldest entries.
            for stale in list(self._failures)[: self.max_keys // 10]:
                del self._failures[stale]
        self._recent(key, now)
        self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)


class InProcessThrottle:
    """``SignInThrottle`` of one process (embedded mode)."""

    def __init__(self, max_failures: int = 5, window: float = 300.0) -> None:
        self.core = LoginThrottle(max_failures, window)

    async def blocked(self, key: str, now: float) -> float:
        return self.core.blocked(key, now)

    async def failed(self, key: str, now: float) -> None:
        self.core.failed(key, now)

    async def succeeded(self, key: str) -> None:
        self.core.succeeded(key)
