"""Turning a growing list of token ids into text pieces without breaking characters.

Byte-level tokenizers split one Chinese character over several tokens; decoding those
one at a time gives U+FFFD. :class:`IncrementalDetokenizer` waits until the bytes make
whole characters (the prefix/read offset scheme of vLLM and TGI).
"""

from __future__ import annotations

from typing import Any, Protocol


class Decoder(Protocol):
    def decode(self, token_ids: Any, skip_special_tokens: bool = ..., **kwargs: Any) -> Any: ...


class IncrementalDetokenizer:
    """Call :meth:`add` with each new token id; it returns the new text ("" while waiting)."""

    def __init__(self, tokenizer: Decoder) -> None:
        self._tokenizer = tokenizer
        self.token_ids: list[int] = []
        self._prefix_offset = 0
        self._read_offset = 0

    def add(self, token_id: int) -> str:
        self.token_ids.append(token_id)
        return self._decode_new(final=False)

    def flush(self) -> str:
        """Whatever is still pending at the end, even an incomplete character."""
        return self._decode_new(final=True)

    def _decode_new(self, *, final: bool) -> str:
        decode = self._tokenizer.decode
        prefix = str(
            decode(
                self.token_ids[self._prefix_offset : self._read_offset], skip_special_tokens=True
            )
        )
        full = str(decode(self.token_ids[self._prefix_offset :], skip_special_tokens=True))
        if len(full) <= len(prefix) or (full.endswith("\ufffd") and not final):
            return ""
        # The tokens just shown stay as context: some tokenizers decode a token differently
        # at the start of a text (a dropped leading space) than after another token.
        self._prefix_offset = self._read_offset
        self._read_offset = len(self.token_ids)
        return full[len(prefix) :]
