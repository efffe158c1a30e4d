"""Server-sent events: encoding on the server, incremental parsing on the client.

Only what OpenAI-compatible streams use: ``data:`` fields (several make one multi-line
data), ``event:`` names, comments (``:`` lines) and blank lines ending an event; lines may
end with LF, CRLF or CR, and bytes may arrive split anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    data: str
    event: str = "message"


def encode_event(data: str, event: str | None = None) -> bytes:
    """One event as bytes; a multi-line ``data`` becomes several ``data:`` lines."""
    lines = [f"event: {event}"] if event else []
    lines += [f"data: {line}" for line in data.split("\n")]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


class SSEDecoder:
    """Feed bytes with :meth:`feed`; it returns the events completed so far."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event = ""

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        self._buffer += chunk
        events: list[ServerSentEvent] = []
        while True:
            line, found = self._next_line()
            if not found:
                return events
            event = self._line(line)
            if event is not None:
                events.append(event)

    def _next_line(self) -> tuple[str, bool]:
        for index, byte in enumerate(self._buffer):
            if byte in (0x0A, 0x0D):
                if byte == 0x0D and index + 1 == len(self._buffer):
                    return "", False  # a CR at the end may be the first half of CRLF
                end = index + 2 if self._buffer[index : index + 2] == b"\r\n" else index + 1
                line = self._buffer[:index].decode("utf-8")
                self._buffer = self._buffer[end:]
                return line, True
        return "", False

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            if not self._data:
                self._event = ""
                return None
            event = ServerSentEvent("\n".join(self._data), self._event or "message")
            self._data, self._event = [], ""
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None
