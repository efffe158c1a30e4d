"""Facts to sentences in English or Chinese, using each attribute's phrase templates.

Every sentence written here is one the checker reads back as supported (tests hold the
two together), so composed answers and repairs never introduce a contradiction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import networkx as nx

from knowledge_graph.concepts import TAIL_VERBS, zh_flag
from knowledge_graph.index import CueKind, graph_index
from knowledge_graph.language import STATUS_ZH
from knowledge_graph.model import Fact, display_name, literal_facts
from knowledge_graph.values import Dimension, Flag, Literal, Quantity, Text, magnitude

_ZH_UNITS = {
    "days": "天",
    "business days": "个工作日",
    "weeks": "周",
    "months": "个月",
    "years": "年",
    "hours": "小时",
    "minutes": "分钟",
    "seconds": "秒",
    "g": "克",
    "ml": "毫升",
    "l": "升",
    "EUR": "欧元",
    "GBP": "英镑",
    "JPY": "日元",
    "SGD": "新加坡元",
    "HKD": "港元",
    "AUD": "澳元",
    "CAD": "加元",
    "TWD": "新台币",
    "KRW": "韩元",
    "kg": "公斤",
    "USD": "美元",
    "CNY": "元",
    "times": "次",
}
_EN_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "SGD": "S$", "HKD": "HK$"}
_EN_SINGULAR = {
    "days": "day",
    "business days": "business day",
    "weeks": "week",
    "months": "month",
    "years": "year",
    "hours": "hour",
    "minutes": "minute",
    "seconds": "second",
}
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _number(value: Decimal) -> str:
    text = format(value, "f")
    return text


def render_quantity(value: Quantity, lang: str, *, noun_zh: str | None = None) -> str:
    """``129.00 USD`` -> ``$129.00`` / ``129.00美元``; ``5-7 business days`` -> ``5–7 business days``."""
    info = value.info
    low, high = _number(value.low), _number(value.high)
    amount = low if not value.is_range else f"{low}–{high}"
    if info.dimension is Dimension.DATE:
        return _render_date(value, lang)
    if info.dimension is Dimension.TIME:
        return _render_time(value)
    if info.dimension is Dimension.PERCENT:
        return f"{amount}%"
    if value.unit == "count":
        return amount  # a bare number: a rating, a score
    if lang == "zh":
        if info.dimension is Dimension.COUNT and value.unit != "times":
            return f"{amount}个{noun_zh or value.unit}"
        return f"{amount}{_ZH_UNITS.get(value.unit, value.unit)}"
    symbol = _EN_CURRENCY_SYMBOLS.get(value.unit)
    if symbol is not None:
        return f"{symbol}{low}" if not value.is_range else f"{symbol}{low}–{symbol}{high}"
    if value.unit == "times" and not value.is_range and value.low in (1, 2):
        return "once" if value.low == 1 else "twice"
    unit = value.unit
    if not value.is_range and value.low == 1:
        unit = _EN_SINGULAR.get(unit, unit)
    if unit in ("g", "kg"):
        return f"{amount} {unit}"
    return f"{amount} {unit}"


def _render_date(value: Quantity, lang: str) -> str:
    first = dt.date.fromordinal(int(value.low))
    last = dt.date.fromordinal(int(value.high))
    if first == last:
        if lang == "zh":
            return f"{first.year}年{first.month}月{first.day}日"
        return f"{_MONTH_NAMES[first.month - 1]} {first.day}, {first.year}"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return f"{first.year}年" if lang == "zh" else str(first.year)
    if lang == "zh":
        return f"{first.year}年{first.month}月"
    return f"{_MONTH_NAMES[first.month - 1]} {first.year}"


def _render_time(value: Quantity) -> str:
    def clock(minutes: Decimal) -> str:
        return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"

    text = clock(value.low) if not value.is_range else f"{clock(value.low)}–{clock(value.high)}"
    return f"{text} ({value.tz})" if value.tz else text


def render_value(graph: nx.MultiDiGraph, fact: Fact, lang: str) -> str:
    """The object of ``fact`` as a customer reads it in ``lang``."""
    if fact.edge:
        return display_name(graph, fact.object, lang)
    value = fact.value
    if isinstance(value, Quantity):
        noun = graph_index(graph).attribute(fact.predicate).names.get("zh")
        return render_quantity(value, lang, noun_zh=noun)
    if isinstance(value, Flag):
        return ("是" if value.value else "否") if lang == "zh" else ("yes" if value.value else "no")
    return spoken_text(value.value, lang)


def spoken_text(text: str, lang: str) -> str:
    """A text value as people say it: ``sold_out`` -> "sold out" (``售罄`` in Chinese);
    anything that is not an identifier-like word is said as written."""
    if not re.fullmatch(r"[A-Za-z]+(?:[_-][A-Za-z]+)+|[a-z]+", text.strip()):
        return text
    words = re.sub(r"[_-]+", " ", text.strip()).casefold()
    if lang == "zh":
        return STATUS_ZH.get(words, words)
    return words


def join_values(values: Sequence[str], lang: str) -> str:
    if len(values) <= 1:
        return "".join(values)
    if lang == "zh":
        return "、".join(values[:-1]) + "和" + values[-1]
    if len(values) == 2:
        return f"{values[0]} and {values[1]}"
    return ", ".join(values[:-1]) + " and " + values[-1]


_PLURAL_VERBS = {"costs": "cost", "comes": "come", "has": "have", "is": "are", "weighs": "weigh"}
_PLURAL_VERB = re.compile(r"^(\{subject\} )(" + "|".join(_PLURAL_VERBS) + r")\b")


def _plural_name(name: str) -> bool:
    """Whether an English name reads as plural ("Aurora X2 Headphones")."""
    last = name.rsplit(" ", 1)[-1]
    if last.casefold() in _SINGULAR_IN_S:
        return False
    return last.isalpha() and len(last) > 3 and last.endswith("s") and not last.endswith("ss")


_SINGULAR_IN_S = frozenset(
    [
        "plus",
        "bus",
        "gas",
        "lens",
        "news",
        "series",
        "chassis",
        "canvas",
        "bonus",
        "campus",
        "status",
        "atlas",
        "iris",
        "virus",
        "lotus",
        "cactus",
        "corpus",
        "genius",
        "nexus",
        "radius",
        "focus",
        "citrus",
        "hibiscus",
        "octopus",
        "walrus",
        # Names of one place that end in a plural word: "Summit Commons has 4 beds."
        "arms",
        "commons",
        "estates",
        "falls",
        "fields",
        "gardens",
        "heights",
        "hills",
        "lofts",
        "meadows",
        "mews",
        "oaks",
        "pines",
        "residences",
        "springs",
        "suites",
        "towers",
        "villas",
        "woods",
    ]
)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].isascii() else text


def verbalise(graph: nx.MultiDiGraph, facts: Iterable[Fact], lang: str) -> list[str]:
    """One sentence per (subject, predicate) among ``facts``, in first-seen order."""
    groups: dict[tuple[str, str], list[Fact]] = {}
    for fact in facts:
        groups.setdefault((fact.subject, fact.predicate), []).append(fact)
    return [
        _group_sentence(graph, subject, predicate, group, lang)
        for (subject, predicate), group in groups.items()
    ]


def _group_sentence(
    graph: nx.MultiDiGraph, subject: str, predicate: str, facts: list[Fact], lang: str
) -> str:
    info = graph_index(graph).attribute(predicate)
    subject_name = display_name(graph, subject, lang)
    flag: bool | None = None
    if len(facts) == 1 and not facts[0].edge:
        value = facts[0].value
        if isinstance(value, Flag):
            flag = value.value
    template = None
    if flag is False:
        template = info.phrases.get(f"{lang}/false")
    elif flag is True or flag is None:
        template = info.phrases.get(lang)
    if (
        template is None
        and lang == "en"
        and _on_scale(info, facts)
        and not predicate.casefold().endswith(_SCALE_NOUNS)
    ):
        # Levels read as levels: "Jasmine Silver Needle has low caffeine."
        name = info.names.get("en", predicate).replace("_", " ")
        name = name[:1].lower() + name[1:] if not name[1:2].isupper() else name
        template = "{subject} has {value} " + name + "."
    if template is None and lang == "en" and flag is None:
        template = _count_template(predicate, facts)
    if template is None and flag is not None:
        template = _flag_template(
            info.names.get(lang) or info.names.get("en", predicate), flag, lang, predicate
        )
    if template is None:
        attribute = info.names.get(lang) or info.names.get("en", predicate)
        if lang == "en" and attribute[:1].isupper() and not attribute[1:2].isupper():
            attribute = attribute[:1].lower() + attribute[1:]  # "Steeping time" mid-sentence
        template = (
            "{subject}的" + attribute + "是{value}。"
            if lang == "zh"
            else _relation_template(attribute) or "The " + attribute + " of {subject} is {value}."
        )
    value_text = join_values([render_value(graph, f, lang) for f in facts], lang)
    if lang == "en" and _plural_name(subject_name):
        template = _PLURAL_VERB.sub(lambda m: m[1] + _PLURAL_VERBS[m[2]], template, count=1)
    return _sentence_case(
        template.replace("{subject}", subject_name).replace("{value}", value_text)
    )


_PREPOSITIONS = frozenset(
    [
        "to",
        "in",
        "at",
        "from",
        "on",
        "by",
        "for",
        "with",
        "over",
        "under",
        "within",
        "until",
        "since",
    ]
)


# Names that are themselves the scale ("price range": "moderate" is not a kind of range).
_SCALE_NOUNS = ("range", "rating", "tier", "class", "band", "bracket")


def _on_scale(info: Any, facts: list[Fact]) -> bool:
    """Whether ``facts`` are one level of an ordered attribute ("low" of low<medium<high)."""
    if len(facts) != 1 or facts[0].edge or not info.order:
        return False
    value = facts[0].value
    return isinstance(value, Text) and info.rank_of(value.value) is not None


def _count_template(predicate: str, facts: list[Fact]) -> str | None:
    """``number_of_beds`` read as people say it: "{subject} has 2 beds." / "has 1 bed."."""
    words = predicate.casefold().split("_")
    if len(facts) != 1 or len(words) < 3 or words[:2] != ["number", "of"]:
        return None
    value = facts[0].value
    if not isinstance(value, Quantity) or value.low != value.high:
        return None
    noun = " ".join(words[2:])
    if value.low == 1 and noun.endswith("s") and not noun.endswith("ss"):
        noun = noun[:-1]
    return "{subject} has {value} " + noun + "."


def _relation_template(name: str) -> str | None:
    """A name that ends in a preposition reads as a relation: ``opens_at`` -> "{subject}
    opens at {value}.", ``ships_to`` -> "ships to", ``free_over`` -> "is free over"."""
    words = name.replace("_", " ").split()
    if len(words) < 2 or words[-1] not in _PREPOSITIONS or not name.isascii():
        return None
    verb = words[0].endswith("s") and not words[0].endswith("ss")
    return "{subject} " + ("" if verb else "is ") + " ".join(words) + " {value}."


