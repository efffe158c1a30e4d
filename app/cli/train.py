"""``kefu train``: train an assistant project (NLU now, policies later) with a progress bar."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["COMMANDS"]


@click.command("train")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Assistant project folder (Rasa 3 layout). Default: the demo assistant.",
)
@click.option("--force", is_flag=True, help="Train even when a model for this project exists.")
def train(project_dir: Path | None, force: bool) -> None:
    """Train an assistant project; an unchanged project is not trained again."""
    from tqdm import tqdm

    from app.settings import Settings
    from dialogue import DialogueError, Project
    from dialogue.actions.loading import check_actions
    from dialogue.training import train_project

    settings = Settings()
    bar = tqdm(total=0, unit="epoch", leave=False)
    shown: list[tuple[str, int]] = []  # the (stage, total) the bar shows now

    def progress(stage: str, done: int, total: int) -> None:
        if not shown or shown[-1] != (stage, total):
            shown.append((stage, total))
            bar.reset(total=total)
            bar.set_description(stage)
        bar.n = done
        bar.refresh()

    try:
        project = Project.load(project_dir or settings.project_dir)
        check_actions(project.root)  # a broken actions package is said now, not at run
        path = train_project(project, settings.models_dir, force=force, progress=progress)
    except DialogueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
    click.echo(f"model: {path}")


COMMANDS: list[click.Command] = [train]
