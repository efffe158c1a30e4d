"""``/api/v1/admin``: admins manage accounts and read operations figures and NLU reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from app.api.deps import ServicesDep
from app.auth.deps import AdminDep
from app.console.stats import daily_stats
from app.db.models import AccountAction, AccountEvent, JobRun, SettingsEvent, User
from app.db.users import (
    MIN_PASSWORD_CHARS,
    account_event,
    changes_of,
    hash_password,
    sessions_of,
)
from app.realtime import sign_out_consoles
from app.tasks.jobs import NLU_EVALUATION

router = APIRouter(prefix="/api/v1/admin/users", tags=["admin"])


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=1024)
    role: Literal["agent", "admin"] = "agent"
    display_name: str | None = Field(default=None, max_length=128)


def _public(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "is_active": user.is_active,
    }


@router.get("")
async def list_users(services: ServicesDep, admin: AdminDep) -> dict[str, Any]:
    async with services.db.session() as session:
        users = (await session.execute(select(User).order_by(User.id))).scalars().all()
    return {"users": [_public(u) for u in users]}


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, services: ServicesDep, admin: AdminDep) -> dict[str, Any]:
    password_hash = await run_in_threadpool(hash_password, body.password)
    async with services.db.session() as session:
        user = User(
            username=body.username,
            display_name=body.display_name or body.username,
            password_hash=password_hash,
            role=body.role,
        )
        session.add(user)
        session.add(
            account_event(admin.username, AccountAction.CREATED, body.username, role=body.role)
        )
        try:
            await session.commit()
        except IntegrityError:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"user {body.username!r} exists"
            ) from None
        return _public(user)


class UserChange(BaseModel):
    """What an admin changes on an account; every change ends the account's sessions."""

    is_active: bool | None = None
    role: Literal["agent", "admin"] | None = None
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_CHARS, max_length=1024)


@router.patch("/{username}")
async def change_user(
    username: str, body: UserChange, services: ServicesDep, admin: AdminDep
) -> dict[str, Any]:
    """Deactivate or activate an account, change its role or set a new password (the same
    as ``kefu user deactivate / activate / set-role / reset-password``)."""
    password_hash = await run_in_threadpool(hash_password, body.password) if body.password else None
    async with services.db.session() as session:
        user = (
            await session.execute(select(User).where(User.username == username))
        ).scalar_one_or_none()
        if user is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user {username!r}")
        if user.id == admin.user_id and (body.is_active is False or body.role == "agent"):
            raise HTTPException(
                status.HTTP_409_CONFLICT, "an admin cannot deactivate or demote themselves"
            )
        changes = changes_of(
            user, active=body.is_active, role=body.role, password=password_hash is not None
        )
        ended = 0
        # Deactivated, a new role or password: the account signs in again everywhere.
        signs_out = body.is_active is False or body.role is not None or password_hash is not None
        if signs_out:
            result = await session.execute(sessions_of(user))
            ended = int(getattr(result, "rowcount", 0) or 0)
        for action, detail in changes:
            session.add(
                account_event(admin.username, action, username, **detail, sessions_ended=ended)
            )
        if body.is_active is not None:
            user.is_active = body.is_active
        if body.role is not None:
            user.role = body.role
        if password_hash is not None:
            user.password_hash = password_hash
        await session.commit()
    if signs_out:
        await sign_out_consoles(services.hub, user.id)
    return _public(user)


stats_router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@stats_router.get("/stats")
async def stats(
    services: ServicesDep, admin: AdminDep, days: Annotated[int, Query(ge=1, le=366)] = 14
) -> dict[str, Any]:
    """Daily operations figures for the last ``days`` days (UTC)."""
    async with services.db.session() as session:
        return await daily_stats(session, days=days)


@stats_router.get("/account-events")
async def account_events(
    services: ServicesDep,
    admin: AdminDep,
    username: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The audit trail of account changes (created, deactivated, activated, role changed,
    password reset: who, when, to whom), newest first; ``username``: one account's."""
    query = select(AccountEvent).order_by(AccountEvent.id.desc()).limit(limit)
    if username is not None:
        query = query.where(AccountEvent.username == username)
    async with services.db.session() as session:
        events = (await session.execute(query)).scalars().all()
    return {
        "events": [
            {
                "at": event.at.isoformat(),
                "actor": event.actor,
                "action": event.action,
                "username": event.username,
                "detail": event.detail,
            }
            for event in events
        ]
    }


@stats_router.get("/settings-events")
async def settings_events(
    services: ServicesDep,
    admin: AdminDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The audit trail of settings: each start whose settings differed from the last
    start's, with what changed (secrets as fingerprints only), newest first."""
    query = select(SettingsEvent).order_by(SettingsEvent.id.desc()).limit(limit)
    async with services.db.session() as session:
        events = (await session.execute(query)).scalars().all()
    return {
        "events": [
            {"at": event.at.isoformat(), "actor": event.actor, "changes": event.changes}
            for event in events
        ]
    }


@stats_router.get("/nlu-evaluations")
async def nlu_evaluations(
    services: ServicesDep, admin: AdminDep, limit: Annotated[int, Query(ge=1, le=100)] = 14
) -> dict[str, Any]:
    """The latest NLU evaluations of the live assistant (nightly job), newest first."""
    async with services.db.session() as session:
        runs = (
            await session.execute(
                select(JobRun)
                .where(JobRun.job == NLU_EVALUATION)
                .order_by(JobRun.created_at.desc())
                .limit(limit)
            )
        ).scalars()
        return {
            "evaluations": [
                {
                    "status": run.status,
                    "started_at": run.created_at.isoformat(),
                    "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                    "report": run.result,
                }
                for run in runs
            ]
        }


@stats_router.post("/nlu-evaluations", status_code=status.HTTP_202_ACCEPTED)
async def evaluate_nlu_now(services: ServicesDep, admin: AdminDep) -> dict[str, str]:
    """Queue today's evaluation (it runs once per day and model: a repeat returns the same)."""
    services.jobs.submit("kefu.evaluate_nlu")
    return {"status": "queued"}
