"""The handoff state machine, as a pure function. (Support hours: ``dialogue.clock``.)"""

from __future__ import annotations

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