_ADJECTIVE = re.compile(
    r"(?:able|ible|ed|ic|al|ful|less|free|safe|proof|made|ive|ous|friendly|ready|vegan|"
    r"halal|kosher|open|new|available)$"
)


def _flag_template(name: str, flag: bool, lang: str, predicate: str = "") -> str | None:
    """A yes/no attribute said as people say it: "{subject} is organic." / "is not
    dishwasher safe." / "has outdoor seating" (``has_seating_outdoors``-style names) /
    "serves alcohol" / "Pets are welcome at {subject}." / "is good for kids"."""
    if lang == "zh":
        said = zh_flag(predicate, flag) if predicate else None
        if said is not None:
            return "{subject}" + said + "。"  # 有户外座位 / 不提供酒水
        return "{subject}的" + name + ("为是。" if flag else "为否。")
    words = name.replace("_", " ").split()
    if len(words) < 2:
        if words and _ADJECTIVE.search(words[0]):
            return (
                "{subject} is " + words[0] + "." if flag else "{subject} is not " + words[0] + "."
            )
        return None
    verb, rest = words[0], " ".join(words[1:])
    if verb in ("has", "have"):
        return "{subject} has " + rest + "." if flag else "{subject} does not have " + rest + "."
    if verb == "can":
        return "{subject} can " + rest + "." if flag else "{subject} cannot " + rest + "."
    if verb in _FLAG_VERBS:
        base = verb[:-1] if verb.endswith("s") else verb
        return (
            "{subject} " + verb + " " + rest + "."
            if flag
            else "{subject} does not " + base + " " + rest + "."
        )
    if verb in ("is", "are"):
        return "{subject} is " + rest + "." if flag else "{subject} is not " + rest + "."
    if words[-1] in TAIL_VERBS:
        # pets_welcome, smoking_allowed: "{subject} welcomes pets." / "does not allow smoking."
        verb, thing = TAIL_VERBS[words[-1]], " ".join(words[:-1])
        return (
            "{subject} " + verb + " " + thing + "."
            if flag
            else "{subject} does not " + verb[:-1] + " " + thing + "."
        )
    if words[:2] == ["good", "for"]:
        return (
            "{subject} is " + " ".join(words) + "."
            if flag
            else ("{subject} is not " + " ".join(words) + ".")
        )
    if not _ADJECTIVE.search(words[-1]):
        if (len(words) == 2 and not _ADJECTIVE.search(words[0])) or words[0] in _HAD_ADJECTIVES:
            # free_entry, room_service: something a thing has
            rest = " ".join(words)
            return (
                "{subject} has " + rest + "." if flag else "{subject} does not have " + rest + "."
            )
        return None  # "return opened tea": not something a thing "is"; said as a value
    adjective = " ".join(words)
    return "{subject} is " + adjective + "." if flag else "{subject} is not " + adjective + "."


