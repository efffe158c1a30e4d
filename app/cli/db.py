"""``kefu db upgrade``: apply the schema migrations."""

from __future__ import annotations

import click

from app.settings import Settings


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
@click.option("--revision", default="head", show_default=True)
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION on KEFU_DATABASE_URL (default: the SQLite file)."""
    from app.db.migrate import upgrade as run_upgrade

    settings = Settings()
    run_upgrade(settings.resolved_database_url, revision)
    click.echo(f"database at {revision}: {settings.resolved_database_url}")


COMMANDS = [db]
