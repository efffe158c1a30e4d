"""``GET /ws/console``: live events for a signed-in agent's console.

Authenticated by the session cookie; the Origin must be this server (a page elsewhere
cannot open a socket with the agent's cookie). Agents send ``typing`` and ``ping``
frames; everything else they do goes through the REST API.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.auth.deps import COOKIE, principal_from_cookie
from app.realtime import CONSOLE_CHANNEL, SIGNED_OUT, to_agents, to_customer
from app.services import Services

router = APIRouter()
log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 20.0


def same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: cookies are not sent on its behalf
    host = websocket.headers.get("host", "")
    return urlsplit(origin).netloc == host


@router.websocket("/ws/console")
async def console_socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    principal = await principal_from_cookie(services, websocket.cookies.get(COOKIE))
    if principal is None or not same_origin(websocket):
        await websocket.close(code=1008, reason="sign in first")
        return
    await websocket.accept()
    connection_id = uuid.uuid4().hex
    subscription = await services.hub.subscribe(CONSOLE_CHANNEL)
    send_lock = asyncio.Lock()

    async def send(frame: dict[str, Any]) -> None:
        async with send_lock:
            await websocket.send_json(frame)

    async def forward() -> None:
        async for frame in subscription:
            if frame.get("type") == SIGNED_OUT:
                if frame.get("user_id") == principal.user_id:
                    # Deactivated, a new role or password (the admin API, or the command
                    # line through Redis): closed now. Without Redis the heartbeat catches
                    # the command line's within 20 s.
                    await websocket.close(code=1008, reason="signed out")
                    return
                continue
            await send(frame)

    cookie = websocket.cookies.get(COOKIE)

    async def heartbeat() -> None:
        while True:
            await services.presence.join(principal.user_id, connection_id)
            await asyncio.sleep(HEARTBEAT_SECONDS)
            if await principal_from_cookie(services, cookie) is None:
                # Deactivated, signed out elsewhere, a new role or password: the console
                # closes within a heartbeat.
                await websocket.close(code=1008, reason="signed out")
                return

    await services.presence.join(principal.user_id, connection_id)
    await send(
        {"type": "hello", "agent": {"id": principal.user_id, "name": principal.display_name}}
    )
    tasks: list[asyncio.Task[Any]] = [
        asyncio.create_task(forward()),
        asyncio.create_task(heartbeat()),
    ]
    # An agent coming online may take conversations that were waiting for someone.
    tasks.append(asyncio.create_task(services.handoff.auto_assign()))
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                frame = json.loads(raw)
            except ValueError:
                await send({"type": "error", "code": "bad_json", "message": "frames are JSON"})
                continue
            if not isinstance(frame, dict):
                continue
            kind = frame.get("type")
            conversation_id = frame.get("conversation_id")
            if kind == "ping":
                await send({"type": "pong"})
            elif kind == "typing" and isinstance(conversation_id, str):
                typing = {"type": "typing", "role": "agent", "on": bool(frame.get("on"))}
                await to_customer(services.hub, conversation_id, typing)
                await to_agents(
                    services.hub, conversation_id, {**typing, "agent": principal.display_name}
                )
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        subscription.close()
        await services.presence.leave(principal.user_id, connection_id)
