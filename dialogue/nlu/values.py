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
from knowledge_graph.numerals import parse_number as read_number

__all__ = ["ValueNormaliser", "parse_number"]

_ORDER_ID = re.compile(r"[A-Za-z]\s*-?\s*\d{4,}")


def parse_number(text: str) -> int | float | None:
    """A number written with digits ("12", "1,200", "3.5", "3,5", full-width "１２"), English
    words ("twenty one") or Chinese numerals ("十二", "两", "三千五百"), as an entity value:
    ``int`` when whole and written without a decimal point, else ``float``; None otherwise.
    Read by ``knowledge_graph.numerals.parse_number``."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d+,\d{1,2}|\d{4,},\d+", plain):
        plain = plain.replace(",", ".")  # a decimal comma ("3,5"), not thousands ("1,200")
    value = read_number(plain)
    if value is None:
        return None
    if re.search(r"\d[.]\d", plain):
        return float(value)
    return int(value)


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
