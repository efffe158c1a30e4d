"""Human handoff: conversation status bot -> pending -> assigned -> resolved (or back to bot)."""

from app.handoff.presence import InProcessPresence, Presence
from app.handoff.service import HandoffService
from app.handoff.states import HandoffError, check_transition

__all__ = [
    "HandoffError",
    "HandoffService",
    "InProcessPresence",
    "Presence",
    "check_transition",
]
