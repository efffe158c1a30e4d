"""Rules, forms, memoized stories, fallback and the action cap, through whole turns.

The assistant here is inline and driven by ``/intent{...}`` payloads, so each test
shows one piece of policy semantics with nothing else moving.
"""

from __future__ import annotations

import logging

import pytest
from rasa_sdk import Action
from rasa_sdk.events import FollowupAction

from dialogue.actions import InProcessActions
from dialogue.policies import PolicySettings
from tests.dialogue.engine.conftest import (
    Conversation,
    actions_of,
    inline_engine,
    slots_after,
    texts_of,
)

DOMAIN = """
version: "3.1"
intents: [greet, order, inform, chitchat, stop, affirm, deny, loop, nlu_fallback, faq, thank]
entities: [number]
slots:
  number:
    type: text
    mappings:
      - type: from_entity
        entity: number
  name:
    type: text
    mappings:
      - type: from_text
        conditions:
          - active_loop: ask_form
            requested_slot: name
  happy:
    type: bool
    mappings:
      - type: from_intent
        intent: affirm
        value: true
forms:
  ask_form:
    required_slots: [number, name]
responses:
  utter_greet: [{text: "hello"}]
  utter_welcome: [{text: "welcome back"}]
  utter_ask_number: [{text: "which number?"}]
  utter_ask_name: [{text: "your name, {number}?"}]
  utter_chitchat: [{text: "chit"}]
  utter_faq: [{text: "faq answer"}]
  utter_done: [{text: "done {number} {name}"}]
  utter_stopped: [{text: "stopped"}]
  utter_happy: [{text: "glad"}]
  utter_thanks_story: [{text: "story says you're welcome"}]
  utter_default: [{text: "default"}]
  utter_clarify: [{text: "did you mean"}]
  utter_button_greet: [{text: "Say hi"}]
actions: [action_loop]
"""

RULES = """
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: first greeting only
    conversation_start: true
    steps:
      - intent: greet
      - action: utter_welcome
  - rule: chitchat
    steps:
      - intent: chitchat
      - action: utter_chitchat
  - rule: faq anywhere
    steps:
      - intent: faq
      - action: utter_faq
  - rule: start the form
    steps:
      - intent: order
      - action: ask_form
      - active_loop: ask_form
  - rule: submit
    condition:
      - active_loop: ask_form
    steps:
      - action: ask_form
      - active_loop: null
      - action: utter_done
  - rule: stop in the form
    condition:
      - active_loop: ask_form
    steps:
      - intent: stop
      - action: action_deactivate_loop
      - active_loop: null
      - action: utter_stopped
  - rule: two actions, no listen between
    steps:
      - intent: affirm
      - action: utter_happy
    wait_for_user_input: false
  - rule: then greet
    steps:
      - action: utter_happy
      - action: utter_greet
  - rule: loop
    steps:
      - intent: loop
      - action: action_loop
stories:
  - story: thanks after a greeting
    steps:
      - intent: greet
      - action: utter_welcome
      - intent: thank
      - action: utter_thanks_story
"""


