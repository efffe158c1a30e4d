"""Agent and admin accounts. Passwords are stored as argon2id hashes only."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Delete, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import AuthSession, User, UserRole

_hasher = PasswordHasher()
MIN_PASSWORD_CHARS = 10


class UserExistsError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: UserRole,
    display_name: str | None = None,
) -> User:
    """Create an account; raises UserExistsError for a taken username, ValueError for a weak password."""
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=str(role),
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise UserExistsError(f"user {username!r} exists") from None
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


class UnknownUserError(LookupError):
    pass


def _existing(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise UnknownUserError(f"no user {username!r}")
    return user


def sessions_of(user: User) -> Delete:
    """The statement that signs ``user`` out everywhere (every session of theirs), for a
    sync or an async session."""
    return delete(AuthSession).where(AuthSession.user_id == user.id)


def _end_sessions(session: Session, user: User) -> int:
    result = session.execute(sessions_of(user))
    return int(getattr(result, "rowcount", 0) or 0)


def set_active(session: Session, username: str, *, active: bool) -> tuple[User, int]:
    """Activate or deactivate an account; deactivating ends its sessions at once (the
    count ended is returned). Raises UnknownUserError."""
    user = _existing(session, username)
    user.is_active = active
    ended = 0 if active else _end_sessions(session, user)
    session.commit()
    return user, ended


def set_role(session: Session, username: str, role: UserRole) -> User:
    """Change an account's role; its sessions end (signed in again, it has the new rights)."""
    user = _existing(session, username)
    user.role = str(role)
    _end_sessions(session, user)
    session.commit()
    return user


def reset_password(session: Session, username: str, password: str) -> User:
    """A new password (ValueError when too short); every session of the account ends."""
    user = _existing(session, username)
    user.password_hash = hash_password(password)
    _end_sessions(session, user)
    session.commit()
    return user