_FLAG_VERBS = frozenset(
    [
        "accepts",
        "offers",
        "allows",
        "serves",
        "provides",
        "includes",
        "supports",
        "takes",
        "sells",
        "delivers",
        "ships",
    ]
)
_HAD_ADJECTIVES = frozenset(["free"])


def _cue(graph: nx.MultiDiGraph, predicate: str, kind: CueKind, lang: str) -> str | None:
    node = graph.nodes.get(predicate)
    if node is None:
        return None
    wanted = kind.value
    for fact in node["facts"]:
        if fact.predicate == wanted and (fact.unit or "en") == lang:
            return str(fact.object)
    return None


def verbalise_comparison(
    graph: nx.MultiDiGraph, first: str, second: str, predicate: str, lang: str
) -> str | None:
    """``X (1350 g) is lighter than Y (2100 g).`` with the relation the facts make true."""
    a, b = literal_facts(graph, first, predicate), literal_facts(graph, second, predicate)
    if len(a) != 1 or len(b) != 1:
        return None
    ma, mb = magnitude(a[0][1]), magnitude(b[0][1])
    if ma is None or mb is None or ma == mb:
        return None
    cue = _cue(graph, predicate, CueKind.LESS if ma < mb else CueKind.MORE, lang)
    if cue is None:
        return None
    va, vb = render_value(graph, a[0][0], lang), render_value(graph, b[0][0], lang)
    na, nb = display_name(graph, first, lang), display_name(graph, second, lang)
    if lang == "zh":
        return f"{na}（{va}）比{nb}（{vb}）{cue}。"
    verb = "" if cue.split()[0] in ("lasts", "has", "costs", "weighs") else "is "
    return _sentence_case(f"{na} ({va}) {verb}{cue} than {nb} ({vb}).")


