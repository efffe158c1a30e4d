"""Events round-trip through their stored dicts, and the state is derived from them."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dialogue.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    Event,
    Handoff,
    HandoffStatus,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UnknownEvent,
    UserUtteranceReverted,
    UserUttered,
    event_from_dict,
)
from dialogue.tracker import derive_state

names = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)
values = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), names, st.lists(names, max_size=3))
stamps = st.one_of(st.none(), st.floats(0, 2e9, allow_nan=False))

stored_events = st.one_of(
    st.builds(
        lambda text, intent, conf, seq, t: UserUttered(
            text,
            intent,
            conf,
            ({"entity": "number", "value": "3", "start": 0, "end": 1},),
            "en",
            seq,
            {},
            t,
        ).to_dict(),
        names,
        st.one_of(st.none(), names),
        st.one_of(st.none(), st.floats(0, 1)),
        st.one_of(st.none(), st.integers(0, 99)),
        stamps,
    ),
    st.builds(
        lambda t, r: BotUttered(t, r, ({"title": "a", "payload": "/b"},)).to_dict(),
        names,
        st.one_of(st.none(), names),
    ),
    st.builds(lambda n, v, t: SlotSet(n, v, t).to_dict(), names, values, stamps),
    st.builds(
        lambda n, p, c: ActionExecuted(n, p, c).to_dict(),
        names,
        st.one_of(st.none(), names),
        st.one_of(st.none(), st.floats(0, 1)),
    ),
    st.builds(lambda n: ActionExecutionRejected(n).to_dict(), names),
    st.builds(lambda n: ActiveLoop(n).to_dict(), st.one_of(st.none(), names)),
    st.builds(lambda b: LoopInterrupted(b).to_dict(), st.booleans()),
    st.builds(
        lambda s, a: Handoff(s, "customer", a).to_dict(),
        st.sampled_from(list(HandoffStatus)),
        st.one_of(st.none(), names),
    ),
    st.sampled_from(
        [
            Restarted().to_dict(),
            SessionStarted().to_dict(),
            AllSlotsReset().to_dict(),
            UserUtteranceReverted().to_dict(),
            ActionReverted().to_dict(),
        ]
    ),
    st.builds(
        lambda n: {"event": n, "payload": [1, 2]}, st.sampled_from(["reminder", "agent", "x"])
    ),
)


@given(st.lists(stored_events, max_size=30))
def test_stored_events_round_trip_and_always_give_a_state(history: list[dict[str, Any]]) -> None:
    events = [event_from_dict(d) for d in history]
    assert [e.to_dict() for e in events] == history
    assert [event_from_dict(e.to_dict()) for e in events] == events
    state = derive_state(events)  # never raises, whatever the order
    assert state.active_loop is None or state.active_loop.name


def test_unknown_and_broken_events_are_kept_and_change_nothing() -> None:
    odd = [{"event": "reminder", "name": "x"}, {"event": "slot"}, {"no": "type"}]
    events = [event_from_dict(d) for d in odd]
    assert all(isinstance(e, UnknownEvent) for e in events)
    assert [e.to_dict() for e in events] == odd
    assert dict(derive_state(events).slots) == {}


def test_state_follows_slots_forms_restarts_and_initial_values() -> None:
    events: list[Event] = [
        SlotSet("a", 1),
        ActiveLoop("form"),
        SlotSet("requested_slot", "b"),
        UserUttered("hi", "greet"),
    ]
    state = derive_state(events, initial_slots={"language": "en"})
    assert dict(state.slots) == {"language": "en", "a": 1, "requested_slot": "b"}
    assert state.active_loop_name == "form" and state.requested_slot == "b"
    assert state.latest_message is not None and state.latest_message.intent == "greet"
    after = derive_state([*events, Restarted()], initial_slots={"language": "en"})
    assert dict(after.slots) == {"language": "en"} and after.active_loop is None


def test_loop_interruption_rejection_and_a_new_message() -> None:
    base: list[Event] = [ActiveLoop("form"), ActionExecuted("form"), UserUttered("x", "chitchat")]
    rejected = derive_state([*base, ActionExecutionRejected("form")])
    assert rejected.active_loop is not None and rejected.active_loop.rejected
    interrupted = derive_state([*base, LoopInterrupted(True), ActionExecuted("utter_x")])
    assert interrupted.active_loop is not None and not interrupted.active_loop.validate
    asked_again = derive_state([*base, LoopInterrupted(True), ActionExecuted("form")])
    assert asked_again.active_loop is not None and asked_again.active_loop.validate
    next_message = derive_state([*base, ActionExecutionRejected("form"), UserUttered("y")])
    assert next_message.active_loop is not None and not next_message.active_loop.rejected


def test_rewind_and_undo_take_events_back() -> None:
    events: list[Event] = [
        SlotSet("a", 1),
        UserUttered("hi", "greet"),
        SlotSet("a", 2),
        ActionExecuted("utter_greet"),
        SlotSet("a", 3),
    ]
    assert derive_state([*events, ActionReverted()]).slots["a"] == 2
    rewound = derive_state([*events, UserUtteranceReverted()])
    assert rewound.slots["a"] == 1 and rewound.latest_message is None


def test_the_bot_is_paused_while_an_agent_has_the_conversation() -> None:
    events: list[Event] = [
        Handoff(HandoffStatus.PENDING),
        Handoff(HandoffStatus.ASSIGNED, agent="Ann"),
    ]
    assert derive_state(events).paused
    assert not derive_state([*events, Handoff(HandoffStatus.BOT)]).paused
    # The app's own dicts read the same way.
    stored = {
        "event": "handoff",
        "status": "assigned",
        "reason": "take_over",
        "agent": "Ann",
        "timestamp": 1.0,
    }
    assert derive_state([event_from_dict(stored)]).paused
