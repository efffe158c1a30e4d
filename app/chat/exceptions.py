"""Errors of the chat edge.

ProtocolError      a client frame that cannot be accepted; carries the error code to send
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.chat.protocol import ErrorCode


class ProtocolError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
