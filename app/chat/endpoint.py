"""``GET /ws/chat``: accepts a websocket and hands it to a ChatConnection."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, WebSocket

from app.chat.connection import ChatConnection
from app.limits import ConnectionCaps
from app.services import Services

router = APIRouter()
log = logging.getLogger(__name__)


@router.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    origin = websocket.headers.get("origin")
    if not services.widget_origins.allows(origin, websocket.headers.get("host")):
        # Closed before accept: the handshake is answered 403. Another site's page may not
        # talk to this store's bot (KEFU_WIDGET_ORIGINS lists the sites that embed it).
        log.warning("chat socket refused for Origin %r", origin)
        services.metrics.origin_refused.labels(surface="socket").inc()
        await websocket.close(code=1008, reason="origin not allowed")
        return
    address = websocket.client.host if websocket.client else "unknown"
    caps = services.connection_caps
    assert caps is not None  # set by Services
    if services.open_connections >= services.settings.max_connections:
        # 1013: try again later. Refused before accept, so it costs almost nothing.
        await websocket.close(code=1013, reason="server busy")
        return
    token = await caps.open(address)
    if token is None:
        # This address has max_connections_per_address sockets open (on any replica).
        services.metrics.connections_refused.inc()
        await websocket.close(code=1013, reason="server busy")
        return
    services.open_connections += 1
    services.metrics.connections.inc()
    keeping = asyncio.create_task(_keep(caps, address, token))
    try:
        await websocket.accept()
        await ChatConnection(websocket, services).run()
    finally:
        keeping.cancel()
        services.open_connections -= 1
        services.metrics.connections.dec()
        await caps.close(address, token)


async def _keep(caps: ConnectionCaps, address: str, token: str, every: float = 30.0) -> None:
    """Tell the caps this socket is still open (a replica that dies stops telling)."""
    while True:
        await asyncio.sleep(every)
        await caps.keep(address, token)