def verbalise_window(
    graph: nx.MultiDiGraph, subject: str, predicate: str, elapsed: Quantity, lang: str
) -> str | None:
    """Whether ``elapsed`` time is inside the window, said so the checker reads it back."""
    from knowledge_graph.checking import window_contains  # checking imports claims; keep it lazy

    pairs = literal_facts(graph, subject, predicate)
    if not pairs or not isinstance(pairs[0][1], Quantity):
        return None
    window = pairs[0][1]
    inside = window_contains(window, elapsed)
    if inside is None:
        return None
    info = graph_index(graph).attribute(predicate)
    e = render_quantity(elapsed, lang)
    w = render_value(graph, pairs[0][0], lang)
    name = display_name(graph, subject, lang)
    if lang == "zh":
        if inside:
            return f"已经过了{e}，仍在{name}的{w}期限内，所以还可以办理。"
        return f"已经过了{e}，超出了{name}的{w}期限，所以已经不能办理了。"
    window_name = info.names.get("en", predicate.replace("_", " "))
    if inside:
        return f"Since {e} have passed, it is still within the {window_name} of {w} ({name}), so you can still do it."
    return f"Since {e} have passed, it is outside the {window_name} of {w} ({name}), so it can no longer be done."


def describe(value: Literal) -> str:
    """A language-neutral rendering for logs and JSON."""
    if isinstance(value, Quantity):
        return render_quantity(value, "en")
    if isinstance(value, Flag):
        return "true" if value.value else "false"
    if isinstance(value, Text):
        return value.value
    return str(value)
