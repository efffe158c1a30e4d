"""Time for the dialogue: an injectable clock and human agents' support hours (pure).

Pass ``clock=fixed_clock(datetime(...))`` to an engine or to actions to make dates and
opening hours deterministic in tests and ``kefu test stories``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone

__all__ = ["Clock", "SupportHours", "fixed_clock", "system_clock"]

#: Returns the current time, timezone-aware.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says ``moment`` (naive datetimes are taken as UTC)."""
    fixed = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return lambda: fixed


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
        """Read ``Ddd-Ddd HH:MM-HH:MM +HH:MM``; a malformed spec raises ValueError saying so."""
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
            tz=timezone(offset if match["sign"] == "+" else -offset),
        )

    def open_at(self, moment: datetime) -> bool:
        """True when agents work at ``moment`` (naive datetimes are taken as UTC)."""
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        local = aware.astimezone(self.tz)
        day = local.weekday()
        if self.first_day <= self.last_day:
            working_day = self.first_day <= day <= self.last_day
        else:  # e.g. Sat-Wed
            working_day = day >= self.first_day or day <= self.last_day
        return working_day and self.opens <= local.time() < self.closes


#: Acme's hours (store/policies.md): Monday to Friday, 09:00–18:00 (UTC+8).
DEFAULT_SUPPORT_HOURS = SupportHours.parse("Mon-Fri 09:00-18:00 +08:00")
