"""Agent and admin accounts. Passwords are stored as argon2id hashes only."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Delete, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import AccountAction, AccountEvent, AuthSession, User, UserRole

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


# Who made a change from the command line or at first start (not a signed-in admin).
OPERATOR = "cli"


def account_event(
    actor: str, action: AccountAction, username: str, **detail: object
) -> AccountEvent:
    """The audit row of one account change (added to the change's own transaction)."""
    return AccountEvent(actor=actor, action=str(action), username=username, detail=detail)


def changes_of(
    user: User, *, active: bool | None, role: str | None, password: bool
) -> list[tuple[AccountAction, dict[str, object]]]:
    """What setting ``active``, ``role`` and a new password changes on ``user``, as audit
    actions with their details (nothing for a value it already has)."""
    changes: list[tuple[AccountAction, dict[str, object]]] = []
    if active is not None and active != user.is_active:
        changes.append((AccountAction.ACTIVATED if active else AccountAction.DEACTIVATED, {}))
    if role is not None and role != user.role:
        changes.append((AccountAction.ROLE_CHANGED, {"from": user.role, "to": role}))
    if password:
        changes.append((AccountAction.PASSWORD_RESET, {}))
    return changes


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: UserRole,
    display_name: str | None = None,
    actor: str = OPERATOR,
) -> User:
    """Create an account; raises UserExistsError for a taken username, ValueError for a weak password."""
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=str(role),
    )
    session.add(user)
    session.add(account_event(actor, AccountAction.CREATED, username, role=str(role)))
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


def _audit(
    session: Session,
    user: User,
    actor: str,
    *,
    active: bool | None = None,
    role: str | None = None,
    password: bool = False,
    ended: int = 0,
) -> None:
    for action, detail in changes_of(user, active=active, role=role, password=password):
        session.add(account_event(actor, action, user.username, **detail, sessions_ended=ended))


def set_active(
    session: Session, username: str, *, active: bool, actor: str = OPERATOR
) -> tuple[User, int]:
    """Activate or deactivate an account; deactivating ends its sessions at once (the
    count ended is returned). Raises UnknownUserError."""
    user = _existing(session, username)
    ended = 0 if active else _end_sessions(session, user)
    _audit(session, user, actor, active=active, ended=ended)
    user.is_active = active
    session.commit()
    return user, ended


def set_role(session: Session, username: str, role: UserRole, *, actor: str = OPERATOR) -> User:
    """Change an account's role; its sessions end (signed in again, it has the new rights)."""
    user = _existing(session, username)
    ended = _end_sessions(session, user)
    _audit(session, user, actor, role=str(role), ended=ended)
    user.role = str(role)
    session.commit()
    return user


def reset_password(
    session: Session, username: str, password: str, *, actor: str = OPERATOR
) -> User:
    """A new password (ValueError when too short); every session of the account ends."""
    user = _existing(session, username)
    user.password_hash = hash_password(password)
    ended = _end_sessions(session, user)
    _audit(session, user, actor, password=True, ended=ended)
    session.commit()
    return user
