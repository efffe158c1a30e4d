"""``kefu test stories``: conversation tests in Rasa's test-story format, actions executed.

The command joins the ``test`` group of app/cli/nlu.py (one group, two commands).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import click

from app.cli.nlu import test as test_group

__all__ = ["COMMANDS", "stories"]


@click.command("stories")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Assistant project folder. Default: the demo assistant.",
)
@click.option(
    "--stories",
    "story_files",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    multiple=True,
    help="Test stories file (repeatable). Default: the stories in the project's tests/.",
)
@click.option(
    "--actions",
    "actions_module",
    default=None,
    help="Python package of the custom actions. Default: the project's actions/.",
)
@click.option(
    "--now",
    "now",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="The moment the tests run at (orders are dated relative to it; naive = UTC). "
    "Default: 2026-03-04T03:00+0000, a Wednesday within support hours.",
)
@click.option(
    "--training",
    is_flag=True,
    help="Also replay the project's training stories and rules against its policies.",
)
def stories(
    project_dir: Path | None,
    story_files: tuple[Path, ...],
    actions_module: str | None,
    now: datetime | None,
    training: bool,
) -> None:
    """Run conversation tests; exit status 1 when any story fails."""
    from app.settings import Settings
    from dialogue import DialogueError, Project
    from dialogue.actions.loading import check_actions
    from dialogue.clock import fixed_clock
    from dialogue.sandbox import TEST_MOMENT, sandbox_engine, trained_assistant
    from dialogue.stories import read_story_files
    from dialogue.story_testing import check_training_stories, run_test_stories

    settings = Settings()
    clock = fixed_clock(now or TEST_MOMENT)
    try:
        project = Project.load(project_dir or settings.project_dir)
        if actions_module is None:
            check_actions(project.root)  # said before training, not after
        files = list(story_files) or list(project.test_files)
        tests = read_story_files(files).stories
        if not tests and not training:
            raise click.ClickException(
                "no test stories found; pass --stories FILE or add tests/test_*.yml"
            )
        click.echo(f"loading the model of {project.root} ...", err=True)
        trained = trained_assistant(project, settings.models_dir)
        report = asyncio.run(
            run_test_stories(
                lambda: sandbox_engine(
                    project, trained, clock=clock, actions_module=actions_module
                ),
                tests,
            )
        )
        replay = None
        if training:
            data = read_story_files(dict.fromkeys((*project.story_files, *project.rule_files)))
            engine = sandbox_engine(project, trained, clock=clock, actions_module=actions_module)
            replay = check_training_stories(engine, [*data.stories, *data.rules])
    except DialogueError as exc:
        raise click.ClickException(str(exc)) from exc
    for result in report.failed:
        click.echo(result.describe())
        click.echo("")
    click.echo(f"test stories: {report.summary()}")
    failed = not report.passed
    if replay is not None:
        for result in replay.failed:
            click.echo(result.describe())
        click.echo(f"training stories and rules: {replay.summary()}")
        failed = failed or not replay.passed
    if failed:
        raise SystemExit(1)


test_group.add_command(stories)

# Registered through app/cli/nlu.py's ``test`` group, not on its own.
COMMANDS: list[click.Command] = []
