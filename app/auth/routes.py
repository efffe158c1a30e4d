"""``/api/v1/auth``: sign in, sign out, who am I."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from app.api.deps import ServicesDep
from app.auth import sessions
from app.auth.deps import COOKIE, CurrentUserDep
from app.db.models import User
from app.db.users import verify_password

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

# Compared against when the username is unknown, so that timing does not reveal which exist.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$Lnz5f3AlFRxdLHXWm+m77Q$tjNmUtub4ml1+UxdpL6BKmkrqV8jgYwoR1vi9t3rPpQ"


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class PrincipalPublic(BaseModel):
    username: str
    display_name: str
    role: str
    csrf_token: str


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login")
async def login(
    body: LoginIn, request: Request, response: Response, services: ServicesDep
) -> PrincipalPublic:
    """Sign in; sets the ``kefu_session`` cookie (HttpOnly, SameSite=Strict)."""
    now = time.time()  # wall clock: replicas share the counts in scaled mode
    checks = (
        (services.login_throttle, f"user:{body.username.casefold()}"),
        (services.address_throttle, f"ip:{_client_ip(request)}"),
    )
    wait = max([await throttle.blocked(key, now) for throttle, key in checks])
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed sign-ins; try again later",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    async with services.db.session() as session:
        user = (
            await session.execute(select(User).where(User.username == body.username))
        ).scalar_one_or_none()
        stored = user.password_hash if user is not None and user.is_active else _DUMMY_HASH
        ok = await run_in_threadpool(verify_password, stored, body.password)
        if user is None or not user.is_active or not ok:
            for throttle, key in checks:
                await throttle.failed(key, now)
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
        await services.login_throttle.succeeded(checks[0][1])
        issued = await sessions.issue(session, user=user)
    response.set_cookie(
        COOKIE,
        issued.token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/",
    )
    return PrincipalPublic(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        csrf_token=issued.csrf_token,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request, response: Response, services: ServicesDep, principal: CurrentUserDep
) -> None:
    async with services.db.session() as session:
        await sessions.revoke(session, token=request.cookies.get(COOKIE, ""))
    response.delete_cookie(COOKIE, path="/")


@router.get("/me")
async def me(principal: CurrentUserDep) -> dict[str, Any]:
    return PrincipalPublic(
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        csrf_token=principal.csrf_token,
    ).model_dump()
