"""Typed literal values: quantities with units, dates, times of day, flags and text.

A literal fact's ``object`` is its lexical form and its ``unit`` says how to read it
(``129.00`` + ``USD``, ``5-7`` + ``business days``, ``2026-12-15`` + ``date``). Units the
registry does not know are count nouns (``18`` + ``countries``). Compare values with
``same_value``/``value_matches``; never compare lexical forms.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from knowledge_graph.exceptions import UnitError
from knowledge_graph.numerals import parse_number


class Dimension(StrEnum):
    MONEY = "money"
    DURATION = "duration"
    MASS = "mass"
    COUNT = "count"
    PERCENT = "percent"
    DATE = "date"
    TIME = "time"
    LENGTH = "length"
    POWER = "power"
    ENERGY = "energy"
    CHARGE = "charge"
    DATA = "data"
    VOLUME = "volume"
    SPEED = "speed"
    BOOLEAN = "boolean"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """How a unit symbol relates to others: same ``family`` means exactly convertible."""

    symbol: str
    dimension: Dimension
    family: str
    scale: Decimal  # multiples of the family's base unit


def _unit(symbol: str, dimension: Dimension, family: str, scale: str = "1") -> UnitInfo:
    return UnitInfo(symbol, dimension, family, Decimal(scale))


UNITS: dict[str, UnitInfo] = {
    u.symbol: u
    for u in (
        _unit("USD", Dimension.MONEY, "USD"),
        _unit("CNY", Dimension.MONEY, "CNY"),
        _unit("EUR", Dimension.MONEY, "EUR"),
        _unit("GBP", Dimension.MONEY, "GBP"),
        _unit("JPY", Dimension.MONEY, "JPY"),
        _unit("SGD", Dimension.MONEY, "SGD"),
        _unit("HKD", Dimension.MONEY, "HKD"),
        _unit("AUD", Dimension.MONEY, "AUD"),
        _unit("CAD", Dimension.MONEY, "CAD"),
        _unit("NZD", Dimension.MONEY, "NZD"),
        _unit("CHF", Dimension.MONEY, "CHF"),
        _unit("INR", Dimension.MONEY, "INR"),
        _unit("KRW", Dimension.MONEY, "KRW"),
        _unit("TWD", Dimension.MONEY, "TWD"),
        _unit("MYR", Dimension.MONEY, "MYR"),
        _unit("seconds", Dimension.DURATION, "day", str(Decimal(1) / Decimal(86400))),
        _unit("minutes", Dimension.DURATION, "day", str(Decimal(1) / Decimal(1440))),
        _unit("hours", Dimension.DURATION, "day", str(Decimal(1) / Decimal(24))),
        _unit("days", Dimension.DURATION, "day"),
        _unit("weeks", Dimension.DURATION, "day", "7"),
        _unit("business days", Dimension.DURATION, "business day"),
        _unit("months", Dimension.DURATION, "month"),
        _unit("years", Dimension.DURATION, "month", "12"),
        _unit("g", Dimension.MASS, "g"),
        _unit("kg", Dimension.MASS, "g", "1000"),
        _unit("lb", Dimension.MASS, "g", "453.59237"),
        _unit("mm", Dimension.LENGTH, "m", "0.001"),
        _unit("cm", Dimension.LENGTH, "m", "0.01"),
        _unit("m", Dimension.LENGTH, "m"),
        _unit("km", Dimension.LENGTH, "m", "1000"),
        _unit("inch", Dimension.LENGTH, "m", "0.0254"),
        _unit("miles", Dimension.LENGTH, "m", "1609.344"),
        _unit("W", Dimension.POWER, "W"),
        _unit("kW", Dimension.POWER, "W", "1000"),
        _unit("Wh", Dimension.ENERGY, "Wh"),
        _unit("kWh", Dimension.ENERGY, "Wh", "1000"),
        _unit("mAh", Dimension.CHARGE, "mAh"),
        _unit("MB", Dimension.DATA, "B", "0.001"),
        _unit("GB", Dimension.DATA, "B"),
        _unit("TB", Dimension.DATA, "B", "1000"),
        _unit("ml", Dimension.VOLUME, "l", "0.001"),
        _unit("l", Dimension.VOLUME, "l"),
        _unit("km/h", Dimension.SPEED, "km/h"),
        _unit("mph", Dimension.SPEED, "km/h", "1.609344"),
        _unit("%", Dimension.PERCENT, "%"),
        _unit("date", Dimension.DATE, "date"),
        _unit("time", Dimension.TIME, "time"),
        _unit("bool", Dimension.BOOLEAN, "bool"),
        _unit("", Dimension.TEXT, "text"),
    )
}
# Spellings accepted in the ``unit`` column besides the canonical symbols.
UNIT_SPELLINGS = {
    "usd": "USD",
    "$": "USD",
    "dollars": "USD",
    "cny": "CNY",
    "rmb": "CNY",
    "eur": "EUR",
    "€": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "£": "GBP",
    "jpy": "JPY",
    "sgd": "SGD",
    "s$": "SGD",
    "hkd": "HKD",
    "hk$": "HKD",
    "aud": "AUD",
    "a$": "AUD",
    "cad": "CAD",
    "c$": "CAD",
    "nzd": "NZD",
    "chf": "CHF",
    "inr": "INR",
    "₹": "INR",
    "krw": "KRW",
    "₩": "KRW",
    "twd": "TWD",
    "nt$": "TWD",
    "myr": "MYR",
    "rm": "MYR",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "millimetre": "mm",
    "millimeter": "mm",
    "millimetres": "mm",
    "millimeters": "mm",
    "centimetre": "cm",
    "centimeter": "cm",
    "centimetres": "cm",
    "centimeters": "cm",
    "metre": "m",
    "meter": "m",
    "metres": "m",
    "meters": "m",
    "kilometre": "km",
    "kilometer": "km",
    "kilometres": "km",
    "kilometers": "km",
    "in": "inch",
    "inches": "inch",
    '"': "inch",
    "″": "inch",
    "mile": "miles",
    "mi": "miles",
    "w": "W",
    "watt": "W",
    "watts": "W",
    "kw": "kW",
    "wh": "Wh",
    "kwh": "kWh",
    "mah": "mAh",
    "mb": "MB",
    "gb": "GB",
    "tb": "TB",
    "millilitre": "ml",
    "milliliter": "ml",
    "litre": "l",
    "liter": "l",
    "litres": "l",
    "liters": "l",
    "kmh": "km/h",
    "kph": "km/h",
    "second": "seconds",
    "sec": "seconds",
    "secs": "seconds",
    "s": "seconds",
    "minute": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "hour": "hours",
    "h": "hours",
    "day": "days",
    "d": "days",
    "week": "weeks",
    "business day": "business days",
    "month": "months",
    "year": "years",
    "gram": "g",
    "grams": "g",
    "kilogram": "kg",
    "percent": "%",
    "boolean": "bool",
    "text": "",
    "count": "count",
}
# Approximate day lengths used only to order values of different families (45 days vs
# 1 month); equality across families is never claimed.
_APPROX_DAYS = {"day": Decimal(1), "month": Decimal("30.436875"), "business day": Decimal("1.4")}


def canonical_unit(unit: str) -> str:
    """The registry symbol for ``unit`` (``"Months"`` -> ``"months"``); count nouns pass through."""
    stripped = unit.strip()
    if stripped in UNITS:
        return stripped
    folded = stripped.casefold()
    if folded in UNITS:
        return folded
    return UNIT_SPELLINGS.get(folded, folded)


def unit_info(unit: str) -> UnitInfo:
    """Registry entry for ``unit``; unknown units are count nouns (their own family)."""
    symbol = canonical_unit(unit)
    known = UNITS.get(symbol)
    if known is not None:
        return known
    return UnitInfo(symbol, Dimension.COUNT, count_family(symbol), Decimal(1))


def count_family(noun: str) -> str:
    """``countries``/``country``/``count`` share nothing; plurals fold to one family."""
    noun = noun.casefold()
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith("s") and not noun.endswith("ss") and len(noun) > 3:
        return noun[:-1]
    return noun


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number or a closed range of numbers in one unit.

    Dates are day ordinals (a year ``2025`` is the range of its days); times of day are
    minutes after midnight with an optional ``tz`` such as ``UTC+8``.
    """

    low: Decimal
    high: Decimal
    unit: str
    tz: str = ""

    @property
    def info(self) -> UnitInfo:
        return unit_info(self.unit)

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    def in_base(self) -> tuple[Decimal, Decimal]:
        """``(low, high)`` in the family's base unit."""
        scale = self.info.scale
        return self.low * scale, self.high * scale

    def approx_days(self) -> tuple[Decimal, Decimal] | None:
        """Durations as approximate days, to order values of different families."""
        info = self.info
        if info.dimension is not Dimension.DURATION:
            return None
        low, high = self.in_base()
        factor = _APPROX_DAYS[info.family]
        return low * factor, high * factor


