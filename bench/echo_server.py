"""A bare FastAPI websocket that speaks just enough of protocol v1 to be a baseline.

No database, no bot: ``hello`` -> ``welcome``; ``message`` -> ``ack`` plus a ``message``
frame with ``role: "bot"`` echoing the text. ``bench.ws_load`` runs the same load against
this and against ``kefu run`` so the bot's cost shows as a ratio.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    seq = 0
    try:
        while True:
            frame = json.loads(await websocket.receive_text())
            if frame.get("type") == "hello":
                await websocket.send_json(
                    {
                        "type": "welcome",
                        "conversation_id": uuid.uuid4().hex,
                        "resume_token": uuid.uuid4().hex,
                        "status": "bot",
                    }
                )
            elif frame.get("type") == "message":
                seq += 1
                await websocket.send_json(
                    {"type": "ack", "client_id": frame["client_id"], "seq": seq}
                )
                seq += 1
                await websocket.send_json(
                    {
                        "type": "message",
                        "seq": seq,
                        "role": "bot",
                        "text": frame["text"],
                        "created_at": datetime.now(UTC).isoformat(),
                    }
                )
    except WebSocketDisconnect:
        return


@app.get("/readyz")
async def readyz() -> dict[str, bool]:
    return {"ready": True}
