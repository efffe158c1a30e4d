"""Entity values: synonyms to canonical values, numbers, order IDs and emails.

:class:`ValueNormaliser` is built from training data and applied to every entity the
pipeline returns, whichever extractor found it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dialogue.nlu.types import Entity

__all__ = ["ValueNormaliser", "parse_number"]

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000}
_ORDER_ID = re.compile(r"[A-Za-z]\s*-?\s*\d{4,}")


def _chinese_number(text: str) -> int | None:
    if not text or any(c not in _DIGITS and c not in _UNITS and c != "万" for c in text):
        return None
    if "万" in text:
        high, _, low = text.partition("万")
        high_value = _chinese_number(high) if high else 1
        low_value = _chinese_number(low) if low else 0
        if high_value is None or low_value is None:
            return None
        return high_value * 10000 + low_value
    if all(c in _DIGITS for c in text):
        # Digit by digit ("一二三" = 123), as people read out numbers.
        return int("".join(str(_DIGITS[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        else:
            total += (current or 1) * _UNITS[char]
            current = 0
    return total + current


def _english_number(text: str) -> int | None:
    words = re.split(r"[\s-]+", text.lower().strip())
    if not words or any(w not in _WORDS and w not in _SCALES and w != "and" for w in words):
        return None
    total, current = 0, 0
    for word in words:
        if word in _WORDS:
            current += _WORDS[word]
        elif word in _SCALES:
            current = (current or 1) * _SCALES[word]
            if word == "thousand":
                total, current = total + current, 0
    return total + current


def parse_number(text: str) -> int | float | None:
    """A number written with digits ("12", "1,200", "3.5", full-width "１２"), English
    words ("twenty one") or Chinese numerals ("十二", "两", "三千五百"); None otherwise."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", plain):
        plain = plain.replace(",", "")
    if re.fullmatch(r"\d+", plain):
        return int(plain)
    if re.fullmatch(r"\d+[.,]\d+", plain):
        return float(plain.replace(",", "."))
    return (
        _chinese_number(plain)
        if plain and plain[0] in "零〇一二两三四五六七八九十百千万"
        else _english_number(plain)
    )


class ValueNormaliser:
    """Maps entity values to canonical ones: synonyms first (case-insensitive, on the value
    and on the surface text), then by type: ``number`` to int/float, ``order_id`` to upper
    case without spaces ("a 10001" -> "A10001"), ``email`` to lower case."""

    def __init__(self, synonyms: Mapping[str, str]) -> None:
        self.synonyms = {k.strip().lower(): v for k, v in synonyms.items()}

    def value(self, entity: str, value: Any, text: str) -> Any:
        if isinstance(value, str):
            canonical = self.synonyms.get(value.strip().lower()) or self.synonyms.get(
                text.strip().lower()
            )
            if canonical is not None:
                return canonical
        if entity == "number" and isinstance(value, str):
            number = parse_number(value)
            return value if number is None else number
        if entity == "order_id" and isinstance(value, str) and _ORDER_ID.fullmatch(value.strip()):
            return re.sub(r"[\s-]", "", value).upper()
        if entity == "email" and isinstance(value, str):
            return value.strip().lower()
        return value

    def __call__(self, entity: Entity) -> Entity:
        """``entity`` with its value normalised."""
        return replace(entity, value=self.value(entity.entity, entity.value, entity.text))