@dataclass(frozen=True, slots=True)
class Flag:
    value: bool


@dataclass(frozen=True, slots=True)
class Text:
    value: str


Literal = Quantity | Flag | Text


class Qualifier(StrEnum):
    """How a stated quantity relates to the true one: ``within 7 days`` is AT_MOST."""

    EXACT = "exact"
    AT_MOST = "at_most"
    AT_LEAST = "at_least"


_RANGE = re.compile(r"^\s*([\d.,]+)\s*(?:-|–|—|~|to)\s*([\d.,]+)\s*$")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_TZ = re.compile(r"(UTC|GMT)\s*([+-]\s*\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_PLAIN_RANGE = re.compile(r"^\s*\d+(?:\.\d+)?\s*[-–]\s*\d+(?:\.\d+)?\s*$")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}
# Without a unit, only words that cannot be anything else are flags.
_TRUE_WORDS = frozenset({"true", "yes"})
_FALSE_WORDS = frozenset({"false", "no"})


@lru_cache(maxsize=65536)
def parse_literal(obj: str, unit: str) -> Literal:
    """Read a literal fact's object under its unit; raises ``UnitError`` when it does not fit."""
    info = unit_info(unit)
    if info.dimension is Dimension.TEXT:
        # A bare number with no unit ("gears,7,") is a count of the predicate's thing.
        if _PLAIN_NUMBER.match(obj) or _PLAIN_RANGE.match(obj):
            return _parse_number_or_range(obj.strip(), "count")
        return _inferred(obj)
    if info.dimension is Dimension.BOOLEAN:
        folded = obj.strip().casefold()
        if folded in _TRUE:
            return Flag(True)
        if folded in _FALSE:
            return Flag(False)
        raise UnitError(f"{obj!r} is not a boolean (use true or false)")
    if info.dimension is Dimension.DATE:
        return parse_date(obj)
    if info.dimension is Dimension.TIME:
        return parse_time(obj)
    return _parse_number_or_range(obj, info.symbol)


_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_CLOCK_TIME = re.compile(r"^\s*\d{1,2}:\d{2}(?:\s*-\s*\d{1,2}:\d{2})?\s*$")


def _inferred(obj: str) -> Literal:
    """A literal given without a unit, typed by its look: yes/no and true/false are
    flags, ``2027-02-10`` a date, ``10:00`` (or ``10:00-20:00``) a time of day; anything
    else is text."""
    folded = obj.strip().casefold()
    if folded in _TRUE_WORDS:
        return Flag(True)
    if folded in _FALSE_WORDS:
        return Flag(False)
    try:
        if _ISO_DATE.match(obj):
            return parse_date(obj)
        if _CLOCK_TIME.match(obj):
            return parse_time(obj)
    except UnitError:
        pass
    return Text(obj)


def _parse_number_or_range(obj: str, symbol: str) -> Quantity:
    ranged = _RANGE.match(obj)
    if ranged:
        low, high = parse_number(ranged.group(1)), parse_number(ranged.group(2))
    else:
        low = high = parse_number(obj)
    if low is None or high is None:
        raise UnitError(f"{obj!r} is not a number or a range like 5-7 (unit {symbol!r})")
    if low > high:
        raise UnitError(f"range {obj!r} has its bounds the wrong way round")
    return Quantity(low, high, symbol)


def parse_date(obj: str) -> Quantity:
    """``2026-12-15`` (a day), ``2026-12`` (its month) or ``2026`` (its year) as day ordinals."""
    parts = obj.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 3:
            day = dt.date(*numbers).toordinal()
            return Quantity(Decimal(day), Decimal(day), "date")
        if len(numbers) == 2:
            return date_span(numbers[0], numbers[1])
        if len(numbers) == 1:
            return date_span(numbers[0], None)
    except ValueError as error:
        raise UnitError(f"{obj!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)") from error
    raise UnitError(f"{obj!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def date_span(year: int, month: int | None, day: int | None = None) -> Quantity:
    """The days of a year, a month or one day, as a Quantity of day ordinals."""
    if day is not None and month is not None:
        ordinal = dt.date(year, month, day).toordinal()
        return Quantity(Decimal(ordinal), Decimal(ordinal), "date")
    if month is None:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    else:
        first = dt.date(year, month, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        last = following - dt.timedelta(days=1)
    return Quantity(Decimal(first.toordinal()), Decimal(last.toordinal()), "date")


def parse_time(obj: str) -> Quantity:
    """``14:00 UTC+8`` or ``09:00-18:00 UTC+8`` as minutes after midnight."""
    times = _TIME.findall(obj)
    if not times or len(times) > 2:
        raise UnitError(f"{obj!r} is not a time of day like 14:00 UTC+8")
    minutes = [int(h) * 60 + int(m) for h, m in times]
    return Quantity(Decimal(minutes[0]), Decimal(minutes[-1]), "time", tz=parse_tz(obj))


def parse_tz(text: str) -> str:
    """``UTC+8`` from any ``UTC + 8``/``GMT+08:00`` spelling in ``text``; "" when absent."""
    found = _TZ.search(text)
    if found is None:
        return ""
    hours = int(found.group(2).replace(" ", ""))
    minutes = int(found.group(3) or 0)
    sign = "+" if hours >= 0 else "-"
    suffix = f":{minutes:02d}" if minutes else ""
    return f"UTC{sign}{abs(hours)}{suffix}"


def comparable(a: Literal, b: Literal) -> bool:
    """Whether ``a`` and ``b`` measure the same kind of thing (money with money, ...)."""
    if isinstance(a, Quantity) and isinstance(b, Quantity):
        ia, ib = a.info, b.info
        if ia.dimension is not ib.dimension:
            return False
        if ia.dimension is Dimension.COUNT:
            return ia.family == ib.family or "count" in (ia.family, ib.family)
        return True
    return type(a) is type(b)


def same_value(a: Literal, b: Literal) -> bool:
    """Exact equality of meaning: 24 months = 2 years, 129 USD = 129.00 USD; 30 days != 1 month."""
    return value_matches(a, b, Qualifier.EXACT)


def value_matches(fact: Literal, stated: Literal, qualifier: Qualifier) -> bool:
    """Whether a statement of ``stated`` (with ``qualifier``) is true of the graph's ``fact``.

    Dates are entailed when the fact lies inside the stated span ("in 2026"). A stated
    bound (``within 7 business days``) must be the fact's own bound, not a looser one.
    """
    if isinstance(fact, Text) and isinstance(stated, Text):
        return fact.value.casefold().strip() == stated.value.casefold().strip()
    if isinstance(fact, Flag) and isinstance(stated, Flag):
        return fact.value == stated.value
    if not (isinstance(fact, Quantity) and isinstance(stated, Quantity)):
        return False
    fi, si = fact.info, stated.info
    counts = fi.dimension is si.dimension is Dimension.COUNT and "count" in (fi.family, si.family)
    if (fi.dimension is not si.dimension or fi.family != si.family) and not counts:
        return False
    if fi.dimension is Dimension.DATE:
        return stated.low <= fact.low and fact.high <= stated.high
    if fi.dimension is Dimension.TIME:
        if fact.tz and stated.tz and fact.tz != stated.tz:
            return False
        return (fact.low, fact.high) == (stated.low, stated.high)
    f_low, f_high = fact.in_base()
    s_low, s_high = stated.in_base()
    if stated.is_range:
        return (f_low, f_high) == (s_low, s_high)  # "within 2-7 days" states the whole range
    if qualifier is Qualifier.AT_MOST:
        return s_high == f_high
    if qualifier is Qualifier.AT_LEAST:
        return s_low == f_low
    return (f_low, f_high) == (s_low, s_high)


def magnitude(value: Literal) -> Decimal | None:
    """A single number to order values by (durations in approximate days)."""
    if not isinstance(value, Quantity):
        return None
    days = value.approx_days()
    if days is not None:
        return (days[0] + days[1]) / 2
    low, high = value.in_base()
    return (low + high) / 2


def convert(value: Quantity, unit: str) -> Quantity | None:
    """``value`` expressed exactly in ``unit`` (24 months -> 2 years), or None if inexact."""
    target = unit_info(unit)
    info = value.info
    if target.family != info.family or target.dimension is not info.dimension:
        return None
    low, high = value.in_base()
    new_low, new_high = low / target.scale, high / target.scale
    if new_low != new_low.to_integral_value() and len(str(new_low.normalize())) > 8:
        return None
    return Quantity(new_low.normalize(), new_high.normalize(), target.symbol, value.tz)
