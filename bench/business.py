"""A business folder as bench.answers plays it: ``graph.csv`` (kefu's CSV triples) and
``conversations.json`` (``{"conversations": [[{"say", "expect", "forbid"}, ...], ...]}``,
``expect`` and ``forbid`` case-insensitive regular expressions on the bot's reply).

Besides right and wrong, two things a business must never see are counted per reply:

- **unsupported numbers**: a number the reply says that neither the graph holds (a value,
  a date's or a time's parts, or a simple unit conversion of a quantity: 120 seconds as
  2 minutes, 800 ml as 0.8 l, 20:00 as 8 pm) nor the customer's message;
- **foreign names**: a name that only another business's graph holds (the demo store's
  products and policies, its store name, its currency), said to this business's customers.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

__all__ = [
    "Business",
    "foreign_names",
    "graph_numbers",
    "read_business",
    "regex_right",
    "unsupported_numbers",
]

_NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")
# Units a quantity can be said in, by the factor to a base unit of its dimension.
_FACTORS: dict[str, tuple[str, Decimal]] = {
    "seconds": ("time", Decimal(1)),
    "second": ("time", Decimal(1)),
    "s": ("time", Decimal(1)),
    "minutes": ("time", Decimal(60)),
    "minute": ("time", Decimal(60)),
    "min": ("time", Decimal(60)),
    "hours": ("time", Decimal(3600)),
    "hour": ("time", Decimal(3600)),
    "h": ("time", Decimal(3600)),
    "days": ("time", Decimal(86400)),
    "day": ("time", Decimal(86400)),
    "weeks": ("time", Decimal(604800)),
    "months": ("months", Decimal(1)),
    "month": ("months", Decimal(1)),
    "years": ("months", Decimal(12)),
    "year": ("months", Decimal(12)),
    "g": ("mass", Decimal(1)),
    "kg": ("mass", Decimal(1000)),
    "ml": ("volume", Decimal(1)),
    "l": ("volume", Decimal(1000)),
    "mm": ("length", Decimal(1)),
    "cm": ("length", Decimal(10)),
    "m": ("length", Decimal(1000)),
    "km": ("length", Decimal(1000000)),
}
_SAY_IN = {
    "time": ("seconds", "minutes", "hours", "days", "weeks"),
    "months": ("months", "years"),
    "mass": ("g", "kg"),
    "volume": ("ml", "l"),
    "length": ("mm", "cm", "m", "km"),
}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Business:
    name: str
    graph_csv: Path
    conversations: list[list[dict[str, Any]]]


def read_business(folder: Path) -> Business:
    """The business in ``folder``; a missing or malformed file raises SystemExit (2)."""
    graph_csv = folder / "graph.csv"
    path = folder / "conversations.json"
    if not graph_csv.is_file() or not path.is_file():
        raise SystemExit(f"{folder}: a business folder holds graph.csv and conversations.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        conversations = data["conversations"]
        for conversation in conversations:
            for turn in conversation:
                if not isinstance(turn.get("say"), str):
                    raise KeyError("say")
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise SystemExit(f"{path}: not a conversations file ({error})") from None
    return Business(folder.name, graph_csv, conversations)


def regex_right(reply: str, expect: Iterable[str], forbid: Iterable[str]) -> bool:
    """Every ``expect`` pattern matches the reply and no ``forbid`` pattern does."""
    return all(re.search(p, reply, re.IGNORECASE) for p in expect) and not any(
        re.search(p, reply, re.IGNORECASE) for p in forbid
    )


def _canonical(text: str) -> str | None:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    normal = number.normalize()
    return format(normal, "f") if normal == normal.to_integral() else str(normal)


def numbers_in(text: str) -> list[str]:
    found = (_canonical(m.group()) for m in _NUMBER.finditer(text))
    return [n for n in found if n is not None]


def graph_numbers(rows: Iterable[tuple[str, str, str, str]]) -> set[str]:
    """Every number the graph's facts hold, as written and in the simple conversions a
    reply may use (canonical decimals: ``168`` for 168.00)."""
    numbers: set[str] = set()
    for _, predicate, obj, unit in rows:
        numbers.update(numbers_in(obj))
        numbers.update(numbers_in(predicate.replace("_", " ")))  # "has 5g" is a name
        clock = _CLOCK.match(obj.strip())
        if clock:
            hour = int(clock.group(1))
            numbers.add(str(hour % 12 or 12))
        amount = _canonical(obj.strip()) if _NUMBER.fullmatch(obj.strip()) else None
        factor = _FACTORS.get(unit.strip().lower())
        if amount is None or factor is None:
            continue
        dimension, scale = factor
        base = Decimal(amount) * scale
        for other in _SAY_IN[dimension]:
            value = base / _FACTORS[other][1]
            if value == value.quantize(Decimal("0.01")):
                canonical = _canonical(str(value))
                if canonical is not None:
                    numbers.add(canonical)
    return numbers


def set_sizes(rows: Iterable[tuple[str, str, str, str]]) -> set[str]:
    """How many things there are of each type, and of each type with one or two given
    values ("9 apartments in Fresno", "3 furnished apartments in San Mateo"): the counts a
    reply may state, counted from the rows alone (not by kefu's checker)."""
    types: dict[str, str] = {}
    values: dict[str, set[tuple[str, str]]] = {}
    for subject, predicate, obj, _ in rows:
        if predicate == "type":
            types.setdefault(subject, obj)
        elif predicate not in ("name", "alias"):
            values.setdefault(subject, set()).add((predicate, obj.strip().casefold()))
    sizes: Counter[tuple[object, ...]] = Counter()
    for subject, kind in types.items():
        held = sorted(values.get(subject, set()))
        sizes[(kind,)] += 1
        for i, first in enumerate(held):
            sizes[(kind, first)] += 1
            for second in held[i + 1 :]:
                sizes[(kind, first, second)] += 1
    return {str(n) for n in sizes.values()}


_COUNTED = re.compile(r"(?:\bhave|\bare|有)\s*(\d+)")


def unsupported_numbers(
    reply: str, question: str, allowed: set[str], sizes: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """The reply's numbers that neither ``allowed`` (the graph's) nor the question holds;
    a number said as a count ("We have 9 …", "有9套") may also be one of ``sizes``."""
    asked = set(numbers_in(question))
    counted = {m.group(1) for m in _COUNTED.finditer(reply)} & sizes
    return [n for n in numbers_in(reply) if n not in allowed | asked | counted]


def foreign_names(reply: str, names: Iterable[str]) -> list[str]:
    """Which of ``names`` (another business's) the reply says."""
    said = reply.casefold()
    found = []
    for name in names:
        key = name.casefold()
        if key.isascii():
            if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", said):
                found.append(name)
        elif key in said:
            found.append(name)
    return found
