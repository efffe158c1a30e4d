"""``kefu init DIR [--kg FILE] [--name NAME] [--language en|zh]``: a new assistant for a
business, answering from its own knowledge graph from the first message."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import click

import assistants

STARTER = Path(assistants.__file__).resolve().parent / "starter"
_GRAPH_SUFFIXES = (".csv", ".json", ".graphml")


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--kg",
    "kg_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The business's knowledge graph (.csv triples, .json or .graphml), copied into "
    "knowledge/. Without it, add one later or import it with `kefu kg import`.",
)
@click.option("--name", default=None, help="The business's name (config.yml assistant_name).")
@click.option(
    "--language",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="The assistant's default language (customers may write either).",
)
def init(directory: Path, kg_file: Path | None, name: str | None, language: str) -> None:
    """Write a new assistant project in DIRECTORY (Rasa 3 layout: generic conversation,
    no business facts in it) with the business's graph; `kefu run --project DIRECTORY`
    serves it."""
    from knowledge_graph import KnowledgeGraphError, load_graph

    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(f"{directory} is not empty; choose a new directory")
    if kg_file is not None:
        if kg_file.suffix.lower() not in _GRAPH_SUFFIXES:
            raise click.ClickException(
                f"{kg_file}: a graph is a .csv, .json or .graphml file ({kg_file.suffix} given)"
            )
        try:
            graph = load_graph(kg_file)
        except KnowledgeGraphError as error:
            raise click.ClickException(f"{kg_file}: {error}") from error
    shutil.copytree(STARTER, directory, dirs_exist_ok=True)
    config = directory / "config.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^language: .*$", f"language: {language}", text)
    business = (name or directory.resolve().name).replace("\n", " ").strip()
    text = re.sub(r"(?m)^assistant_name: .*$", f"assistant_name: {_yaml_string(business)}", text)
    slug = re.sub(r"[^a-z0-9]+", "-", business.casefold()).strip("-") or "assistant"
    text = re.sub(r"(?m)^assistant_id: .*$", f"assistant_id: {slug}", text)
    config.write_text(text, encoding="utf-8")
    knowledge = directory / "knowledge"
    knowledge.mkdir(exist_ok=True)
    if kg_file is not None:
        shutil.copyfile(kg_file, knowledge / f"graph{kg_file.suffix.lower()}")
        click.echo(
            f"knowledge/graph{kg_file.suffix.lower()}: {graph.number_of_nodes()} nodes, "
            f"{sum(len(d['facts']) for _, d in graph.nodes(data=True))} facts"
        )
    click.echo(f"wrote the assistant for {business} in {directory}")
    click.echo(f"next: kefu run --project {directory}")


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


COMMANDS: list[click.Command] = [init]
