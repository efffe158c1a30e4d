"""A real websocket client speaking protocol v1, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection


class ChatClient:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self.conversation_id: str | None = None
        self.resume_token: str | None = None

    @classmethod
    async def connect(cls, url: str, **kwargs: Any) -> ChatClient:
        return cls(await websockets.connect(url, max_size=2**22, **kwargs))

    async def send(self, frame: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def recv(self, timeout: float = 15.0) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.frames.append(frame)
        return frame

    async def recv_until(self, predicate: Any, timeout: float = 30.0) -> dict[str, Any]:
        """Frames until one satisfies ``predicate`` (returned); others are kept in ``frames``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no matching frame; got {self.frames[-10:]}")
            frame = await self.recv(timeout=left)
            if predicate(frame):
                return frame

    async def hello(
        self,
        conversation_id: str | None = None,
        resume_token: str | None = None,
        last_seq: int = 0,
        locale: str | None = None,
    ) -> dict[str, Any]:
        await self.send(
            {
                "type": "hello",
                "conversation_id": conversation_id,
                "resume_token": resume_token,
                "last_seq": last_seq,
                "locale": locale,
            }
        )
        welcome = await self.recv_until(lambda f: f["type"] in ("welcome", "error"))
        if welcome["type"] == "welcome":
            self.conversation_id = welcome["conversation_id"]
            self.resume_token = welcome["resume_token"]
        return welcome

    async def say(self, text: str, client_id: str | None = None) -> dict[str, Any]:
        """Send a message and return its ack."""
        client_id = client_id or uuid.uuid4().hex
        await self.send({"type": "message", "client_id": client_id, "text": text})
        return await self.recv_until(
            lambda f: (f["type"] == "ack" and f["client_id"] == client_id) or f["type"] == "error"
        )

    async def find(self, predicate: Any, timeout: float = 30.0) -> dict[str, Any]:
        """The first frame matching ``predicate``, whether already received or still to come."""
        seen = next((f for f in self.frames if predicate(f)), None)
        return seen if seen is not None else await self.recv_until(predicate, timeout=timeout)

    async def bot_reply(self, after_seq: int, timeout: float = 30.0) -> dict[str, Any]:
        """The first bot message after ``after_seq``, whether already received or still to come."""
        return await self.find(
            lambda f: f["type"] == "message" and f["role"] == "bot" and f["seq"] > after_seq,
            timeout=timeout,
        )

    def messages(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == "message"]

    async def close(self) -> None:
        await self.ws.close()
