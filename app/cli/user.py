"""``kefu user``: accounts for agents and admins: create, deactivate / activate, set-role,
reset-password. Deactivating, a new role or a new password signs the account out everywhere
(its sessions are deleted; an open console socket closes at its next heartbeat)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

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


@contextmanager
def _accounts() -> Iterator[Session]:
    """A session on KEFU_DATABASE_URL (migrated first); a missing user is one clear line."""
    from sqlalchemy import create_engine

    from app.db.engine import sync_url
    from app.db.users import UnknownUserError

    settings = Settings()
    ready_database(settings)
    engine = create_engine(sync_url(settings.resolved_database_url))
    try:
        with Session(engine) as session:
            yield session
    except (UnknownUserError, ValueError) as exc:
        raise click.ClickException(str(exc.args[0]) if exc.args else str(exc)) from exc
    finally:
        engine.dispose()


@user.command()
@click.argument("username")
def deactivate(username: str) -> None:
    """Block an account: sign-in fails and its sessions end at once."""
    from app.db.users import set_active

    with _accounts() as session:
        _, ended = set_active(session, username, active=False)
        click.echo(f"deactivated {username!r}; {ended} session(s) ended")


@user.command()
@click.argument("username")
def activate(username: str) -> None:
    """Let a deactivated account sign in again."""
    from app.db.users import set_active

    with _accounts() as session:
        set_active(session, username, active=True)
        click.echo(f"activated {username!r}")


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["agent", "admin"]))
def set_role_command(username: str, role: str) -> None:
    """Make an account an agent or an admin (it signs in again)."""
    from app.db.models import UserRole
    from app.db.users import set_role

    with _accounts() as session:
        set_role(session, username, UserRole(role))
        click.echo(f"{username!r} is now {role}")


@user.command("reset-password")
@click.argument("username")
@click.password_option(help="Prompted for when not given (at least 10 characters).")
def reset_password_command(username: str, password: str) -> None:
    """Give an account a new password; its sessions end."""
    from app.db.users import reset_password

    with _accounts() as session:
        reset_password(session, username, password)
        click.echo(f"new password set for {username!r}")


COMMANDS = [user]
