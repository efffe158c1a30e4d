"""``kefu db upgrade``: apply the schema migrations; ``ready_database`` for every command
that touches the database (the one schema path, app/db/migrate.py)."""

from __future__ import annotations

import click

from app.settings import Settings


def ready_database(settings: Settings, revision: str = "head") -> None:
    """Upgrade the schema at the configured database (under the migration lock), or stop
    the command with one clear line when the database cannot be reached."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from app.db.migrate import upgrade as run_upgrade

    try:
        run_upgrade(settings.resolved_database_url, revision)
    except OperationalError as error:
        shown = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
        cause = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise click.ClickException(f"cannot reach the database at {shown}: {cause}") from error


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
@click.option("--revision", default="head", show_default=True)
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION on KEFU_DATABASE_URL (default: the SQLite file)."""
    settings = Settings()
    ready_database(settings, revision)
    click.echo(f"database at {revision}: {settings.resolved_database_url}")


COMMANDS = [db]
