"""Which language a piece of text is in, and the normal form used to compare surface forms."""

from __future__ import annotations

import unicodedata
from typing import Literal

Language = Literal["en", "zh"]


def is_cjk(ch: str) -> bool:
    """A Chinese character: CJK Unified Ideographs with extensions A-G and the
    compatibility block. Kana and Hangul are not: kefu's second language is Chinese."""
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2EBEF
        or 0x30000 <= code <= 0x3134F
    )


def detect_language(text: str) -> Language:
    """``"zh"`` as soon as the text holds a Chinese character (mixed text is Chinese: kefu
    answers "Aurora X2 有银色的吗?" in Chinese), else ``"en"``. The one language detector of
    the NLU, the dialogue and the knowledge answer."""
    return "zh" if any(is_cjk(ch) for ch in text) else "en"


def fold(text: str) -> str:
    """Case- and width-insensitive form with single spaces, for display-level comparison."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# Characters that never distinguish two names ("X-2" = "X2", "Vector 14" = "vector14").
#: Titles written with a dot that ends no sentence ("Dr. Grace Lee", "Mt. Tam").
TITLES = ("Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "Mt", "St", "Jr", "Sr")

_IGNORED = frozenset(" \t\n\r-_·・'’\u00a0")


def key_with_offsets(text: str) -> tuple[str, list[int]]:
    """The match key of ``text`` and, per key character, its index in ``text``."""
    folded_text = unicodedata.normalize("NFKC", text).casefold()
    if len(folded_text) == len(text):
        # Fast path (almost always): normalisation kept one character per character.
        kept = [i for i, ch in enumerate(folded_text) if ch not in _IGNORED and not ch.isspace()]
        return "".join(folded_text[i] for i in kept), kept
    chars: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        for folded in unicodedata.normalize("NFKC", ch).casefold():
            if folded in _IGNORED or folded.isspace():
                continue
            chars.append(folded)
            offsets.append(index)
    return "".join(chars), offsets


def match_key(text: str) -> str:
    """The key two surface forms must share to match (case, width, spaces, hyphens ignored)."""
    return key_with_offsets(text)[0]


def is_word_char(ch: str) -> bool:
    """Latin letters and digits form words; a name must not start or end inside one."""
    return ch.isascii() and ch.isalnum()


# Status words as shop systems export them (``sold_out``), said in Chinese.
STATUS_ZH = {
    "in stock": "有货",
    "out of stock": "缺货",
    "sold out": "售罄",
    "discontinued": "已停产",
    "pre order": "可预订",
    "preorder": "可预订",
    "backorder": "可预订",
    "available": "有货",
    "unavailable": "无货",
    "coming soon": "即将上市",
    "low stock": "库存紧张",
}
_STATUS_FROM_ZH = {zh: en for en, zh in reversed(STATUS_ZH.items())}


def text_key(text: str) -> str:
    """The key two text values must share to be the same value: as ``match_key``, with a
    status word's Chinese and identifier spellings ("售罄", "sold_out") as "sold out"."""
    stripped = text.strip()
    english = _STATUS_FROM_ZH.get(stripped, stripped)
    return match_key(english.replace("_", " "))
