"""Stop sequences found in streamed text, even when they straddle token boundaries."""

from __future__ import annotations

from collections.abc import Sequence


class StopMatcher:
    """Feed text pieces in order; get back the text that is safe to show.

    Text that might be the start of a stop sequence is held back until the next piece
    decides it. Once a stop sequence is found, :attr:`stopped` is True and neither it nor
    anything after it is ever returned. At the end of a generation call :meth:`flush`.
    """

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = tuple(s for s in stops if s)
        self.stopped = False
        self._held = ""

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        text = self._held + piece
        found = [i for i in (text.find(s) for s in self.stops) if i >= 0]
        if found:
            self.stopped = True
            self._held = ""
            return text[: min(found)]
        hold = self._partial_stop_length(text)
        self._held = text[len(text) - hold :] if hold else ""
        return text[: len(text) - hold]

    def flush(self) -> str:
        """The held-back text, when the generation ended without a stop sequence."""
        text, self._held = self._held, ""
        return "" if self.stopped else text

    def _partial_stop_length(self, text: str) -> int:
        """Length of the longest end of ``text`` that begins some stop sequence."""
        longest = 0
        for stop in self.stops:
            for k in range(min(len(stop) - 1, len(text)), longest, -1):
                if text.endswith(stop[:k]):
                    longest = k
                    break
        return longest
