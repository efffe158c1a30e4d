"""Find quantities in free text: money, durations, masses, counts, percentages, dates and
times of day, in English and Chinese, with ranges, qualifiers (``within``, ``or more``) and
elapsed time (``10 days ago``, ``10天前``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from knowledge_graph.numerals import NUMBER_PATTERN, parse_number
from knowledge_graph.values import Qualifier, Quantity, date_span, parse_tz

NUM = NUMBER_PATTERN
RANGE = rf"(?P<low>{NUM})(?:\s*(?:-|–|—|~|～|to|至|到)\s*(?:\$|US\$)?(?P<high>{NUM}))?"

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

# Unit spellings in text -> registry symbol. Longest first when compiled.
TEXT_UNITS: dict[str, str] = {
    "business days": "business days",
    "business day": "business days",
    "working days": "business days",
    "working day": "business days",
    "个工作日": "business days",
    "工作日": "business days",
    "days": "days",
    "day": "days",
    "天": "days",
    "日": "days",
    "weeks": "weeks",
    "week": "weeks",
    "个星期": "weeks",
    "星期": "weeks",
    "周": "weeks",
    "months": "months",
    "month": "months",
    "个月": "months",
    "years": "years",
    "year": "years",
    "yrs": "years",
    "yr": "years",
    "年": "years",
    "hours": "hours",
    "hour": "hours",
    "hrs": "hours",
    "hr": "hours",
    "h": "hours",
    "个小时": "hours",
    "小时": "hours",
    "钟头": "hours",
    "minutes": "minutes",
    "minute": "minutes",
    "mins": "minutes",
    "min": "minutes",
    "分钟": "minutes",
    "seconds": "seconds",
    "second": "seconds",
    "secs": "seconds",
    "sec": "seconds",
    "秒钟": "seconds",
    "秒": "seconds",
    "kilograms": "kg",
    "kilogram": "kg",
    "kg": "kg",
    "公斤": "kg",
    "千克": "kg",
    "grams": "g",
    "gram": "g",
    "g": "g",
    "克": "g",
    "times": "times",
    "time": "times",
    "次": "times",
    "pounds": "lb",
    "pound": "lb",
    "lbs": "lb",
    "lb": "lb",
    "millimetres": "mm",
    "millimeters": "mm",
    "mm": "mm",
    "毫米": "mm",
    "centimetres": "cm",
    "centimeters": "cm",
    "cm": "cm",
    "厘米": "cm",
    "kilometres": "km",
    "kilometers": "km",
    "km": "km",
    "公里": "km",
    "千米": "km",
    "metres": "m",
    "meters": "m",
    "m": "m",
    "米": "m",
    "inches": "inch",
    "inch": "inch",
    '"': "inch",
    "″": "inch",
    "英寸": "inch",
    "寸": "inch",
    "miles": "miles",
    "mile": "miles",
    "英里": "miles",
    "kw": "kW",
    "kilowatts": "kW",
    "watts": "W",
    "watt": "W",
    "w": "W",
    "瓦": "W",
    "kwh": "kWh",
    "wh": "Wh",
    "瓦时": "Wh",
    "mah": "mAh",
    "毫安时": "mAh",
    "毫安": "mAh",
    "tb": "TB",
    "gb": "GB",
    "mb": "MB",
    "ml": "ml",
    "毫升": "ml",
    "litres": "l",
    "liters": "l",
    "litre": "l",
    "liter": "l",
    "升": "l",
    "km/h": "km/h",
    "kph": "km/h",
    "mph": "mph",
}
_MONEY_SUFFIX = {
    "usd": "USD",
    "us dollars": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "美元": "USD",
    "美金": "USD",
    "元": "CNY",
    "块": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "yuan": "CNY",
    "eur": "EUR",
    "euros": "EUR",
    "euro": "EUR",
    "欧元": "EUR",
    "gbp": "GBP",
    "英镑": "GBP",
    "sgd": "SGD",
    "singapore dollars": "SGD",
    "新加坡元": "SGD",
    "新币": "SGD",
    "hkd": "HKD",
    "港元": "HKD",
    "港币": "HKD",
    "aud": "AUD",
    "澳元": "AUD",
    "cad": "CAD",
    "加元": "CAD",
    "nzd": "NZD",
    "chf": "CHF",
    "瑞士法郎": "CHF",
    "inr": "INR",
    "rupees": "INR",
    "krw": "KRW",
    "韩元": "KRW",
    "twd": "TWD",
    "新台币": "TWD",
    "myr": "MYR",
    "ringgit": "MYR",
    "令吉": "MYR",
}
_MONEY_PREFIX = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "¥": "CNY",
    "￥": "CNY",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "s$": "SGD",
    "sgd": "SGD",
    "hk$": "HKD",
    "hkd": "HKD",
    "a$": "AUD",
    "c$": "CAD",
    "nt$": "TWD",
    "₹": "INR",
    "₩": "KRW",
}

_AT_MOST_BEFORE = re.compile(
    r"(?:within|up to|no more than|not more than|at most|no later than|inside|under|less than|最多|不超过|不到)\s*(?:the\s+|a\s+)?$",
    re.IGNORECASE,
)
_AT_LEAST_BEFORE = re.compile(
    r"(?:at least|over|more than|above|from|starting at|至少|满|超过)\s*(?:the\s+)?$", re.IGNORECASE
)
_AT_MOST_AFTER = re.compile(r"^\s*(?:or less|or fewer|以内|之内|内|以下)", re.IGNORECASE)
_AT_LEAST_AFTER = re.compile(
    r"^\s*(?:or more|or above|and up|or over|以上|及以上|或以上|起)", re.IGNORECASE
)
_ELAPSED_AFTER = re.compile(
    r"^\s*(?:ago|back|since|have passed|has passed|passed|前|之前|以前|了)", re.IGNORECASE
)
_ELAPSED_BEFORE = re.compile(
    r"(?:been|after|past|已经|已|过了)\s*(?:about\s+|over\s+)?$", re.IGNORECASE
)
_TZ_AFTER = re.compile(
    r"^\s*\(?\s*((?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?)\s*\)?|^\s*[（(]?北京时间[)）]?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class QuantityMention:
    """A quantity found at ``text[start:end]``."""

    start: int
    end: int
    quantity: Quantity
    qualifier: Qualifier = Qualifier.EXACT
    elapsed: bool = False  # "10 days ago": time that has passed, not a stated fact
    bare_year: bool = False  # "2025" with no unit: a year only if a date attribute wants it


def _number(text: str | None) -> Decimal | None:
    return parse_number(text) if text else None


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_ISO_DATE = _compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_ZH_DATE = _compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?")
_EN_DATE_MDY = _compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b")
_EN_DATE_DMY = _compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<y>\d{{4}})\b")
_EN_DATE_MY = _compile(rf"\b{_MONTH},?\s+(?P<y>\d{{4}})\b")
_ZH_YEAR = _compile(r"(?P<y>\d{4})\s*年(?!\s*\d{1,2}\s*月)")
_BARE_YEAR = _compile(r"(?<![\d.,:$])(?P<y>(?:19|20)\d{2})(?![\d%]|[.,:]\d)")

_CLOCK = r"(?P<{h}>\d{{1,2}})(?::(?P<{m}>\d{{2}}))?\s*(?P<{ap}>a\.?m\.?|p\.?m\.?)?"
_TIME_RANGE = _compile(
    _CLOCK.format(h="h1", m="m1", ap="ap1")
    + r"\s*(?:-|–|—|to|至|到|~)\s*"
    + _CLOCK.format(h="h2", m="m2", ap="ap2")
)
_TIME = _compile(
    r"(?<![\d.])(?P<h>\d{1,2})(?::(?P<m>\d{2})\s*(?P<ap>a\.?m\.?|p\.?m\.?)?|\s*(?P<ap2>a\.?m\.?|p\.?m\.?))(?![\d])"
)
_ZH_TIME = _compile(rf"(?P<part>上午|下午|晚上|中午|早上)?(?P<h>{NUM})点(?P<half>半)?")

_MONEY_PREFIXED = _compile(
    rf"(?P<cur>US\$|S\$|HK\$|A\$|C\$|NT\$|\$|USD|EUR|GBP|SGD|HKD|¥|￥|€|£|₹|₩)\s?(?P<low>{NUM})(?:\s*(?:-|–|—|to|~)\s*(?:US\$|S\$|HK\$|A\$|C\$|NT\$|\$|€|£|¥)?(?P<high>{NUM}))?"
)
_MONEY_SUFFIXED = _compile(
    rf"{RANGE}\s*(?P<cur>"
    + "|".join(sorted(map(re.escape, _MONEY_SUFFIX), key=len, reverse=True))
    + r")(?![a-z])"
)
_PERCENT = _compile(rf"{RANGE}\s*(?:%|％|percent|per cent)|百分之(?P<zh>{NUM})")
_ONCE = _compile(r"\b(?P<word>once|twice)(?=\s+(?:per|a|an|every|each)\b|\s*[.!?;,]|\s*$)")


@lru_cache(maxsize=64)
def _unit_pattern(extra_units: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    spellings = {**TEXT_UNITS, **dict(extra_units)}
    alternatives = "|".join(sorted(map(re.escape, spellings), key=len, reverse=True))
    # Chinese measure words (个/种/项) may sit between the number and a count noun.
    return _compile(rf"{RANGE}\s*-?\s*(?:个(?=国家|[^\s\d]))?(?P<unit>{alternatives})(?![a-z])")


def find_quantities(
    text: str, count_nouns: Iterable[tuple[str, str]] = ()
) -> list[QuantityMention]:
    """Every quantity in ``text`` in order; ``count_nouns`` maps extra words to count units
    (``("countries", "countries"), ("国家", "countries")``)."""
    taken: list[tuple[int, int]] = []
    found: list[QuantityMention] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(start: int, end: int, quantity: Quantity | None, bare_year: bool = False) -> None:
        if quantity is None or not free(start, end):
            return
        taken.append((start, end))
        found.append(_qualify(text, start, end, quantity, bare_year))

    for pattern in (_ISO_DATE, _ZH_DATE, _EN_DATE_MDY, _EN_DATE_DMY, _EN_DATE_MY):
        for m in pattern.finditer(text):
            add(m.start(), m.end(), _date(m))
    for m in _ZH_YEAR.finditer(text):
        add(m.start(), m.end(), date_span(int(m.group("y")), None))
    for m in _TIME_RANGE.finditer(text):
        if (m.group("m1") or m.group("ap1")) and (m.group("m2") or m.group("ap2")):
            add(
                *_with_tz(
                    text,
                    m.start(),
                    m.end(),
                    _clock(m, "h1", "m1", "ap1"),
                    _clock(m, "h2", "m2", "ap2"),
                )
            )
    for m in _TIME.finditer(text):
        minutes = _clock(m, "h", "m", "ap" if m.group("ap") else "ap2")
        add(*_with_tz(text, m.start(), m.end(), minutes, minutes))
    for m in _ZH_TIME.finditer(text):
        hour = _number(m.group("h"))
        if hour is not None and hour < 24:
            value = int(hour) + (12 if m.group("part") in ("下午", "晚上") and hour < 12 else 0)
            minutes = value * 60 + (30 if m.group("half") else 0)
            add(*_with_tz(text, m.start(), m.end(), minutes, minutes))
    for m in _MONEY_PREFIXED.finditer(text):
        add(m.start(), m.end(), _range(m, _MONEY_PREFIX[m.group("cur").casefold()]))
    for m in _MONEY_SUFFIXED.finditer(text):
        add(m.start(), m.end(), _range(m, _MONEY_SUFFIX[m.group("cur").casefold()]))
    for m in _PERCENT.finditer(text):
        if m.group("zh"):
            share = _number(m.group("zh"))
            add(m.start(), m.end(), Quantity(share, share, "%") if share is not None else None)
        else:
            add(m.start(), m.end(), _range(m, "%"))
    extra = tuple(sorted(count_nouns))
    for m in _unit_pattern(extra).finditer(text):
        spelling = m.group("unit").casefold()
        symbol = (
            TEXT_UNITS.get(spelling)
            or dict(extra).get(spelling)
            or dict(extra).get(m.group("unit"), "")
        )
        quantity = _range(m, symbol)
        if quantity is None:
            continue
        if symbol == "years" and quantity.low >= 1000:
            continue  # "2025年" is a year (matched above), not 2025 years
        if m.group("unit") == "日" and not free(m.start(), m.end()):
            continue
        add(m.start(), m.end(), quantity)
    for m in _ONCE.finditer(text):
        count = Decimal(1 if m.group("word").casefold() == "once" else 2)
        add(m.start(), m.end(), Quantity(count, count, "times"))
    for m in _BARE_YEAR.finditer(text):
        add(m.start(), m.end(), date_span(int(m.group("y")), None), bare_year=True)
    found.sort(key=lambda q: q.start)
    return found


def _range(m: re.Match[str], unit: str) -> Quantity | None:
    low = _number(m.group("low"))
    high = _number(m.group("high")) if m.group("high") else low
    if low is None or high is None or low > high:
        return None
    return Quantity(low, high, unit)


def _date(m: re.Match[str]) -> Quantity | None:
    groups = m.groupdict()
    month_text = groups.get("month")
    month = (
        _MONTHS[month_text.casefold()]
        if month_text
        else int(groups["m"])
        if groups.get("m")
        else None
    )
    day = int(groups["d"]) if groups.get("d") else None
    try:
        return date_span(int(groups["y"]), month, day)
    except ValueError:
        return None


def _clock(m: re.Match[str], h: str, mm: str, ap: str) -> int:
    hour = int(m.group(h))
    minute = int(m.group(mm) or 0)
    meridiem = (m.group(ap) or "").replace(".", "").casefold()
    if meridiem == "pm" and hour < 12:
        hour += 12
    if meridiem == "am" and hour == 12:
        hour = 0
    return hour * 60 + minute


def _with_tz(
    text: str, start: int, end: int, low: int, high: int
) -> tuple[int, int, Quantity | None]:
    if low >= 24 * 60 or high >= 24 * 60:
        return start, end, None
    tz = ""
    after = _TZ_AFTER.match(text[end : end + 20])
    if after:
        tz = parse_tz(after.group(1)) if after.group(1) else "UTC+8"
        end += after.end()
    elif "北京时间" in text[max(0, start - 6) : start]:
        tz = "UTC+8"
    return start, end, Quantity(Decimal(low), Decimal(high), "time", tz=tz)


def _qualify(
    text: str, start: int, end: int, quantity: Quantity, bare_year: bool
) -> QuantityMention:
    before = text[max(0, start - 24) : start]
    after = text[end : end + 12]
    qualifier = Qualifier.EXACT
    if _AT_MOST_BEFORE.search(before) or _AT_MOST_AFTER.match(after):
        qualifier = Qualifier.AT_MOST
    elif _AT_LEAST_BEFORE.search(before) or _AT_LEAST_AFTER.match(after):
        qualifier = Qualifier.AT_LEAST
    elapsed = bool(_ELAPSED_AFTER.match(after) or _ELAPSED_BEFORE.search(before))
    if elapsed and quantity.info.dimension.value != "duration":
        elapsed = False
    return QuantityMention(start, end, quantity, qualifier, elapsed, bare_year)
