"""``kefu user``: accounts for agents and admins: create, deactivate / activate, set-role,
reset-password. Deactivating, a new role or a new password signs the account out everywhere:
its sessions are deleted, and its open console sockets close at once where the replicas share
Redis (``KEFU_REDIS_URL``), else at the socket's next heartbeat."""

from __future__ import annotations

import asyncio
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


def _close_consoles(user_id: int) -> str:
    """Tell every replica to close the account's console sockets now (through Redis, as the
    admin API does); without Redis the server notices at the socket's next heartbeat."""
    from app.console.socket import HEARTBEAT_SECONDS

    settings = Settings()
    if not settings.redis_url:
        return f"open console sockets close within {HEARTBEAT_SECONDS:.0f} s"
    if not asyncio.run(_publish_sign_out(settings.redis_url, user_id)):
        return f"Redis is unavailable: open console sockets close within {HEARTBEAT_SECONDS:.0f} s"
    return "open console sockets closed"


async def _publish_sign_out(redis_url: str, user_id: int) -> bool:
    from redis.asyncio import Redis

    from app.realtime import sign_out_consoles
    from app.realtime.redis_hub import RedisHub

    hub = RedisHub(Redis.from_url(redis_url, socket_connect_timeout=2))
    try:
        await sign_out_consoles(hub, user_id)
        return not hub.degraded
    finally:
        await hub.aclose()


@user.command()
@click.argument("username")
def deactivate(username: str) -> None:
    """Block an account: sign-in fails and its sessions end at once."""
    from app.db.users import set_active

    with _accounts() as session:
        account, ended = set_active(session, username, active=False)
        user_id = account.id
    click.echo(f"deactivated {username!r}; {ended} session(s) ended; {_close_consoles(user_id)}")


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
        user_id = set_role(session, username, UserRole(role)).id
    click.echo(f"{username!r} is now {role}; {_close_consoles(user_id)}")


@user.command("reset-password")
@click.argument("username")
@click.password_option(help="Prompted for when not given (at least 10 characters).")
def reset_password_command(username: str, password: str) -> None:
    """Give an account a new password; its sessions end."""
    from app.db.users import reset_password

    with _accounts() as session:
        user_id = reset_password(session, username, password).id
    click.echo(f"new password set for {username!r}; {_close_consoles(user_id)}")


COMMANDS = [user]
