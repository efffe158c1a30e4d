"""``kefu test nlu`` (scores and reports) and ``kefu nlu parse`` (one message as JSON).

The ``test`` group is defined here; ``kefu test stories`` belongs in the same group.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dialogue.nlu.evaluation import EvaluationReport

__all__ = ["COMMANDS", "test"]

_PROJECT = click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Assistant project folder. Default: the demo assistant.",
)


@click.group("test")
def test() -> None:
    """Evaluate an assistant."""


@test.command("nlu")
@_PROJECT
@click.option(
    "--data",
    "data_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Labelled test messages (nlu.yml). Required unless --cross-validation.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for report.json, errors.json and confusion_matrix.png.",
)
@click.option(
    "--train",
    "train_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Train on this nlu.yml first instead of the project's data.",
)
@click.option(
    "--cross-validation",
    "folds",
    type=click.IntRange(min=2),
    default=None,
    help="K-fold cross-validation over --data (default: the project's data).",
)
def test_nlu(
    project_dir: Path | None,
    data_file: Path | None,
    report_dir: Path,
    train_file: Path | None,
    folds: int | None,
) -> None:
    """Score intents and entities on labelled messages and write a report."""
    from app.settings import Settings
    from dialogue import DialogueError, Project
    from dialogue.nlu import train_nlu
    from dialogue.nlu.evaluation import cross_validate, predict, score
    from dialogue.training import load_trained, train_project
    from dialogue.training_data import read_nlu_file

    settings = Settings()
    try:
        project = Project.load(project_dir or settings.project_dir)
        if folds is not None:
            data = read_nlu_file(data_file) if data_file else project.nlu
            domain = project.domain if _covers(project.domain.intent_names, data.intents) else None
            predictions = cross_validate(data, project.config, folds, domain=domain)
        else:
            if data_file is None:
                raise click.UsageError("--data is required unless --cross-validation is given")
            test_data = read_nlu_file(data_file)
            if train_file is not None:
                train_data = read_nlu_file(train_file)
                domain = (
                    project.domain
                    if _covers(project.domain.intent_names, train_data.intents)
                    else None
                )
                pipeline = train_nlu(train_data, project.config, domain=domain)
            else:
                trained = load_trained(settings.models_dir, project)
                if trained is None:
                    train_project(project, settings.models_dir)
                    trained = load_trained(settings.models_dir, project)
                assert trained is not None
                pipeline = trained.nlu
            predictions = predict(pipeline.parse, test_data.intent_examples)
    except DialogueError as exc:
        raise click.ClickException(str(exc)) from exc
    report = score(predictions)
    _write_report(report, report_dir)
    click.echo(
        f"n={report.n}  intent accuracy {report.intent_accuracy:.4f}  macro-F1 "
        f"{report.intent_macro_f1:.4f}  entity micro-F1 {report.entity_micro_f1:.4f}\n"
        f"report: {report_dir / 'report.json'}"
    )


def _covers(declared: tuple[str, ...], intents: tuple[str, ...]) -> bool:
    # The project's domain restricts intents and entities only for data it was written for.
    return bool(declared) and set(intents) <= set(declared)


def _write_report(report: EvaluationReport, directory: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(
        json.dumps(report.to_json(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (directory / "errors.json").write_text(
        json.dumps(list(report.errors), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    labels = report.confusion_labels
    size = max(6.0, 0.3 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    image = axes.imshow(report.confusion, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(f"intent confusion (n={report.n}, accuracy {report.intent_accuracy:.3f})")
    figure.colorbar(image, ax=axes, fraction=0.046)
    figure.tight_layout()
    figure.savefig(directory / "confusion_matrix.png", dpi=100)
    plt.close(figure)


@click.group("nlu")
def nlu() -> None:
    """Run the NLU."""


@nlu.command("parse")
@click.argument("text")
@_PROJECT
def parse(text: str, project_dir: Path | None) -> None:
    """Print the parse of TEXT as JSON (trains the project first when needed)."""
    from app.settings import Settings
    from dialogue import DialogueError, Project
    from dialogue.training import load_trained, train_project

    settings = Settings()
    try:
        project = Project.load(project_dir or settings.project_dir)
        trained = load_trained(settings.models_dir, project)
        if trained is None:
            click.echo("no model for this project yet; training it ...", err=True)
            train_project(project, settings.models_dir)
            trained = load_trained(settings.models_dir, project)
    except DialogueError as exc:
        raise click.ClickException(str(exc)) from exc
    assert trained is not None
    click.echo(json.dumps(trained.nlu.parse(text).to_dict(), ensure_ascii=False, indent=2))


COMMANDS: list[click.Command] = [test, nlu]
