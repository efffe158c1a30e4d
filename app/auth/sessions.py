"""Server-side sessions: the cookie carries a random token; the database keeps its sha256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AuthSession, User, utcnow

SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class IssuedSession:
    token: str
    csrf_token: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(session: AsyncSession, *, user: User) -> IssuedSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = utcnow() + SESSION_LIFETIME
    session.add(
        AuthSession(token_hash=_hash(token), user_id=user.id, csrf_token=csrf, expires_at=expires)
    )
    await session.commit()
    return IssuedSession(token, csrf, expires)


async def resolve(session: AsyncSession, *, token: str) -> tuple[User, AuthSession] | None:
    """The active user and session for a cookie token; None when unknown, expired or disabled."""
    if not token or len(token) > 128:
        return None
    row = (
        await session.execute(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == _hash(token))
        )
    ).first()
    if row is None:
        return None
    auth, user = row
    expires = auth.expires_at if auth.expires_at.tzinfo else auth.expires_at.replace(tzinfo=UTC)
    if expires <= utcnow() or not user.is_active:
        return None
    return user, auth


async def revoke(session: AsyncSession, *, token: str) -> None:
    await session.execute(delete(AuthSession).where(AuthSession.token_hash == _hash(token)))
    await session.commit()
