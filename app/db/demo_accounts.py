"""Embedded mode's first start: a demo agent and a demo admin with random passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import User, UserRole
from app.db.users import create_user


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    password: str
    role: str


def create_demo_accounts(session: Session, *, credentials_file: Path) -> list[DemoAccount]:
    """Create ``agent`` and ``admin`` when the database has no users; [] otherwise.

    The passwords are random; they are written (mode 600) to ``credentials_file`` so the
    person who installed kefu can find them again. Only their argon2 hashes are stored.
    """
    if session.execute(select(func.count()).select_from(User)).scalar_one() > 0:
        return []
    accounts = [
        DemoAccount("agent", secrets.token_urlsafe(12), UserRole.AGENT),
        DemoAccount("admin", secrets.token_urlsafe(12), UserRole.ADMIN),
    ]
    names = {"agent": "Mia (demo agent)", "admin": "Admin"}
    for account in accounts:
        create_user(
            session,
            username=account.username,
            password=account.password,
            role=UserRole(account.role),
            display_name=names[account.username],
        )
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    credentials_file.touch(mode=0o600)
    credentials_file.write_text(
        "".join(f"{a.role}\t{a.username}\t{a.password}\n" for a in accounts), encoding="utf-8"
    )
    return accounts
