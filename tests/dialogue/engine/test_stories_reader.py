"""Reading stories, rules and test stories (Rasa 3 YAML)."""

from __future__ import annotations

import pytest

from dialogue.exceptions import TrainingDataError
from dialogue.stories import (
    ANY_VALUE,
    ActionStep,
    BotStep,
    EntityValue,
    LoopStep,
    SlotStep,
    UserStep,
    parse_story_yaml,
)


def test_rules_with_conditions_and_options() -> None:
    found = parse_story_yaml(
        """
rules:
  - rule: stop the form
    condition:
      - active_loop: order_form
      - slot_was_set:
          - verified: true
    steps:
      - ...
      - intent: stop
      - action: action_deactivate_loop
      - active_loop: null
    wait_for_user_input: false
  - rule: welcome
    conversation_start: true
    steps:
      - intent: greet
      - action: utter_greet
"""
    )
    stop, welcome = found.rules
    assert stop.condition == (LoopStep("order_form", 5), SlotStep((("verified", True),), 6))
    assert stop.starts_anywhere and not stop.wait_for_user_input
    assert [type(s) for s in stop.steps] == [UserStep, ActionStep, LoopStep]
    assert stop.steps[2] == LoopStep(None, 12)
    assert welcome.conversation_start and welcome.wait_for_user_input


def test_test_stories_with_text_annotations_slots_and_bot_text() -> None:
    (story,) = parse_story_yaml(
        """
stories:
  - story: a test
    steps:
      - user: |
          [afghan](cuisine) food for [2]{"entity": "number", "value": 2}
        intent: inform
      - action: restaurant_form
      - slot_was_set:
          - cuisine: afghan
          - requested_slot
      - bot: All done!
"""
    ).stories
    user = story.steps[0]
    assert isinstance(user, UserStep)
    assert user.text == "afghan food for 2" and user.intent == "inform"
    assert user.entities == (EntityValue("cuisine", "afghan"), EntityValue("number", 2))
    assert story.steps[2] == SlotStep((("cuisine", "afghan"), ("requested_slot", ANY_VALUE)), 9)
    assert story.steps[3] == BotStep("All done!", 12)


def test_or_steps_become_one_story_each() -> None:
    stories = parse_story_yaml(
        """
stories:
  - story: yes or thanks
    steps:
      - action: utter_ask
      - or:
          - intent: affirm
          - intent: thank
      - action: utter_ok
"""
    ).stories
    assert [s.steps[1] for s in stories] == [UserStep("affirm", line=7), UserStep("thank", line=8)]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("stories:\n  - story: x\n    steps:\n      - checkpoint: a\n", 4, "checkpoint"),
        ("stories:\n  - story: x\n    steps:\n      - dance: now\n", 4, "unknown step"),
        ("rules:\n  - steps: []\n", 2, "name"),
        (
            "stories:\n  - story: x\n    steps:\n      - user: |\n          [afghan](cuisine food\n",
            4,
            "annotation",
        ),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(TrainingDataError) as error:
        parse_story_yaml(text)
    assert error.value.line == line and words in str(error.value)