class ActionLoop(Action):
    """Asks to be run again, forever."""

    def name(self) -> str:
        return "action_loop"

    async def run(self, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        dispatcher.utter_message(text="again")
        return [FollowupAction("action_loop")]


def engine(**options):  # type: ignore[no-untyped-def]
    actions = InProcessActions([ActionLoop()])
    return inline_engine(DOMAIN, RULES, actions=actions, **options)


async def test_a_conversation_start_rule_beats_a_rule_that_applies_anywhere() -> None:
    chat = Conversation(engine())
    assert texts_of(await chat.say("/greet")) == ["welcome back"]
    assert texts_of(await chat.say("/greet")) == ["hello"]


async def test_memoized_story_answers_where_no_rule_does() -> None:
    chat = Conversation(engine())
    await chat.say("/greet")
    outcome = await chat.say("/thank")
    assert actions_of(outcome) == ["utter_thanks_story"]
    assert outcome.predictions[0].policy == "MemoizationPolicy"
    # The same message after another beginning is not in any story: fallback.
    other = Conversation(engine())
    await other.say("/faq")
    assert actions_of(await other.say("/thank")) == ["action_default_fallback"]


async def test_rules_chain_without_listening_when_wait_for_user_input_is_false() -> None:
    chat = Conversation(engine())
    outcome = await chat.say("/affirm")
    assert actions_of(outcome) == ["utter_happy", "utter_greet"]


async def test_form_asks_fills_and_submits() -> None:
    chat = Conversation(engine())
    first = await chat.say("/order")
    assert actions_of(first) == ["ask_form"] and texts_of(first) == ["which number?"]
    second = await chat.say('/inform{"number": "7"}')
    assert texts_of(second) == ["your name, 7?"]
    third = await chat.say("/inform")  # from_text: the payload text is the name
    assert actions_of(third) == ["ask_form", "utter_done"]
    assert texts_of(third) == ["done 7 /inform"]
    assert slots_after(chat.history)["requested_slot"] is None


async def test_an_interruption_is_answered_then_the_form_asks_again() -> None:
    chat = Conversation(engine())
    await chat.say("/order")
    outcome = await chat.say("/faq")
    assert actions_of(outcome) == ["utter_faq", "ask_form"]
    assert texts_of(outcome) == ["faq answer", "which number?"]
    assert any(e["event"] == "loop_interrupted" for e in outcome.events)
    outcome = await chat.say('/inform{"number": "3"}')
    assert texts_of(outcome) == ["your name, 3?"]


async def test_a_message_the_form_cannot_use_is_rejected_and_asked_again() -> None:
    chat = Conversation(engine())
    await chat.say("/order")
    outcome = await chat.say("/thank")
    assert any(e["event"] == "action_execution_rejected" for e in outcome.events)
    assert actions_of(outcome) == ["ask_form"] and texts_of(outcome) == ["which number?"]


async def test_a_stop_rule_deactivates_the_form() -> None:
    chat = Conversation(engine())
    await chat.say("/order")
    outcome = await chat.say("/stop")
    assert actions_of(outcome) == ["action_deactivate_loop", "utter_stopped"]
    assert "ask_form" not in actions_of(await chat.say("/faq"))


async def test_nlu_fallback_asks_with_the_two_likeliest_intents_then_hands_off() -> None:
    chat = Conversation(engine())
    # A payload cannot carry a ranking; build the message the NLU would have produced.
    from dialogue.nlu.types import IntentScore, ParseResult

    unsure = ParseResult(
        text="hm",
        intent=IntentScore("nlu_fallback", 0.3),
        intent_ranking=(
            IntentScore("greet", 0.3),
            IntentScore("faq", 0.25),
            IntentScore("order", 0.2),
        ),
        entities=(),
        language="en",
    )
    chat.engine.assistant.nlu.parse = lambda text: unsure  # type: ignore[method-assign]
    first = await chat.say("hm")
    assert first.fallback and actions_of(first) == ["action_clarify"]
    assert first.replies[0].text == "did you mean"
    assert list(first.replies[0].buttons) == [
        {"title": "Say hi", "payload": "/greet"},
        {"title": "Faq", "payload": "/faq"},
    ]
    second = await chat.say("hm")
    assert second.handoff_requested and actions_of(second) == ["action_handoff"]
    assert any(e["event"] == "handoff" and e["status"] == "requested" for e in second.events)


async def test_no_more_than_ten_actions_in_a_turn(caplog: pytest.LogCaptureFixture) -> None:
    chat = Conversation(engine())
    with caplog.at_level(logging.WARNING):
        outcome = await chat.say("/loop")
    assert actions_of(outcome) == ["action_loop"] * 10
    assert outcome.events[-1]["name"] == "action_listen"
    assert "stopped after 10 actions" in caplog.text
    small = Conversation(engine(max_actions_per_turn=3))
    assert len(actions_of(await small.say("/loop"))) == 3


async def test_sessions_start_once_and_carry_slots_after_expiry() -> None:
    from datetime import UTC, datetime, timedelta

    moments = [datetime(2026, 1, 1, tzinfo=UTC)]
    chat = Conversation(engine(clock=lambda: moments[-1]))
    first = await chat.say('/inform{"number": "5"}')
    assert [e["event"] for e in first.events][:3] == ["action", "session_started", "action"]
    second = await chat.say("/greet")
    assert not any(e["event"] == "session_started" for e in second.events)
    moments.append(moments[0] + timedelta(hours=2))  # past the 60-minute default
    third = await chat.say("/faq")
    assert any(e["event"] == "session_started" for e in third.events)
    assert slots_after(chat.history)["number"] == "5"


async def test_a_paused_conversation_records_the_message_and_stays_silent() -> None:
    chat = Conversation(engine())
    await chat.say("/greet")
    chat.history.append({"event": "handoff", "status": "assigned", "agent": "Ann"})
    outcome = await chat.say("/faq")
    assert outcome.replies == () and [e["event"] for e in outcome.events] == ["user"]


async def test_memoization_can_be_switched_off() -> None:
    chat = Conversation(engine(settings=PolicySettings(memoization=False)))
    await chat.say("/greet")
    assert actions_of(await chat.say("/thank")) == ["action_default_fallback"]
