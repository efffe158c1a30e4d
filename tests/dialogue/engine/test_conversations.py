"""Whole conversations with real NLU: the demo's test stories, formbot and moodbot."""

from __future__ import annotations

import pytest

from dialogue.project import Project
from dialogue.sandbox import sandbox_engine
from dialogue.stories import StoryFile, read_story_files
from dialogue.story_testing import check_training_stories, run_test_stories
from dialogue.training import TrainedAssistant
from tests.dialogue.engine.conftest import Conversation, actions_of, slots_after, texts_of

FORMBOT_ACTIONS = "tests.dialogue.engine.formbot_actions"


def training_data(project: Project) -> StoryFile:
    return read_story_files(dict.fromkeys((*project.story_files, *project.rule_files)))


def test_moodbot_and_formbot_policies_reproduce_their_stories_and_rules(
    moodbot_project: Project,
    moodbot_trained: TrainedAssistant,
    formbot_project: Project,
    formbot_trained: TrainedAssistant,
) -> None:
    for project, trained, actions in (
        (moodbot_project, moodbot_trained, None),
        (formbot_project, formbot_trained, FORMBOT_ACTIONS),
    ):
        data = training_data(project)
        engine = sandbox_engine(project, trained, actions_module=actions)
        report = check_training_stories(engine, [*data.stories, *data.rules])
        assert report.passed, "\n".join(r.describe() for r in report.failed)
        assert len(report.results) == len(data.stories) + len(data.rules) > 0


async def test_moodbot_talks(moodbot_project: Project, moodbot_trained: TrainedAssistant) -> None:
    chat = Conversation(sandbox_engine(moodbot_project, moodbot_trained))
    assert texts_of(await chat.say("hello")) == ["Hey! How are you?"]
    sad = await chat.say("I am very sad")
    assert actions_of(sad) == ["utter_cheer_up", "utter_did_that_help"]
    assert actions_of(await chat.say("yes")) == ["utter_happy"]


async def test_formbot_fills_its_form_through_its_validation_action(
    formbot_project: Project, formbot_trained: TrainedAssistant
) -> None:
    chat = Conversation(
        sandbox_engine(formbot_project, formbot_trained, actions_module=FORMBOT_ACTIONS)
    )
    assert texts_of(await chat.say("im looking for a restaurant")) == ["What cuisine?"]
    interrupted = await chat.say("can you share your boss with me?")
    assert actions_of(interrupted) == ["utter_chitchat", "restaurant_form"]
    assert texts_of(interrupted) == ["chitchat", "What cuisine?"]
    assert texts_of(await chat.say("mexican")) == ["How many people?"]
    assert texts_of(await chat.say("for 4 people")) == ["Do you want to sit outside?"]
    assert texts_of(await chat.say("yes")) == ["Please provide additional preferences"]
    assert texts_of(await chat.say("no")) == ["Please give your feedback on your experience so far"]
    done = await chat.say("it was all fine")
    # formbot's only submit rule starts at the request_restaurant message, so it applies
    # when the form completes in that same turn; after a form filled over several turns
    # no rule or story says what comes next and the bot listens.
    assert actions_of(done) == ["restaurant_form"]
    slots = slots_after(chat.history)
    assert slots["requested_slot"] is None
    assert (slots["cuisine"], slots["num_people"], slots["outdoor_seating"]) == ("mexican", 4, True)
    assert slots["feedback"] == "it was all fine"


async def test_formbot_test_stories_skip_the_forms_questions(
    formbot_project: Project, formbot_trained: TrainedAssistant
) -> None:
    """formbot's test stories (unedited) write the form as finished right after it starts
    (``active_loop: restaurant_form`` then ``active_loop: null``) and then expect
    ``action_restaurant``, which its domain and rules do not have (its rule says
    utter_slots_values). With actions really executed the form asks its first question
    instead, so each story stops at that step; the report says so."""
    tests = read_story_files(formbot_project.test_files).stories
    report = await run_test_stories(
        lambda: sandbox_engine(formbot_project, formbot_trained, actions_module=FORMBOT_ACTIONS),
        tests,
    )
    assert len(report.results) == 3
    for result in report.results:
        assert result.failure is not None
        assert result.failure.expected == "active_loop: null"
        assert result.failure.predicted == "active_loop: restaurant_form"


@pytest.mark.slow
async def test_the_demo_assistant_passes_its_conversation_tests(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    tests = read_story_files(acme_project.test_files).stories
    assert len(tests) >= 30
    report = await run_test_stories(lambda: sandbox_engine(acme_project, acme_trained), tests)
    assert report.passed, "\n\n".join(r.describe() for r in report.failed)


@pytest.mark.slow
def test_the_demo_rules_and_stories_agree(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    data = training_data(acme_project)
    report = check_training_stories(
        sandbox_engine(acme_project, acme_trained), [*data.stories, *data.rules]
    )
    assert report.passed, "\n".join(r.describe() for r in report.failed)
