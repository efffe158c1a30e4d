"""HTTP hardening as ASGI middleware: body size limits, per-address rate limits on the API,
and security headers (a strict CSP on the console and admin pages)."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from app.limits import AddressLimits, InProcessAddressLimits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
STRICT_PREFIXES = ("/console", "/admin")


async def _reply(
    send: Send, status: int, detail: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HardeningMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        api_rate: float,
        api_burst: int,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Until the services start (and for an app built without them): this process's.
        self.api_limits: AddressLimits = InProcessAddressLimits(api_rate, api_burst)

    def _limits(self, scope: Scope) -> AddressLimits:
        """The services' limits (shared through Redis in scaled mode) once they run."""
        app = scope.get("app")
        services = getattr(getattr(app, "state", None), "services", None)
        limits = getattr(services, "api_limits", None)
        return limits if limits is not None else self.api_limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        client = scope.get("client") or ("unknown", 0)
        if path.startswith("/api/") and not await self._limits(scope).allow(
            client[0], time.monotonic()
        ):
            await _reply(send, 429, "too many requests; slow down", ((b"retry-after", b"1"),))
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await _reply(send, 413, f"request body over {self.max_body_bytes} bytes")
            return

        if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            # A body without Content-Length (chunked): read it up to the limit first.
            chunks, size = [], 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if size > self.max_body_bytes:
                    await _reply(send, 413, f"request body over {self.max_body_bytes} bytes")
                    return
                if not message.get("more_body", False):
                    break
            replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

            async def buffered_receive() -> Message:
                return replay.pop() if replay else await receive()

            receive = buffered_receive

        strict = path.startswith(STRICT_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if strict:
                    extra += [
                        (b"content-security-policy", CSP.encode()),
                        (b"x-frame-options", b"DENY"),
                        (b"cache-control", b"no-store"),
                    ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
