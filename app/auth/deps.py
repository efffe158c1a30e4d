"""FastAPI dependencies: who is calling, with which role; CSRF on state-changing requests."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from app.api.deps import ServicesDep
from app.auth import sessions
from app.db.models import UserRole

COOKIE = "kefu_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == UserRole.ADMIN


async def principal_from_cookie(services: ServicesDep, token: str | None) -> Principal | None:
    if not token:
        return None
    async with services.db.session() as session:
        found = await sessions.resolve(session, token=token)
    if found is None:
        return None
    user, auth = found
    return Principal(user.id, user.username, user.display_name, user.role, auth.csrf_token)


async def current_user(request: Request, services: ServicesDep) -> Principal:
    principal = await principal_from_cookie(services, request.cookies.get(COOKIE))
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, principal.csrf_token):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {CSRF_HEADER} header")
    return principal


CurrentUserDep = Annotated[Principal, Depends(current_user)]


def require_role(*roles: UserRole):  # type: ignore[no-untyped-def]
    allowed = {str(r) for r in roles}

    async def check(principal: CurrentUserDep) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not do this")
        return principal

    return check


AgentDep = Annotated[Principal, Depends(require_role(UserRole.AGENT, UserRole.ADMIN))]
AdminDep = Annotated[Principal, Depends(require_role(UserRole.ADMIN))]
