"""Websocket protocol v1 (``/ws/chat``) as a pure core: frames in, typed values or errors out.

No I/O here. The endpoint (app/chat/endpoint.py) moves frames between the socket and this
module; docs/protocol.md is the contract for client authors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from app.chat.exceptions import ProtocolError

LOCALES = ("en", "zh")
MAX_CLIENT_ID_CHARS = 64
MAX_ID_CHARS = 128


class ErrorCode(StrEnum):
    BAD_JSON = "bad_json"
    BAD_FRAME = "bad_frame"
    TOO_LONG = "too_long"
    RATE_LIMITED = "rate_limited"
    UNAUTHORIZED = "unauthorized"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class Hello:
    conversation_id: str | None
    resume_token: str | None
    last_seq: int
    locale: Literal["en", "zh"] | None


@dataclass(frozen=True, slots=True)
class SendMessage:
    client_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Ping:
    pass


@dataclass(frozen=True, slots=True)
class Typing:
    on: bool


@dataclass(frozen=True, slots=True)
class Read:
    seq: int


@dataclass(frozen=True, slots=True)
class Csat:
    score: int
    comment: str | None


ClientFrame = Hello | SendMessage | Ping | Typing | Read | Csat
MAX_CSAT_COMMENT_CHARS = 1000


def _field(
    frame: dict[str, Any], name: str, kind: type | tuple[type, ...], *, optional: bool
) -> Any:
    if name not in frame or frame[name] is None:
        if optional:
            return None
        raise ProtocolError(ErrorCode.BAD_FRAME, f"'{name}' is required")
    value = frame[name]
    # bool is an int in Python; a seq of `true` is a mistake, not 1.
    if isinstance(value, bool) and kind is not bool:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"'{name}' must be {_kind_name(kind)}")
    if not isinstance(value, kind):
        raise ProtocolError(ErrorCode.BAD_FRAME, f"'{name}' must be {_kind_name(kind)}")
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL cannot store NUL in text: refuse it here with a clear error.
        raise ProtocolError(ErrorCode.BAD_FRAME, f"'{name}' must not contain NUL characters")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "a boolean"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def parse_frame(raw: str | bytes | None, *, max_message_chars: int) -> ClientFrame:
    """Decode one client frame or raise ProtocolError with the error code to send back."""
    if not isinstance(raw, str):
        raise ProtocolError(ErrorCode.BAD_FRAME, "frames must be JSON text frames, not binary")
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, f"frame is not valid JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise ProtocolError(ErrorCode.BAD_FRAME, "a frame must be a JSON object")
    kind = frame.get("type")
    if not isinstance(kind, str):
        raise ProtocolError(ErrorCode.BAD_FRAME, "a frame needs a string 'type'")
    match kind:
        case "hello":
            return _parse_hello(frame)
        case "message":
            return _parse_message(frame, max_message_chars)
        case "ping":
            return Ping()
        case "typing":
            return Typing(on=_field(frame, "on", bool, optional=False))
        case "read":
            seq = _field(frame, "seq", int, optional=False)
            if seq < 0:
                raise ProtocolError(ErrorCode.BAD_FRAME, "'seq' must be >= 0")
            return Read(seq=seq)
        case "csat":
            score = _field(frame, "score", int, optional=False)
            comment = _field(frame, "comment", str, optional=True)
            if not 1 <= score <= 5:
                raise ProtocolError(ErrorCode.BAD_FRAME, "'score' must be 1 to 5")
            if comment is not None and len(comment) > MAX_CSAT_COMMENT_CHARS:
                raise ProtocolError(
                    ErrorCode.TOO_LONG, f"'comment' is over {MAX_CSAT_COMMENT_CHARS} characters"
                )
            return Csat(score=score, comment=comment or None)
        case _:
            raise ProtocolError(ErrorCode.BAD_FRAME, f"unknown frame type {kind[:40]!r}")


def _parse_hello(frame: dict[str, Any]) -> Hello:
    conversation_id = _field(frame, "conversation_id", str, optional=True)
    resume_token = _field(frame, "resume_token", str, optional=True)
    last_seq = _field(frame, "last_seq", int, optional=True) or 0
    locale = _field(frame, "locale", str, optional=True)
    if conversation_id is not None and not (0 < len(conversation_id) <= MAX_ID_CHARS):
        raise ProtocolError(ErrorCode.BAD_FRAME, "'conversation_id' has a bad length")
    if conversation_id is not None and not resume_token:
        raise ProtocolError(
            ErrorCode.UNAUTHORIZED, "resuming a conversation needs its resume_token"
        )
    if resume_token is not None and len(resume_token) > MAX_ID_CHARS:
        raise ProtocolError(ErrorCode.UNAUTHORIZED, "bad resume_token")
    if last_seq < 0:
        raise ProtocolError(ErrorCode.BAD_FRAME, "'last_seq' must be >= 0")
    if locale is not None and locale not in LOCALES:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"'locale' must be one of {LOCALES} or null")
    return Hello(conversation_id, resume_token, last_seq, locale)  # type: ignore[arg-type]


def _parse_message(frame: dict[str, Any], max_message_chars: int) -> SendMessage:
    client_id = _field(frame, "client_id", str, optional=False)
    text = _field(frame, "text", str, optional=False)
    if not (0 < len(client_id) <= MAX_CLIENT_ID_CHARS):
        raise ProtocolError(
            ErrorCode.BAD_FRAME, f"'client_id' must be 1 to {MAX_CLIENT_ID_CHARS} characters"
        )
    if len(text) > max_message_chars:
        raise ProtocolError(
            ErrorCode.TOO_LONG,
            f"message is {len(text)} characters; the limit is {max_message_chars}",
        )
    # Lone surrogates cannot be stored as UTF-8; reject them instead of failing in the DB.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ProtocolError(ErrorCode.BAD_FRAME, "'text' is not valid Unicode") from None
    if not text.strip():
        raise ProtocolError(ErrorCode.BAD_FRAME, "'text' must not be empty")
    return SendMessage(client_id=client_id, text=text)


# --- server -> client frames ---------------------------------------------------------------


def error_frame(code: ErrorCode, message: str) -> dict[str, Any]:
    return {"type": "error", "code": str(code), "message": message}


def welcome_frame(conversation_id: str, resume_token: str, status: str) -> dict[str, Any]:
    return {
        "type": "welcome",
        "conversation_id": conversation_id,
        "resume_token": resume_token,
        "status": status,
    }


def ack_frame(client_id: str, seq: int) -> dict[str, Any]:
    return {"type": "ack", "client_id": client_id, "seq": seq}


class TokenBucket:
    """Allows ``burst`` events at once and ``rate`` per second sustained; time is passed in."""

    def __init__(self, rate: float, burst: int) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("TokenBucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._last: float | None = None

    def allow(self, now: float) -> bool:
        if self._last is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


def message_frame(
    *,
    seq: int,
    role: str,
    text: str,
    created_at: datetime,
    client_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A server ``message`` frame; ``extra`` adds optional fields (sources, buttons, agent)."""
    frame: dict[str, Any] = {
        "type": "message",
        "seq": seq,
        "role": role,
        "text": text,
        "created_at": created_at.isoformat(),
    }
    if client_id is not None:
        frame["client_id"] = client_id
    for key, value in (extra or {}).items():
        if key not in frame and key in PUBLIC_MESSAGE_FIELDS:
            frame[key] = value
    return frame


# Fields of a stored message's ``extra`` that the customer may see. Claim statuses, NLU
# parses and private notes stay in the database for the agents' console.
PUBLIC_MESSAGE_FIELDS = frozenset({"sources", "buttons", "agent", "stream_id"})
