"""``kefu test stories`` and ``kefu shell`` on the example projects."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from dialogue.project import Project
from dialogue.training import TrainedAssistant

FORMBOT_ACTIONS = "tests.dialogue.engine.formbot_actions"


@pytest.fixture
def runner(
    example_data_dir: Path,
    moodbot_trained: TrainedAssistant,
    formbot_trained: TrainedAssistant,
    monkeypatch: pytest.MonkeyPatch,
) -> CliRunner:
    """The CLI with the session's trained example models (nothing is trained again)."""
    monkeypatch.setenv("KEFU_DATA_DIR", str(example_data_dir))
    return CliRunner()


def test_stories_pass_and_the_training_data_replays(
    runner: CliRunner, moodbot_project: Project, tmp_path: Path
) -> None:
    stories = tmp_path / "test_mood.yml"
    stories.write_text(
        "stories:\n"
        "  - story: sad, then helped\n"
        "    steps:\n"
        "      - user: hello\n"
        "        intent: greet\n"
        "      - action: utter_greet\n"
        "      - user: I am sad\n"
        "        intent: mood_unhappy\n"
        "      - action: utter_cheer_up\n"
        "      - action: utter_did_that_help\n"
        "      - user: yes\n"
        "        intent: affirm\n"
        "      - action: utter_happy\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        main,
        [
            "test",
            "stories",
            "--project",
            str(moodbot_project.root),
            "--stories",
            str(stories),
            "--training",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "test stories: 1/1 stories passed" in result.output
    assert "training stories and rules: 10/10 stories passed" in result.output


def test_a_failing_story_shows_expected_and_predicted_and_exits_1(
    runner: CliRunner, formbot_project: Project
) -> None:
    result = runner.invoke(
        main,
        ["test", "stories", "--project", str(formbot_project.root), "--actions", FORMBOT_ACTIONS],
    )
    assert result.exit_code == 1
    assert "FAILED 'Happy path'" in result.output
    assert "expected:  active_loop: null" in result.output
    assert "predicted: active_loop: restaurant_form" in result.output
    assert "bot:  What cuisine?" in result.output
    assert "test stories: 0/3 stories passed, 3 failed" in result.output


def test_the_shell_talks_and_shows_its_reasoning(
    runner: CliRunner, moodbot_project: Project
) -> None:
    result = runner.invoke(
        main,
        ["shell", "--project", str(moodbot_project.root), "--debug"],
        input="hello\n2\n/debug\nyes\n/quit\n",
    )
    assert result.exit_code == 0, result.output
    assert "bot> Hey! How are you?" in result.output
    assert "[2] super sad" in result.output
    # The second button's payload was sent: the sad path, with its reasoning shown.
    assert "action: utter_cheer_up  by RulePolicy (1.00) [mood_unhappy helped]" in result.output
    assert "intent: mood_unhappy (1.00)" in result.output
    assert "(debug off)" in result.output
    assert "you> yes\nbot> Great, carry on!\nyou> /quit" in result.output
    assert "by RulePolicy" not in result.output.split("(debug off)")[1]
