"""REST access to a customer's own conversation (the resume token is the credential)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, status

from app.api.deps import DB_INT_MAX, ServicesDep, SessionDep
from app.chat.connection import frame_for
from app.db import conversations as store

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


@router.get("/{conversation_id}/messages")
async def list_messages(
    conversation_id: str,
    session: SessionDep,
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
    origin: Annotated[str | None, Header()] = None,
    host: Annotated[str | None, Header()] = None,
    after_seq: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Messages of one conversation, for its customer: ``Authorization: Bearer <resume_token>``."""
    if not services.widget_origins.allows(origin, host):
        services.metrics.origin_refused.labels(surface="rest").inc()
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this site may not use the chat (Origin)")
    token = (authorization or "").removeprefix("Bearer ").strip()
    conversation = (
        await store.authorize_resume(session, conversation_id=conversation_id, token=token)
        if token
        else None
    )
    if conversation is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown conversation or wrong resume token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    messages = await store.messages_after(
        session, conversation_id=conversation_id, after_seq=after_seq, limit=limit
    )
    return {
        "conversation_id": conversation_id,
        "status": conversation.status,
        "messages": [frame_for(m) for m in messages],
    }
