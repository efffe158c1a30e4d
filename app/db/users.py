"""Agent and admin accounts. Passwords are stored as argon2id hashes only."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import User, UserRole

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
