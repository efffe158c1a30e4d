"""An agent, for tests: signs in over HTTP, drives the console API, listens on /ws/console."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.db.engine import sync_url
from app.db.migrate import upgrade
from app.db.models import UserRole
from app.db.users import create_user


def create_account(
    database_url: str,
    username: str,
    password: str,
    role: str = "agent",
    display_name: str | None = None,
) -> None:
    """Migrate the database (if needed) and add an account, as `kefu user create` does."""
    upgrade(database_url)
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            create_user(
                session,
                username=username,
                password=password,
                role=UserRole(role),
                display_name=display_name,
            )
    finally:
        engine.dispose()


class Agent:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.csrf = ""
        self.frames: list[dict[str, Any]] = []
        self.ws: Any = None

    def login(self, username: str, password: str) -> httpx.Response:
        response = self.http.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        if response.status_code == 200:
            self.csrf = response.json()["csrf_token"]
        return response

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    async def listen(self) -> None:
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        url = self.base_url.replace("http", "ws", 1) + "/ws/console"
        self.ws = await websockets.connect(url, additional_headers={"Cookie": cookie})
        hello = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert hello["type"] == "hello"

    async def recv_until(self, predicate: Any, timeout: float = 30.0) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"no matching console frame; last: {self.frames[-5:]}")
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), left))
            self.frames.append(frame)
            if predicate(frame):
                return frame

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        self.http.close()
