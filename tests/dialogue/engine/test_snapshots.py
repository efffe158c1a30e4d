"""A turn that starts from the previous turn's snapshot does exactly what a turn folded
from every stored event does: same events, same replies, on the demo's forms, handoffs,
fallbacks and session expiry; a snapshot a few turns old (another replica answered
since) and one of another domain (a retrained model) still give the same turn."""

from __future__ import annotations

import copy
import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from app.bot.snapshots import SnapshotCache
from dialogue.engine import Engine, TurnOutcome
from dialogue.project import Project
from dialogue.sandbox import TEST_MOMENT, sandbox_engine
from dialogue.training import TrainedAssistant
from dialogue.turn import TrackerSnapshot

SCRIPT = [
    "hi",
    "where is my order?",
    "A10003",
    "how much is shipping?",  # an interruption of the form
    "liam.smith@example.com",
    "asdf qwerty zxcv",  # the NLU is unsure: a clarifying question
    "yes",
    "I want to return something",
    "A10004",
    "no, it's A10002",
    "mia.chen@example.com",
    "我想取消订单",
    "thanks",
    "<later>",  # more than the session's 60 minutes pass
    "what's the return window?",
    "I want to talk to a person",
    "hi again",
]


class Clock:
    def __init__(self) -> None:
        self.now = TEST_MOMENT

    def __call__(self) -> datetime:
        return self.now


def _engine(project: Project, trained: TrainedAssistant, clock: Clock) -> Engine:
    return sandbox_engine(project, trained, clock=clock, rng=random.Random(7))


def _comparable(outcome: TurnOutcome) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    return [dict(e) for e in outcome.events], [r.text for r in outcome.replies], dict(outcome.slots)


async def _replay(
    project: Project, trained: TrainedAssistant, *, refold_every: int | None
) -> list[tuple[list[dict[str, Any]], list[str], dict[str, Any]]]:
    """The script twice over, each turn from the previous turn's snapshot (every
    ``refold_every``-th folds the stored events again), or always folded (None)."""
    clock = Clock()
    engine = _engine(project, trained, clock)
    stored: list[dict[str, Any]] = []
    snapshot: TrackerSnapshot | None = None
    seen = []
    for number, text in enumerate(SCRIPT * 2):
        if text == "<later>":
            clock.now += timedelta(minutes=61)
            continue
        if refold_every is None or number % refold_every == 0:
            snapshot = None
        start = snapshot.size if snapshot is not None else 0
        outcome = await engine.handle(history=stored[start:], text=text, snapshot=snapshot)
        stored.extend(dict(e) for e in outcome.events)
        assert outcome.snapshot is not None and outcome.snapshot.size == len(stored)
        snapshot = outcome.snapshot
        seen.append(_comparable(outcome))
    return seen


async def test_snapshot_turns_are_the_turns_folded_from_every_event(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    folded = await _replay(acme_project, acme_trained, refold_every=None)
    assert await _replay(acme_project, acme_trained, refold_every=10**6) == folded
    # A restart or a new replica now and then: the stored events folded again.
    assert await _replay(acme_project, acme_trained, refold_every=4) == folded


async def test_a_snapshot_of_an_older_prefix_folds_the_events_stored_since(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    clock = Clock()
    reference = _engine(acme_project, acme_trained, clock)
    here = _engine(acme_project, acme_trained, clock)
    stored: list[dict[str, Any]] = []
    for text in ("hi", "where is my order?"):
        stored.extend((await reference.handle(history=stored, text=text)).events)
    old = (await here.handle(history=[], text="hi")).snapshot
    assert old is not None and old.size < len(stored)
    # Another replica answered "where is my order?"; this one still has its older snapshot.
    from_snapshot = await here.handle(history=stored[old.size :], text="A10003", snapshot=old)
    from_events = await reference.handle(history=stored, text="A10003")
    assert _comparable(from_snapshot) == _comparable(from_events)
    assert "A10003" in " ".join(r.text for r in from_events.replies)


async def test_a_snapshot_of_another_domain_is_folded_again(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    clock = Clock()
    first = _engine(acme_project, acme_trained, clock)
    outcome = await first.handle(history=[], text="where is my order?")
    retrained = replace(acme_trained, domain=copy.copy(acme_trained.domain))
    swapped = _engine(acme_project, retrained, clock)
    assert swapped.domain is not first.domain
    stored = [dict(e) for e in outcome.events]
    via_snapshot = await swapped.handle(history=[], text="A10003", snapshot=outcome.snapshot)
    folded = await _engine(acme_project, retrained, clock).handle(history=stored, text="A10003")
    assert _comparable(via_snapshot) == _comparable(folded)


def _snap(size: int) -> TrackerSnapshot:
    return TrackerSnapshot(size, None, [], None, None)  # type: ignore[arg-type]


def test_the_cache_hands_a_snapshot_out_once_and_keeps_the_most_recent_events() -> None:
    now = [0.0]
    cache = SnapshotCache(5, idle_s=60, clock=lambda: now[0])  # events in all
    cache.keep("a", _snap(1))
    cache.keep("b", _snap(2))
    taken = cache.take("a")
    assert taken is not None and taken.size == 1 and cache.take("a") is None
    assert cache.events == 2
    cache.keep("a", _snap(3))
    now[0] = 100.0  # both idle for a while: the least recently kept go first
    cache.keep("c", _snap(4))  # 9 events: "b", then "a" go
    assert cache.take("b") is None and cache.take("a") is None and len(cache) == 1
    cache.keep("c", _snap(5))  # a newer snapshot of "c" replaces its older one
    assert cache.events == 5 and len(cache) == 1
    cache.keep("d", _snap(6))  # larger than the whole cache: not kept, nothing evicted
    assert cache.take("d") is None and cache.events == 5
    nothing = SnapshotCache(0)
    nothing.keep("a", _snap(1))
    assert nothing.take("a") is None


def test_more_active_conversations_than_fit_still_find_most_snapshots() -> None:
    """Twelve conversations speaking in turn, room for eight: least-recently-used would
    evict the next speaker every time (no hits at all); random eviction leaves a good
    share of them (about 4 in 10 here)."""
    now = [0.0]
    cache = SnapshotCache(8, idle_s=60, clock=lambda: now[0], rng=random.Random(3))
    hits = 0
    for turn in range(600):
        now[0] += 1.0  # every conversation speaks every 12 s: none is idle
        name = f"c{turn % 12}"
        hits += cache.take(name) is not None
        cache.keep(name, _snap(1))
    assert hits / 600 > 0.3
    assert cache.events <= 8
