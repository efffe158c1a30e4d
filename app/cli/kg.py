"""``kefu kg import FILE`` / ``kefu kg export FILE`` (and ``log``): the graph in the app database."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click


def _store(settings: Any) -> Any:
    from sqlalchemy import create_engine

    from app.cli.db import ready_database
    from knowledge_graph.persistence import GraphStore

    # The schema comes from the migrations only, as for `kefu run`: a graph imported into a
    # fresh data dir is there when the product first starts.
    ready_database(settings)
    url = settings.resolved_database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix(
            "postgresql://"
        )  # psycopg 3 is the driver kefu ships
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return GraphStore(create_engine(url))


@click.group("kg")
def kg() -> None:
    """The knowledge graph in the app database (revisions kept)."""


@kg.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--author", default=None, help="Recorded on the revision (default: your user name).")
@click.option("--message", default=None, help="Recorded on the revision.")
def import_graph(file: Path, author: str | None, message: str | None) -> None:
    """Make the stored graph equal FILE (.csv triples, .json or .graphml) as one revision."""
    from app.settings import Settings
    from knowledge_graph import KnowledgeGraphError, load_graph

    settings = Settings()
    try:
        graph = load_graph(file)
        revision = _store(settings).import_graph(
            graph, author=author or getpass.getuser(), message=message or f"import {file.name}"
        )
    except KnowledgeGraphError as error:
        raise click.ClickException(str(error)) from error
    if revision is None:
        click.echo("nothing changed: the stored graph already equals the file")
    else:
        click.echo(
            f"revision {revision.id}: {graph.number_of_nodes()} nodes, {sum(len(d['facts']) for _, d in graph.nodes(data=True))} facts"
        )


@kg.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--revision", type=int, default=None, help="Export the graph as it was at this revision."
)
def export_graph(file: Path, revision: int | None) -> None:
    """Write the stored graph to FILE; the format follows the extension."""
    from app.settings import Settings
    from knowledge_graph import KnowledgeGraphError, save_graph

    settings = Settings()
    try:
        graph = _store(settings).graph_at(revision)
        save_graph(graph, file)
    except KnowledgeGraphError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"wrote {file} (revision {graph.graph.get('revision')}, {graph.number_of_nodes()} nodes)"
    )


@kg.command("log")
def log() -> None:
    """List the revisions, newest last."""
    from app.settings import Settings

    for revision in _store(Settings()).revisions():
        reverted = f" (revert to {revision.reverted_to})" if revision.reverted_to else ""
        click.echo(
            f"{revision.id}\t{revision.created_at:%Y-%m-%d %H:%M}\t{revision.author}\t{revision.message}{reverted}"
        )


COMMANDS: list[click.Command] = [kg]
