"""``kefu data convert``: turn benchmark data sets into Rasa nlu.yml."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["COMMANDS"]


@click.group("data")
def data() -> None:
    """Training data tools."""


@data.command("convert")
@click.option(
    "--format",
    "source_format",
    type=click.Choice(["banking77", "snips"]),
    required=True,
    help="banking77: a text,category CSV. snips: a SNIPS 2017 JSON file or its folder.",
)
@click.option(
    "--split",
    type=click.Choice(["train_full", "train", "validate"]),
    default="train_full",
    show_default=True,
    help="For a SNIPS folder: which files to read.",
)
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False))
def convert(source_format: str, split: str, source: Path, output: Path) -> None:
    """Convert SOURCE (a benchmark file or folder) into OUTPUT, a Rasa 3 nlu.yml."""
    from dialogue import DialogueError
    from dialogue.training_data.benchmarks import read_banking77_csv, read_snips
    from dialogue.training_data.writer import to_nlu_yaml

    try:
        converted = (
            read_banking77_csv(source)
            if source_format == "banking77"
            else read_snips(source, split=split)
        )
    except DialogueError as exc:
        raise click.ClickException(str(exc)) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(to_nlu_yaml(converted), encoding="utf-8")
    entities = sum(len(e.entities) for e in converted.examples)
    click.echo(
        f"{output}: {len(converted.examples)} examples, {len(converted.intents)} intents, "
        f"{entities} entity annotations"
    )


COMMANDS: list[click.Command] = [data]
