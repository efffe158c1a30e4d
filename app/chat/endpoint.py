"""``GET /ws/chat``: accepts a websocket and hands it to a ChatConnection."""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket

from app.chat.connection import ChatConnection
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
    per_address = services.connections_by_address
    if (
        services.open_connections >= services.settings.max_connections
        or per_address[address] >= services.settings.max_connections_per_address
    ):
        # 1013: try again later. Refused before accept, so it costs almost nothing.
        await websocket.close(code=1013, reason="server busy")
        return
    services.open_connections += 1
    per_address[address] += 1
    services.metrics.connections.inc()
    try:
        await websocket.accept()
        await ChatConnection(websocket, services).run()
    finally:
        services.open_connections -= 1
        per_address[address] -= 1
        if per_address[address] <= 0:
            del per_address[address]
        services.metrics.connections.dec()
