"""``kefu data convert``: turn benchmark data sets and other assistants' NLU data (Rasa 1.x
Markdown, Rasa 2 YAML, Dialogflow agent exports) into Rasa 3 nlu.yml."""

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
    type=click.Choice(["banking77", "snips", "rasa-md", "rasa-yaml", "dialogflow"]),
    required=True,
    help="banking77: a text,category CSV. snips: a SNIPS 2017 JSON file or its folder. "
    "rasa-md: a Rasa 1.x nlu.md. rasa-yaml: a Rasa 2 (or 3) nlu.yml. dialogflow: a "
    "Dialogflow agent export, its folder or zip.",
)
@click.option(
    "--split",
    type=click.Choice(["train_full", "train", "validate"]),
    default="train_full",
    show_default=True,
    help="For a SNIPS folder: which files to read.",
)
@click.option(
    "--language",
    default=None,
    help="For a Dialogflow export: the training phrases' language (default: the agent's).",
)
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False))
def convert(
    source_format: str, split: str, language: str | None, source: Path, output: Path
) -> None:
    """Convert SOURCE (a data file or folder) into OUTPUT, a Rasa 3 nlu.yml."""
    from dialogue import DialogueError
    from dialogue.training_data.benchmarks import read_banking77_csv, read_snips
    from dialogue.training_data.imports import read_dialogflow, read_rasa_markdown
    from dialogue.training_data.reader import read_nlu_file
    from dialogue.training_data.writer import to_nlu_yaml

    readers = {
        "banking77": lambda: read_banking77_csv(source),
        "snips": lambda: read_snips(source, split=split),
        "rasa-md": lambda: read_rasa_markdown(source),
        "rasa-yaml": lambda: read_nlu_file(source),
        "dialogflow": lambda: read_dialogflow(source, language=language),
    }
    try:
        converted = readers[source_format]()
    except DialogueError as exc:
        raise click.ClickException(str(exc)) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(to_nlu_yaml(converted), encoding="utf-8")
    entities = sum(len(e.entities) for e in converted.examples)
    click.echo(
        f"{output}: {len(converted.examples)} examples, {len(converted.intents)} intents, "
        f"{entities} entity annotations, {len(converted.synonyms)} synonyms, "
        f"{len(converted.regexes)} regexes, {len(converted.lookups)} lookup tables"
    )


COMMANDS: list[click.Command] = [data]
