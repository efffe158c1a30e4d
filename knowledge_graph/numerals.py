"""Numbers written in digits, English words or Chinese numerals, parsed to ``Decimal``:
the one number reader of the knowledge graph and the NLU's entity values."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ZH_DIGITS = {
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
_ZH_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_EN_SCALES = {"hundred": 100, "thousand": 1000}

ZH_NUMERAL_CHARS = "".join(_ZH_DIGITS) + "".join(_ZH_MULTIPLIERS)
EN_NUMBER_WORDS = tuple(sorted({*_EN_UNITS, *_EN_TENS}, key=len, reverse=True))

# One number in any of the three notations; longest alternatives first.
NUMBER_PATTERN = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    rf"|[{ZH_NUMERAL_CHARS}]+"
    r"|(?:" + "|".join(_EN_TENS) + r")(?:[- ](?:" + "|".join(_EN_UNITS) + r"))?"
    r"|(?:" + "|".join(EN_NUMBER_WORDS) + r"))"
)
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def parse_number(text: str) -> Decimal | None:
    """Return the value of ``text`` (``"1,099.00"``, full-width ``"１２"``, ``"二十四"``,
    ``"twenty-four"``, ``"two hundred and five"``) or None."""
    token = unicodedata.normalize("NFKC", text).strip().casefold()
    if not token:
        return None
    if _DIGITS.fullmatch(token):
        try:
            return Decimal(token.replace(",", ""))
        except InvalidOperation:
            return None
    if all(ch in _ZH_DIGITS or ch in _ZH_MULTIPLIERS for ch in token):
        return _parse_chinese(token)
    return _parse_english(token)


def _parse_english(token: str) -> Decimal | None:
    words = [w for w in re.split(r"[\s-]+", token) if w]
    known = {*_EN_UNITS, *_EN_TENS, *_EN_SCALES, "and"}
    if not words or any(w not in known for w in words) or words[0] == "and":
        return None
    total = current = 0
    for word in words:
        if word in _EN_UNITS or word in _EN_TENS:
            current += _EN_UNITS.get(word, 0) + _EN_TENS.get(word, 0)
        elif word in _EN_SCALES:
            current = (current or 1) * _EN_SCALES[word]
            if word == "thousand":
                total, current = total + current, 0
    return Decimal(total + current)


def _parse_chinese(token: str) -> Decimal | None:
    # Plain digit strings such as "二〇二五" read digit by digit.
    if all(ch in _ZH_DIGITS for ch in token):
        if len(token) == 1:
            return Decimal(_ZH_DIGITS[token])
        return Decimal("".join(str(_ZH_DIGITS[ch]) for ch in token))
    total = 0
    section = 0
    digit: int | None = None
    for ch in token:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
            continue
        multiplier = _ZH_MULTIPLIERS[ch]
        if multiplier == 10000:
            total += (section + (digit or 0)) * multiplier
            section, digit = 0, None
            continue
        # "十五" means 15: a bare multiplier counts as one of it.
        section += (1 if digit is None else digit) * multiplier
        digit = None
    return Decimal(total + section + (digit or 0))
