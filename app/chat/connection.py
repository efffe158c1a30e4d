"""One customer's websocket connection: the protocol core driven by socket I/O.

The reader loop parses frames and answers them; a forwarder task relays frames that other
parts of the system publish for this conversation (bot replies, agents, typing). Every
``message`` frame goes out through :meth:`ChatConnection.deliver`, which sends each seq
exactly once and in order, filling any gap from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import update as sa_update
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app.chat import protocol
from app.chat.exceptions import ProtocolError
from app.chat.protocol import (
    Csat,
    ErrorCode,
    Hello,
    Ping,
    Read,
    SendMessage,
    TokenBucket,
    Typing,
)
from app.db import conversations as store
from app.db.models import Conversation, ConversationStatus, Role, User
from app.realtime import Subscription, conversation_channel, publish_message, to_agents
from app.realtime.fanout import customer_message_frame

if TYPE_CHECKING:
    from app.services import Services

log = logging.getLogger(__name__)

# Frames of any kind (pings, typing, ...) a connection may send per second before it is
# told to slow down; message frames have their own, lower limit from the settings.
FRAMES_PER_SECOND = 30.0
FRAME_BURST = 60
REPLAY_BATCH = 500


frame_for = customer_message_frame


class ChatConnection:
    def __init__(self, websocket: WebSocket, services: Services) -> None:
        self.ws = websocket
        self.services = services
        settings = services.settings
        self.conversation_id: str | None = None
        self.sent_seq = 0
        self._send_lock = asyncio.Lock()
        self._messages = TokenBucket(settings.messages_per_second, settings.message_burst)
        self._frames = TokenBucket(FRAMES_PER_SECOND, FRAME_BURST)
        self._subscription: Subscription | None = None
        self._forwarder: asyncio.Task[None] | None = None
        self._closed = False

    # --- sending ------------------------------------------------------------------------

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            await self._send_unlocked(frame)

    async def _send_unlocked(self, frame: dict[str, Any]) -> None:
        if self._closed or self.ws.application_state != WebSocketState.CONNECTED:
            return
        try:
            await self.ws.send_json(frame)
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._closed = True

    async def deliver(self, frame: dict[str, Any]) -> None:
        """Send a ``message`` frame unless already sent; send any missed seq before it."""
        async with self._send_lock:
            seq = int(frame["seq"])
            if seq <= self.sent_seq:
                return
            if seq > self.sent_seq + 1:
                await self._replay_unlocked(until=seq - 1)
                if seq <= self.sent_seq:
                    return
            await self._send_unlocked(frame)
            self.sent_seq = seq

    async def _replay_unlocked(self, until: int | None = None) -> None:
        assert self.conversation_id is not None
        while True:
            async with self.services.db.session() as session:
                missed = await store.messages_after(
                    session,
                    conversation_id=self.conversation_id,
                    after_seq=self.sent_seq,
                    limit=REPLAY_BATCH,
                )
            for message in missed:
                if until is not None and message.seq > until:
                    return
                await self._send_unlocked(frame_for(message))
                self.sent_seq = message.seq
            if len(missed) < REPLAY_BATCH:
                return

    async def error(self, code: ErrorCode, message: str) -> None:
        self.services.metrics.protocol_errors.labels(code=str(code)).inc()
        await self.send(protocol.error_frame(code, message))

    # --- the reader loop ----------------------------------------------------------------

    async def run(self) -> None:
        try:
            while True:
                event = await self.ws.receive()
                if event["type"] == "websocket.disconnect":
                    break
                raw = event.get("text")
                if raw is None:
                    raw = event.get("bytes")
                if not await self.handle_raw(raw):
                    break
        except WebSocketDisconnect:
            pass
        finally:
            await self.close()

    async def handle_raw(self, raw: str | bytes | None) -> bool:
        """Answer one frame; False when the connection must end (after ``unauthorized``)."""
        if not self._frames.allow(time.monotonic()):
            await self.error(ErrorCode.RATE_LIMITED, "too many frames; slow down")
            return True
        try:
            frame = protocol.parse_frame(
                raw, max_message_chars=self.services.settings.max_message_chars
            )
            await self.handle(frame)
        except ProtocolError as exc:
            await self.error(exc.code, exc.message)
            if exc.code == ErrorCode.UNAUTHORIZED:
                await self.ws.close(code=1008, reason="unauthorized")
                return False
        except Exception:
            # The database went away, a bug: say so and keep the connection usable.
            log.exception("chat frame failed (conversation %s)", self.conversation_id)
            await self.error(ErrorCode.INTERNAL, "internal error; nothing was stored, please retry")
        return True

    async def handle(self, frame: protocol.ClientFrame) -> None:
        match frame:
            case Hello():
                await self.on_hello(frame)
            case Ping():
                await self.send({"type": "pong"})
            case SendMessage():
                await self.on_message(frame)
            case Typing():
                conversation_id = await self._require_hello()
                await to_agents(
                    self.services.hub,
                    conversation_id,
                    {"type": "typing", "role": "customer", "on": frame.on},
                )
            case Read():
                await self.on_read(frame)
            case Csat():
                await self.on_csat(frame)

    async def _require_hello(self) -> str:
        if self.conversation_id is None:
            raise ProtocolError(ErrorCode.BAD_FRAME, "send a hello frame first")
        return self.conversation_id

    async def on_hello(self, hello: Hello) -> None:
        if self.conversation_id is not None:
            raise ProtocolError(ErrorCode.BAD_FRAME, "hello was already sent on this connection")
        async with self.services.db.session() as session:
            if hello.conversation_id is None:
                conversation, token = await store.create_conversation(session, locale=hello.locale)
                self.services.metrics.conversations_started.inc()
                await self.services.webhooks.emit(
                    "conversation.created",
                    {"conversation_id": conversation.id, "locale": hello.locale},
                )
            else:
                assert hello.resume_token is not None
                found = await store.authorize_resume(
                    session, conversation_id=hello.conversation_id, token=hello.resume_token
                )
                if found is None:
                    raise ProtocolError(
                        ErrorCode.UNAUTHORIZED, "unknown conversation or wrong resume_token"
                    )
                conversation, token = found, hello.resume_token
        self.conversation_id = conversation.id
        # Subscribe before reading the backlog: whatever is stored after the read arrives
        # through the subscription, and deliver() drops what the replay already sent.
        self._subscription = await self.services.hub.subscribe(
            conversation_channel(conversation.id)
        )
        async with self._send_lock:
            await self._send_unlocked(
                protocol.welcome_frame(conversation.id, token, conversation.status)
            )
            self.sent_seq = hello.last_seq
            await self._replay_unlocked()
        self._forwarder = asyncio.create_task(self._forward(self._subscription))
        if conversation.status != ConversationStatus.BOT:
            await self.send(await self._status_frame(conversation))
        if hello.conversation_id is not None:
            # A turn cut short (a crash, a restart) is finished now that the customer is back.
            self.services.bot.kick(conversation.id)

    async def on_message(self, message: SendMessage) -> None:
        conversation_id = await self._require_hello()
        if not self._messages.allow(time.monotonic()):
            raise ProtocolError(
                ErrorCode.RATE_LIMITED,
                f"more than {self.services.settings.messages_per_second:g} messages a second; "
                "this one was not stored, resend it later",
            )
        async with self.services.db.session() as session:
            result = await store.append_message(
                session,
                conversation_id=conversation_id,
                role=Role.CUSTOMER,
                text=message.text,
                client_id=message.client_id,
            )
        stored = result.message
        await self.send(protocol.ack_frame(message.client_id, stored.seq))
        if not result.duplicate:
            self.services.metrics.messages.labels(role=Role.CUSTOMER).inc()
            await publish_message(self.services.hub, stored)
            await self.services.webhooks.emit_message(stored)
            if result.status == ConversationStatus.RESOLVED:
                # Writing again after a resolved conversation starts over with the bot.
                await self.services.handoff.reopen(conversation_id, from_seq=stored.seq)
            self.services.bot.kick(conversation_id)
            self.services.console.conversation_changed_soon(conversation_id)
        await self.deliver(frame_for(stored))

    async def on_read(self, frame: Read) -> None:
        conversation_id = await self._require_hello()
        async with self.services.db.session() as session:
            await session.execute(
                sa_update(Conversation)
                .where(
                    Conversation.id == conversation_id, Conversation.customer_read_seq < frame.seq
                )
                .values(customer_read_seq=frame.seq)
            )
            await session.commit()
        await to_agents(
            self.services.hub,
            conversation_id,
            {"type": "read", "role": "customer", "seq": frame.seq},
        )

    async def on_csat(self, frame: Csat) -> None:
        conversation_id = await self._require_hello()
        async with self.services.db.session() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None or conversation.status != ConversationStatus.RESOLVED:
                raise ProtocolError(
                    ErrorCode.BAD_FRAME, "a rating is taken once the conversation is resolved"
                )
            conversation.csat_score = frame.score
            conversation.csat_comment = frame.comment
            await session.commit()
        await self.send({"type": "csat", "score": frame.score, "comment": frame.comment})
        await self.services.webhooks.emit(
            "csat",
            {"conversation_id": conversation_id, "score": frame.score, "comment": frame.comment},
        )
        await to_agents(
            self.services.hub,
            conversation_id,
            {"type": "csat", "score": frame.score, "comment": frame.comment},
        )
        await self.services.console.conversation_changed(conversation_id)

    async def _status_frame(self, conversation: Conversation) -> dict[str, Any]:
        agent = None
        if conversation.assigned_agent_id is not None:
            async with self.services.db.session() as session:
                user = await session.get(User, conversation.assigned_agent_id)
                agent = user.display_name if user else None
        frame: dict[str, Any] = {"type": "status", "status": conversation.status, "agent": agent}
        if conversation.status == ConversationStatus.PENDING:
            frame["agents_available"] = self.services.handoff.agents_available()
        return frame

    async def _forward(self, subscription: Subscription) -> None:
        async for envelope in subscription:
            if envelope.get("audience") != "all":
                continue
            frame = envelope["frame"]
            if frame.get("type") == "message":
                await self.deliver(frame)
            else:
                await self.send(frame)
            if self._closed:
                return

    async def close(self) -> None:
        self._closed = True
        if self._subscription is not None:
            self._subscription.close()
        if self._forwarder is not None:
            self._forwarder.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._forwarder
