"""Tokens with character offsets, for entity tagging in any language.

A token is a run of letters/digits (Latin, Cyrillic, ...), a single Chinese character, or
a single other non-space character (punctuation, symbols). Chinese has no spaces, so one
character per token lets entity spans start and end anywhere in Chinese text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CJK_CHAR", "Token", "token_shape", "tokenize_with_offsets"]

CJK_CHAR = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{CJK_CHAR}]|[^\W_{CJK_CHAR}]+|[^\s]")


@dataclass(frozen=True)
class Token:
    """``text == message[start:end]``."""

    text: str
    start: int
    end: int


def tokenize_with_offsets(text: str) -> list[Token]:
    """Split ``text`` into tokens that keep their offsets into ``text``."""
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_shape(token: str) -> str:
    """A coarse shape ("Xx", "x", "X", "d", "Xd", "zh", "p") that helps with unseen tokens."""
    if re.fullmatch(f"[{CJK_CHAR}]", token):
        return "zh"
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    if has_digit and has_alpha:
        return "Xd"
    if has_digit:
        return "d"
    if not has_alpha:
        return "p"
    if token.isupper():
        return "X"
    return "Xx" if token[0].isupper() else "x"
