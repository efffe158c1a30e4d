"""The handoff state machine, support hours, login throttling and summaries on their own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.auth.throttle import LoginThrottle
from app.console.summary import mask_email, summarize
from app.handoff.states import HandoffError, check_transition
from dialogue.clock import SupportHours


@pytest.mark.parametrize(
    "current, target",
    [
        ("bot", "pending"),
        ("bot", "assigned"),
        ("pending", "assigned"),
        ("pending", "bot"),
        ("assigned", "resolved"),
        ("assigned", "bot"),
        ("assigned", "assigned"),
        ("resolved", "bot"),
        ("resolved", "assigned"),
        ("pending", "resolved"),
    ],
)
def test_allowed_transitions(current: str, target: str) -> None:
    assert check_transition(current, target) == target


@pytest.mark.parametrize(
    "current, target",
    [
        ("bot", "resolved"),
        ("resolved", "pending"),
        ("bot", "bot"),
        ("assigned", "pending"),
        ("bot", "nonsense"),
    ],
)
def test_refused_transitions(current: str, target: str) -> None:
    with pytest.raises(HandoffError):
        check_transition(current, target)


def test_support_hours_in_utc_plus_8() -> None:
    hours = SupportHours.parse("Mon-Fri 09:00-18:00 +08:00")
    # Friday 2026-11-27 01:00 UTC is 09:00 in UTC+8: open.
    assert hours.open_at(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))
    # 00:59 UTC is 08:59 local: closed.
    assert not hours.open_at(datetime(2026, 11, 27, 0, 59, tzinfo=UTC))
    # 10:00 UTC is 18:00 local: closed (the end is exclusive).
    assert not hours.open_at(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    # Saturday 03:00 UTC = Saturday 11:00 local: closed.
    assert not hours.open_at(datetime(2026, 11, 28, 3, 0, tzinfo=UTC))
    # Sunday 2026-11-29 17:00 UTC is Monday 01:00 local: closed; Monday 01:30 UTC is open.
    assert not hours.open_at(datetime(2026, 11, 29, 17, 0, tzinfo=UTC))
    assert hours.open_at(datetime(2026, 11, 30, 1, 30, tzinfo=UTC))
    with pytest.raises(ValueError, match="Mon-Fri"):
        SupportHours.parse("weekdays 9 to 5")


def test_login_throttle_blocks_then_expires() -> None:
    throttle = LoginThrottle(max_failures=3, window=60)
    for i in range(3):
        assert throttle.blocked("u", now=float(i)) == 0
        throttle.failed("u", now=float(i))
    assert throttle.blocked("u", now=10.0) == pytest.approx(50.0)
    assert throttle.blocked("other", now=10.0) == 0
    assert throttle.blocked("u", now=61.0) == 0  # the first failure left the window
    throttle.succeeded("u")
    assert throttle.blocked("u", now=11.0) == 0


def test_summary_masks_emails_and_names_intents() -> None:
    events = [
        {"event": "user", "parse_data": {"intent": {"name": "order_status"}, "language": "en"}},
        {"event": "slot", "name": "order_id", "value": "A10001"},
        {"event": "slot", "name": "email", "value": "mia.chen@example.com"},
        {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}, "language": "en"}},
    ]
    messages = [{"role": "customer", "text": "where is it"}, {"role": "customer", "text": "huh??"}]
    text = summarize(events, messages)
    assert "order_status" in text and "A10001" in text
    assert "mia.chen@" not in text and "m***@example.com" in text
    assert "did not understand 1" in text and "huh??" in text
    assert mask_email("write to bob@x.org") == "write to b***@x.org"
