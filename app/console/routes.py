"""``/api/v1/console``: what agents (and admins) do with conversations.

Commands are REST calls (with the CSRF header); live updates come over ``/ws/console``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from app.api.deps import DB_INT_MAX, ServicesDep
from app.auth.deps import AgentDep
from app.console.rows import conversation_rows
from app.console.summary import summarize
from app.db import conversations as store
from app.db.models import AgentNote, Conversation, ConversationStatus, Role, User
from app.handoff import HandoffError
from app.realtime import publish_message, to_agents, to_customer
from app.realtime.fanout import agent_message_frame

router = APIRouter(prefix="/api/v1/console", tags=["console"])


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    client_id: str = Field(default_factory=lambda: uuid.uuid4().hex, min_length=1, max_length=64)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class ReadIn(BaseModel):
    seq: int = Field(ge=0, le=DB_INT_MAX)


async def _conversation(services: ServicesDep, conversation_id: str) -> Conversation:
    async with services.db.session() as session:
        conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
    return conversation


@router.get("/conversations")
async def list_conversations(
    services: ServicesDep,
    agent: AgentDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict[str, Any]:
    async with services.db.session() as session:
        rows = await conversation_rows(session, limit=limit)
    return {"conversations": rows, "me": {"id": agent.user_id, "name": agent.display_name}}


@router.get("/conversations/{conversation_id}")
async def conversation_detail(
    conversation_id: str, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    """Transcript with private fields, notes, slots, the latest NLU parse and a summary."""
    async with services.db.session() as session:
        rows = await conversation_rows(session, ids=[conversation_id], limit=1)
        if not rows:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
        messages = await store.messages_after(
            session, conversation_id=conversation_id, after_seq=0, limit=2000
        )
        events = await store.load_events(session, conversation_id=conversation_id)
        notes = (
            await session.execute(
                select(AgentNote, User.display_name)
                .outerjoin(User, User.id == AgentNote.author_id)
                .where(AgentNote.conversation_id == conversation_id)
                .order_by(AgentNote.id)
            )
        ).all()
        conversation = await session.get(Conversation, conversation_id)
    frames = [agent_message_frame(m) for m in messages]
    slots: dict[str, Any] = {}
    parse = None
    for event in events:
        if event.get("event") == "slot":
            slots[str(event.get("name"))] = event.get("value")
        elif event.get("event") == "user":
            parse = event.get("parse_data")
    assert conversation is not None
    return {
        "conversation": rows[0],
        "messages": frames,
        "notes": [
            {"id": n.id, "text": n.text, "author": author, "created_at": n.created_at.isoformat()}
            for n, author in notes
        ],
        "slots": slots,
        "parse": parse,
        "summary": conversation.summary or summarize(events, frames),
        "csat": {"score": conversation.csat_score, "comment": conversation.csat_comment},
    }


def _handoff_error(exc: HandoffError) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


@router.post("/conversations/{conversation_id}/take-over")
async def take_over(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    """Assign the conversation to me; the bot stops replying to the customer."""
    await _conversation(services, conversation_id)
    try:
        await services.handoff.take_over(conversation_id, agent_id=agent.user_id)
    except HandoffError as exc:
        raise _handoff_error(exc) from None
    # What happened before the agent arrived (the summary job stores it too).
    async with services.db.session() as session:
        events = await store.load_events(session, conversation_id=conversation_id)
        messages = await store.messages_after(session, conversation_id=conversation_id, after_seq=0)
    text = summarize(events, [agent_message_frame(m) for m in messages])
    return {"status": ConversationStatus.ASSIGNED, "summary": text}


@router.post("/conversations/{conversation_id}/resolve")
async def resolve(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, str]:
    await _conversation(services, conversation_id)
    try:
        await services.handoff.resolve(conversation_id, agent_id=agent.user_id)
    except HandoffError as exc:
        raise _handoff_error(exc) from None
    return {"status": ConversationStatus.RESOLVED}


@router.post("/conversations/{conversation_id}/hand-back")
async def hand_back(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, str]:
    await _conversation(services, conversation_id)
    try:
        await services.handoff.hand_back(conversation_id, agent_id=agent.user_id)
    except HandoffError as exc:
        raise _handoff_error(exc) from None
    return {"status": ConversationStatus.BOT}


@router.post("/conversations/{conversation_id}/messages")
async def reply(
    conversation_id: str, body: ReplyIn, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    """Send a message to the customer; only the agent the conversation is assigned to may."""
    conversation = await _conversation(services, conversation_id)
    if (
        conversation.status != ConversationStatus.ASSIGNED
        or conversation.assigned_agent_id != agent.user_id
    ):
        raise HTTPException(status.HTTP_409_CONFLICT, "take the conversation over first")
    async with services.db.session() as session:
        result = await store.append_message(
            session,
            conversation_id=conversation_id,
            role=Role.AGENT,
            text=body.text,
            client_id=body.client_id,
            extra={"agent": agent.display_name, "agent_id": agent.user_id},
        )
    if not result.duplicate:
        services.metrics.messages.labels(role=Role.AGENT).inc()
        await publish_message(services.hub, result.message)
        await services.webhooks.emit_message(result.message)
        await services.console.conversation_changed(conversation_id)
    return {"seq": result.message.seq, "client_id": body.client_id}


@router.post("/conversations/{conversation_id}/notes")
async def add_note(
    conversation_id: str, body: NoteIn, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    """A private note: stored apart from messages, shown to agents only."""
    await _conversation(services, conversation_id)
    async with services.db.session() as session:
        note = AgentNote(conversation_id=conversation_id, author_id=agent.user_id, text=body.text)
        session.add(note)
        await session.commit()
        payload = {
            "id": note.id,
            "text": note.text,
            "author": agent.display_name,
            "created_at": note.created_at.isoformat(),
        }
    await to_agents(services.hub, conversation_id, {"type": "note", "note": payload})
    return payload


@router.post("/conversations/{conversation_id}/read")
async def mark_read(
    conversation_id: str, body: ReadIn, services: ServicesDep, agent: AgentDep
) -> dict[str, int]:
    await _conversation(services, conversation_id)
    async with services.db.session() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.agent_read_seq < body.seq)
            .values(agent_read_seq=body.seq)
        )
        await session.commit()
    await to_customer(
        services.hub, conversation_id, {"type": "read", "role": "agent", "seq": body.seq}
    )
    await to_agents(
        services.hub, conversation_id, {"type": "read", "role": "agent", "seq": body.seq}
    )
    return {"seq": body.seq}


@router.post("/conversations/{conversation_id}/suggestion")
async def suggestion(
    conversation_id: str, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    """A reply the bot would write to the latest customer message, for the agent to edit.

    Only the NLU and the domain's responses are used: nothing is stored and no business
    action runs (a draft must never cancel an order).
    """
    async with services.db.session() as session:
        last = (
            await session.execute(
                select(store.Message)
                .where(
                    store.Message.conversation_id == conversation_id,
                    store.Message.role == Role.CUSTOMER,
                )
                .order_by(store.Message.seq.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
    if last is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no customer message to answer")
    draft = services.assistant.draft_reply(last.text)
    return {"seq": last.seq, **draft}


@router.get("/canned-responses")
async def canned_responses(
    services: ServicesDep,
    agent: AgentDep,
    language: Annotated[str, Query(pattern="^(en|zh)$")] = "en",
) -> dict[str, Any]:
    """The assistant's own responses, in one language, as canned replies for agents."""
    return {"language": language, "responses": services.assistant.canned_responses(language)}
