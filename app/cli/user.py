"""``kefu user create``: accounts for agents and admins."""

from __future__ import annotations

import click

from app.cli.db import ready_database
from app.settings import Settings


@click.group()
def user() -> None:
    """Agent and admin accounts."""


@user.command()
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "admin"]), default="agent", show_default=True)
@click.option("--display-name", default=None, help="Name shown to customers (default: USERNAME).")
@click.password_option(help="Prompted for when not given (at least 10 characters).")
def create(username: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account on KEFU_DATABASE_URL."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from app.db.engine import sync_url
    from app.db.models import UserRole
    from app.db.users import UserExistsError, create_user

    settings = Settings()
    ready_database(settings)
    engine = create_engine(sync_url(settings.resolved_database_url))
    try:
        with Session(engine) as session:
            created = create_user(
                session,
                username=username,
                password=password,
                role=UserRole(role),
                display_name=display_name,
            )
            click.echo(f"created {created.role} {created.username!r}")
    except (UserExistsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


COMMANDS = [user]
