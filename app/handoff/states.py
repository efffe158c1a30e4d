"""The handoff state machine and support hours, as pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from app.db.models import ConversationStatus as Status

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.BOT: frozenset({Status.PENDING, Status.ASSIGNED}),
    Status.PENDING: frozenset({Status.ASSIGNED, Status.BOT, Status.RESOLVED}),
    # assigned -> assigned: another agent takes the conversation over.
    Status.ASSIGNED: frozenset({Status.ASSIGNED, Status.RESOLVED, Status.BOT}),
    Status.RESOLVED: frozenset({Status.BOT, Status.ASSIGNED}),
}


class HandoffError(Exception):
    """A status change that is not allowed from the conversation's current status."""


def check_transition(current: str, target: str) -> Status:
    """The target status if ``current -> target`` is allowed, else HandoffError."""
    try:
        source, goal = Status(current), Status(target)
    except ValueError as exc:
        raise HandoffError(str(exc)) from None
    if goal not in ALLOWED[source]:
        raise HandoffError(f"a {source} conversation cannot become {goal}")
    return goal


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^(?P<d1>[a-z]{3})-(?P<d2>[a-z]{3})\s+(?P<h1>\d\d):(?P<m1>\d\d)-(?P<h2>\d\d):(?P<m2>\d\d)"
    r"\s+(?P<sign>[+-])(?P<oh>\d\d):(?P<om>\d\d)$"
)


@dataclass(frozen=True, slots=True)
class SupportHours:
    """When human agents work, e.g. ``SupportHours.parse("Mon-Fri 09:00-18:00 +08:00")``."""

    first_day: int
    last_day: int
    opens: time
    closes: time
    tz: timezone

    @classmethod
    def parse(cls, spec: str) -> SupportHours:
        match = _SPEC.match(spec.strip().lower())
        if match is None or match["d1"] not in _DAYS or match["d2"] not in _DAYS:
            raise ValueError(
                f"support hours {spec!r}: write them like 'Mon-Fri 09:00-18:00 +08:00'"
            )
        offset = timedelta(hours=int(match["oh"]), minutes=int(match["om"]))
        return cls(
            first_day=_DAYS.index(match["d1"]),
            last_day=_DAYS.index(match["d2"]),
            opens=time(int(match["h1"]), int(match["m1"])),
            closes=time(int(match["h2"]), int(match["m2"])),
            tz=timezone(-offset if match["sign"] == "-" else offset),
        )

    def open_at(self, when: datetime) -> bool:
        local = when.astimezone(self.tz)
        return self.first_day <= local.weekday() <= self.last_day and (
            self.opens <= local.time() < self.closes
        )
