"""Reading a customer's question against a graph: what it is about, what it asks, and what
kind of answer it wants. Pure functions of the graph and the text.

A question is read in the conversation it belongs to: pass the things in focus (the
products named in earlier turns, most recent first) and "how much is it?" or "有银色的吗？"
is about them. Questions about a set ("any red speakers?", "which smartwatch has the
longest battery?", "headphones for a long flight?") are answered by ``select``.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import networkx as nx

from knowledge_graph.concepts import TYPE_WORDS, concepts_for
from knowledge_graph.index import TEXT_VALUE, CueKind, MatchKind, graph_index
from knowledge_graph.language import TITLES, detect_language, match_key
from knowledge_graph.linking import Mention, link
from knowledge_graph.model import ATTRIBUTE_TYPE, RESERVED
from knowledge_graph.numerals import NUMBER_PATTERN, parse_number
from knowledge_graph.quantities import find_quantities
from knowledge_graph.values import Dimension, Qualifier, Quantity

__all__ = [
    "CLASSIFIERS",
    "Bound",
    "Question",
    "QuestionKind",
    "analyse_question",
    "asked_kind",
    "is_request",
    "refers_back",
]

_POLAR_EN = re.compile(
    r"^\s*(?:so\s+|and\s+|but\s+|also\s+|then\s+)?(?:is|are|does|do|can|could|will|has|have|was|were|did|may|should|would|am)\b",
    re.IGNORECASE,
)
_POLAR_ZH = re.compile(r"吗[?？]?\s*$|是否|能不能|可不可以|有没有|是不是|会不会|行不行|可以吗")
_SET_EN = re.compile(
    r"\b(?:any(?! charge| fee| cost)|(?<!cost )(?<!costs )(?<!charge )(?<!pay )anything|which|what(?:'s| is| are)? (?:the )?(?:best|cheapest|lightest)|"
    r"recommend|suggest|options|other|all your|list|show me|do you (?:have|sell|carry|offer)|"
    r"you (?:have|sell|carry|offer) any)\b",
    re.IGNORECASE,
)
_SET_ZH = re.compile(
    r"哪些|哪款|哪个|哪种|哪一|推荐|有什么|有哪|什么样的|适合|卖不卖|有没有卖|有卖"
)
_PRONOUN_EN = re.compile(
    r"\b(?:it|its|it's|they|them|their|theirs|he|him|his|she|her|hers|this|these|those|this one|that one|one)\b",
    re.IGNORECASE,
)
_PRONOUN_ZH = re.compile(
    r"它|它们|这款|那款|这个|那个|这台|那台|这种|那种|该款|这一款|这辆|那辆|这双"
)
_BUYING_EN = re.compile(
    r"\b(?:buy|purchase|order (?:one|it|them)|get (?:one|it|them)|still (?:available|sell|have|buy|get|make)|"
    r"available|availability|in stock|stock|back|sold out|discontinued|restock\w*)\b",
    re.IGNORECASE,
)
_BUYING_ZH = re.compile(r"买|购买|下单|有货|现货|还有|库存|缺货|停产|补货|到货|还卖|能买")
_NEED_EN = re.compile(
    r"\bfor\b|\bgood\b|\bsuitable\b|\bideal\b|\brecommend|\bsuggest|\bbest\b", re.I
)
# "laptops under 1500": a bare number after a limit word, with no unit, is a price.
_BARE_LIMIT_EN = re.compile(
    r"\b(?P<word>under|below|less than|cheaper than|up to|at most|no more than|max|maximum|"
    r"over|above|more than|at least)\s+(?P<n>\d[\d,]*(?:\.\d+)?)(?![\d.,]*\s*[^\W\d_])",
    re.IGNORECASE,
)
_BARE_LIMIT_ZH = re.compile(
    r"(?P<word>低于|不超过|不到|少于|便宜于|高于|超过|多于)\s*(?P<n>\d+(?:\.\d+)?)(?!\s*[^\W\d_])"
    r"|(?P<n2>\d+(?:\.\d+)?)\s*(?P<word2>以下|以内|之内|以上)"
)
_AT_LEAST_WORDS = frozenset(
    {"over", "above", "more than", "at least", "高于", "超过", "多于", "以上"}
)
_NEED_ZH = re.compile(r"适合|推荐|用于|用来|最好")
_LAST_SENTENCE = re.compile(
    r"(?<=[.!?。！？])" + "".join(rf"(?<!\b{t}\.)" for t in TITLES) + r"\s*"
)
_REQUEST_EN = re.compile(
    r"\?|^\s*(?:(?:so|and|but|also|then|ok|okay|hi|hello)\W+)?(?:what|which|where|when|who|whom|whose|"
    r"why|how|is|are|does|do|can|could|will|would|should|has|have|may|did|tell me|show me|"
    r"list|give me|i(?:'d| would) like|i want|i need|i'm looking for|i am looking for|"
    r"looking for|find me|recommend|suggest|i wonder|please|help me (?:find|locate|look|search|choose|pick)|"
    r"search for|look for|locate)\b",
    re.IGNORECASE,
)
_REQUEST_ZH = re.compile(
    r"[?？]|吗|呢|什么|哪|几|多少|多久|多长|怎么|怎样|如何|是否|有没有|能不能|可不可以|是不是|请问|介绍|我想|我要|想找|推荐|给我|告诉我|查一下|查查|发我|说说|看看"
)


def is_request(text: str) -> bool:
    """Whether ``text`` asks something (a question, "tell me about ...") rather than
    states something ("my headphones broke after a week")."""
    return bool(_REQUEST_EN.search(text) or _REQUEST_ZH.search(text))


def refers_back(text: str) -> bool:
    """Whether ``text`` points at something said before ("it", "this one", "它", "这款")."""
    lang = detect_language(text)
    return bool((_PRONOUN_ZH if lang == "zh" else _PRONOUN_EN).search(text))


class QuestionKind(StrEnum):
    LOOKUP = "lookup"  # attributes of the things asked about
    COMPARISON = "comparison"  # "which is lighter, A or B?"
    SUPERLATIVE = "superlative"  # "which smartwatch has the longest battery?"
    FILTER = "filter"  # "do you have any red speakers?"
    RECOMMEND = "recommend"  # "headphones for a long flight?"


@dataclass(frozen=True, slots=True)
class Bound:
    """A limit on an attribute ("under $100"): ``qualifier`` AT_MOST or AT_LEAST."""

    predicates: tuple[str, ...]
    quantity: Quantity
    qualifier: Qualifier


@dataclass(frozen=True, slots=True)
class Question:
    """What a question is about, as far as the graph can tell."""

    text: str
    lang: str
    mentions: tuple[Mention, ...]
    subjects: tuple[str, ...]  # things asked about (products, policies), best first
    values: tuple[str, ...]  # value nodes named in the question (colors, statuses, ...)
    predicates: tuple[str, ...]  # attributes asked about, from cue words
    comparison: tuple[str, CueKind] | None  # "which is lighter": (weight, LESS)
    elapsed: Quantity | None  # "delivered 45 days ago"
    polar: bool  # a yes/no question
    kind: QuestionKind = QuestionKind.LOOKUP
    groups: tuple[str, ...] = ()  # group nodes named ("speakers", "city bikes")
    texts: tuple[tuple[str, str], ...] = ()  # literal values named: (predicate, value)
    superlative: tuple[str, CueKind] | None = None  # "the lightest": (weight, LEAST)
    bounds: tuple[Bound, ...] = ()
    types: tuple[str, ...] = ()  # node types named ("bikes": Bike), to narrow a set
    # yes/no attributes a set is filtered by ("which teas are organic?"): (predicate, wanted)
    flags: tuple[tuple[str, bool], ...] = ()
    buying: bool = False  # about buying or availability: status facts belong in the answer
    from_focus: bool = False  # the subjects come from the conversation, not the text
    # "How many oolong teas?": the words of the kind counted and a Chinese classifier (款)
    count: tuple[str, str] | None = None


def analyse_question(
    graph: nx.MultiDiGraph,
    text: str,
    linked: Sequence[Mention] | None = None,
    *,
    focus: Sequence[str] = (),
) -> Question:
    """Link and read ``text``; ``focus`` holds the node ids the conversation is about
    (most recent first) for questions that name nothing ("and the warranty?").

    A frozen graph keeps its last readings: a turn asks for the same reading several
    times (whether the graph covers it, what it asks, the answer), and reads it once."""
    if linked is not None or not nx.is_frozen(graph):
        return _analyse(graph, text, linked, focus=focus)
    key = (text, tuple(focus))
    with _READINGS_LOCK:
        readings = _READINGS.setdefault(graph, OrderedDict())
        reading = readings.get(key)
        if reading is not None:
            readings.move_to_end(key)
            return reading
    reading = _analyse(graph, text, None, focus=focus)
    with _READINGS_LOCK:
        readings[key] = reading
        while len(readings) > _READINGS_KEPT:
            readings.popitem(last=False)
    return reading


_READINGS: weakref.WeakKeyDictionary[nx.MultiDiGraph, OrderedDict[Any, Question]] = (
    weakref.WeakKeyDictionary()
)
_READINGS_KEPT = 256
_READINGS_LOCK = threading.Lock()


def _analyse(
    graph: nx.MultiDiGraph,
    text: str,
    linked: Sequence[Mention] | None,
    *,
    focus: Sequence[str] = (),
) -> Question:
    index = graph_index(graph)
    if linked is None:
        text = index.spelled_out(text)  # "a hotel in NY": New York
    mentions = tuple(link(graph, text) if linked is None else linked)
    cues = index.cues.scan(text)
    named_values = index.texts.scan(text)
    mentions = tuple(
        m
        for m in mentions
        if not any(
            c.start <= m.start and m.end <= c.end and (c.end - c.start) > (m.end - m.start)
            for c in cues
        )
        # "in New York" names the city, not the "Ac Hotel New York Times Square".
        and not (
            all(c.kind is MatchKind.SHORT for c in m.candidates)
            and any(t.start <= m.start and m.end <= t.end for t in named_values)
        )
    )
    subjects: dict[str, float] = {}
    values: dict[str, None] = {}
    groups: dict[str, None] = {}
    for mention in mentions:
        for candidate in mention.candidates:
            node = candidate.node
            if node in index.value_nodes and not _owns_facts(graph, node):
                if node in index.classes:
                    groups.setdefault(node, None)
                else:
                    values.setdefault(node, None)
            else:
                subjects[node] = max(subjects.get(node, 0.0), candidate.score)
    strong: dict[str, None] = {}
    weak: dict[str, None] = {}
    weight: dict[str, float] = {}  # how much the question's words point at each predicate
    peak: dict[str, float] = {}  # the strongest single cue of each
    comparison: tuple[str, CueKind] | None = None
    superlative: tuple[str, CueKind] | None = None
    ranks_by: list[str] = []
    for hit in cues:
        if any(
            m.start <= hit.start
            and hit.end <= m.end
            and (
                (m.end - m.start) > (hit.end - hit.start) or all(e.score < 0.8 for e in hit.entries)
            )
            for m in mentions
        ):
            continue  # "tasting" in "the tasting room", "shipping" naming Shipping: names
        if any(
            other.start <= hit.start
            and hit.end <= other.end
            and (other.end - other.start) > (hit.end - hit.start)
            and any(e.score >= 0.8 for e in other.entries)
            for other in cues
        ):
            continue  # "number" inside "phone number": the longer words say what is asked
        entries = hit.entries
        if " " in text[hit.start : hit.end].strip() and any(e.score >= 0.8 for e in entries):
            # A phrase of several words, several attributes: the one it names outright,
            # not those a word of it suggests ("phone number" is no number of beds).
            entries = tuple(
                e for e in entries if e.score >= 0.8 or CueKind(e.kind) is not CueKind.ATTRIBUTE
            )
        best: dict[str, float] = {}
        for entry in entries:
            best[entry.target] = max(best.get(entry.target, 0.0), entry.score)
        for target, score in best.items():
            weight[target] = weight.get(target, 0.0) + score
            peak[target] = max(peak.get(target, 0.0), score)
        for entry in entries:
            cue = CueKind(entry.kind)
            (strong if entry.score >= 0.8 else weak).setdefault(entry.target, None)
            if cue.comparative and comparison is None:
                comparison = (entry.target, cue)
            if cue.superlative and superlative is None:
                superlative = (_most_owned(graph, hit.entries, cue), cue)
                ranks_by = [e.target for e in hit.entries if CueKind(e.kind) is cue]
    if superlative is None:
        superlative = _worded_superlative(text, cues, weight)
    texts = _texts(graph, text, mentions)
    texts += _price_level(graph, text, texts)
    for predicate in _named_predicates(graph, text, lang=detect_language(text)):
        strong.setdefault(predicate, None)
    for value in values:
        value_types = set(graph.nodes[value]["types"])
        for predicate, targets in index.target_types.items():
            if targets & value_types:
                strong.setdefault(predicate, None)
    quantities = find_quantities(text)
    elapsed = next((q.quantity for q in quantities if q.elapsed), None)
    lang = detect_language(text)
    # The last sentence carries the question ("It came 10 days ago. Can I return it?").
    parts = [p for p in _LAST_SENTENCE.split(text.strip()) if p.strip()]
    last = parts[-1] if parts else text
    polar = bool(_POLAR_ZH.search(last)) if lang == "zh" else bool(_POLAR_EN.match(last))
    ranked = sorted(subjects, key=lambda n: -subjects[n])
    buying = bool((_BUYING_ZH if lang == "zh" else _BUYING_EN).search(text))
    pronoun = bool((_PRONOUN_ZH if lang == "zh" else _PRONOUN_EN).search(text))
    set_words = bool((_SET_ZH if lang == "zh" else _SET_EN).search(text))
    kind = QuestionKind.LOOKUP
    from_focus = False
    focus = [n for n in focus if n in graph and n not in ranked]
    if comparison is not None and len(ranked) < 2 and focus:
        # "Is it lighter than the Vector 16?" / "which one is cheaper?" after naming two.
        ranked = [*focus[: 2 - len(ranked)], *ranked] if pronoun or ranked else focus[:2]
        from_focus = True
    types = _types(graph, text)
    # "how many dentists offer cosmetic services?" after a list: a new count, not a
    # question about the dentists just named.
    asked = asked_kind(text, lang)
    counting = bool(types or groups) and asked is not None
    about_focus = (
        pronoun
        or not (groups or superlative or set_words or counting)
        or _any_of_it(text, types, lang)
        or (not (groups or superlative or types or values or texts) and _only_asks(text, lang))
    )
    if focus and not (from_focus or ranked) and about_focus:
        ranked, from_focus = focus[:3], True
    bounds = tuple(
        b
        for b in (
            Bound(_bound_predicates(graph, q.quantity), q.quantity, q.qualifier)
            for q in quantities
            if q.qualifier is not Qualifier.EXACT and not q.elapsed
        )
        if b.predicates
    ) or _bare_price_bounds(graph, text, lang)
    bounds += _none_of(graph, text, cues) if not ranked else ()
    bounds += _count_bounds(graph, text, cues, bounds) if not ranked else ()
    if superlative is not None and len(set(ranks_by)) > 1 and (bounds or texts or types):
        # "The cheapest 3 bedroom place": the price the things with bedrooms have (rent),
        # not the one most things have (an event's ticket).
        related = {p for b in bounds for p in b.predicates} | {p for p, _ in texts}
        superlative = (_ranked_with(graph, ranks_by, related, types), superlative[1])
    if comparison is not None and len(ranked) >= 2:
        kind = QuestionKind.COMPARISON
    elif not ranked:
        need = _need(graph, text, lang)
        if superlative is not None:
            kind = QuestionKind.SUPERLATIVE
        elif need is not None and (groups or types or _NEED_RE[lang].search(text)):
            kind, superlative = QuestionKind.RECOMMEND, need
        elif (groups or types or values or texts) and (rated := _best_rated(graph, text, lang)):
            kind, superlative = QuestionKind.SUPERLATIVE, (rated, CueKind.MOST)
        elif groups or values or texts or set_words or bounds or types:
            kind = QuestionKind.FILTER
    counted = asked if not ranked and superlative is None else None
    if counted is not None and (groups or types or values or texts or bounds):
        # "How many oolong teas do you have?" counts what "which oolong teas?" lists; the
        # "how many" asks no attribute of them (its cue is a number's, below a word's).
        kind = QuestionKind.FILTER
        weak = {p: None for p in weak if peak.get(p, 0.0) >= _WORD_CUE}
    elif counted is not None and not ranked and not strong:
        # "How many hot tubs do you have?": a count of something the graph does not hold;
        # no attribute a word of it suggests is the answer (the count stays asked: the
        # graph's to say plainly that it does not know).
        weak.clear()
    else:
        counted = None
    if (
        not ranked
        and not from_focus
        and kind in (QuestionKind.LOOKUP, QuestionKind.FILTER)
        and not (groups or types or values or superlative)
    ):
        # "What discount do members get?", "Do you ship to Singapore?": an attribute only
        # one thing has names that thing.
        leading = _best(strong or weak, weight, set())
        implied = _implied_subjects(
            graph, leading, specific=[p for p in leading if peak.get(p, 0.0) >= _WORD_CUE]
        )
        if _offers_something_else(graph, text, cues, leading):
            # The attribute's word names a thing the graph lacks: nothing is asked of it.
            strong.clear()
            weak.clear()
            kind = QuestionKind.LOOKUP
        elif implied:
            ranked, kind = list(implied), QuestionKind.LOOKUP
    if not ranked and not strong and not weak and kind is QuestionKind.LOOKUP and not focus:
        # Nothing named but a word of a value: "Do you take PayNow?" asks the one
        # attribute whose value holds it.
        named = _named_in_values(graph, text, mentions)
        if named is not None:
            ranked, (strong[named[1]]) = [named[0]], None
    predicates = dict(strong)
    owned = {p for n in ranked for p in graph.nodes[n]["values"]} | {
        f.predicate for n in ranked for f in graph.nodes[n]["facts"] if f.edge
    }
    for predicate in _best(weak, weight, owned):
        # Built-in concept words add to the graph's own only where the things own them;
        # a word of an id or a "how much" never adds to an attribute named outright.
        if not strong or (predicate in owned and peak.get(predicate, 0.0) >= _CONCEPT_CUE):
            predicates.setdefault(predicate, None)
    if superlative is not None:
        predicates.setdefault(superlative[0], None)
    if ranked and kind is QuestionKind.LOOKUP:
        # "How cheap is it?", "is it in Palo Alto?": a value said of a named thing asks
        # the attribute that holds it.
        for predicate, _ in texts:
            predicates.setdefault(predicate, None)
    if any("opening" in index.attribute(p).concepts for p in predicates):
        # "When is it open?" asks the hours: the closing time of the same thing too.
        for predicate in sorted(owned):
            if "closing" in index.attribute(predicate).concepts:
                predicates.setdefault(predicate, None)
    flags: tuple[tuple[str, bool], ...] = ()
    if kind is QuestionKind.FILTER:
        negated = bool(_NOT_FLAG.search(text))
        flags = tuple(
            (p, not negated)
            for p in predicates
            if Dimension.BOOLEAN in index.quantity_dimensions.get(p, set())
        )
    return Question(
        flags=flags,
        text=text,
        lang=lang,
        mentions=mentions,
        subjects=tuple(ranked),
        values=tuple(values),
        predicates=tuple(predicates),
        comparison=comparison,
        elapsed=elapsed,
        polar=polar,
        kind=kind,
        groups=tuple(groups),
        texts=texts,
        superlative=superlative,
        bounds=bounds,
        types=types,
        buying=buying,
        from_focus=from_focus,
        count=counted,
    )


# "How many oolong teas do you have?", "你们有多少款乌龙茶？": a count of a kind.
CLASSIFIERS = "款|种|个|家|间|套|位|项|场|类|辆|件|把|台"
_VERB_EN = (
    r"(?:do|does|did|can|could|would|will)\s+(?:you|they|we|u|y'all)(?:\s+guys)?\s+"
    r"(?:currently\s+)?(?:have|sell|offer|carry|stock|list|rent|make|serve|run|host|got|do)\b"
)
_ASKED_EN = re.compile(
    rf"\bhow\s+many\s+(?:different\s+|kinds\s+of\s+|types\s+of\s+)?(?P<kind>.+?)\s*"
    rf"(?:{_VERB_EN}|\b(?:are|is)\s+there\b|\bexist\b|\bare\s+(?:available|on\s+offer)\b)"
    r"(?P<tail>[^?!.]*)",
    re.IGNORECASE,
)
_THAT_VERB = re.compile(
    r"^(\S+)\s+((?:offer|serve|allow|accept|take|include|come|sell|deliver|speak|open|have|"
    r"has|are|is)s?\b)",
    re.IGNORECASE,
)
_ASKED_EN_BARE = re.compile(r"\bhow\s+many\s+(?P<kind>[^?!.]+?)\s*[?!.]*$", re.IGNORECASE)
# A classifier says things are counted: 几款 (how many kinds of), not 几天 (how many days)
# or 几点 (what time).
_ASKED_ZH = re.compile(
    rf"(?:(?P<before>[\u4e00-\u9fffA-Za-z0-9]+?)(?:一共|总共|共)?有)?(?:多少|几)"
    rf"(?P<cls>{CLASSIFIERS})(?P<kind>[^？?，,。！!]*)"
)


def asked_kind(text: str, lang: str | None = None) -> tuple[str, str] | None:
    """The kind a "how many" question counts and the Chinese classifier it used, or None:
    "How many apartments do you have in Oakland?" -> ("apartments in Oakland", "").
    "How many days …", "几个小时": a duration asked, no things counted."""
    lang = lang or detect_language(text)
    counted = _asked_kind(text, lang)
    if counted is None or _TIME_UNIT.match(counted[0]):
        return None
    return counted


_TIME_UNIT = re.compile(
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?|business days?)\b|"
    r"(?:秒|分钟|小时|钟头|天|日|晚|周|星期|礼拜|个月|月|年|工作日)",
    re.IGNORECASE,
)


def _asked_kind(text: str, lang: str) -> tuple[str, str] | None:
    if lang == "zh":
        match = _ASKED_ZH.search(text)
        if match is None:
            return None
        kind = (match["kind"] or "").strip() or (match["before"] or "").strip()
        kind = re.sub(r"^(?:你们|您们|贵店|这里|店里)", "", kind)
        return (kind, match["cls"]) if kind else None
    found = _ASKED_EN.search(text)
    if found is not None:
        kind = f"{found['kind']} {found['tail'].strip()}".strip()
    elif (bare := _ASKED_EN_BARE.search(text)) is not None:
        # "how many dentists offer cosmetic services?": the ones "that offer" them.
        kind = _THAT_VERB.sub(r"\1 that \2", bare["kind"], count=1)
    else:
        return None
    kind = re.sub(r"^(?:of\s+)?(?:your|the|those|these)\s+", "", kind.strip(), flags=re.IGNORECASE)
    return (kind, "") if kind else None


_NEED_RE = {"en": _NEED_EN, "zh": _NEED_ZH}
_NOT_FLAG = re.compile(r"\bnot\b|\bnon-|\bwithout\b|n't\b|不是|没有|非", re.IGNORECASE)
_CONCEPT_CUE = 0.65  # the weakest score of a built-in concept's cue (index._apply_concepts)
_WORD_CUE = 0.6  # a word of a predicate's id; "how much"-style cues score less


_MOST_EN = re.compile(
    r"\b(?:(?P<least>least|lowest|fewest|smallest|weakest|mildest|shortest|worst(?=[- ]rated))|"
    r"(?P<most>most|highest|biggest|largest|greatest|strongest|longest|"
    r"(?:best|top)(?=[- ](?:rated|reviewed|rating|ratings|reviews))))\b",
    re.IGNORECASE,
)
_MOST_ZH = re.compile(r"最(?:(?P<least>少|低|小|弱|短)|(?P<most>多|高|大|强|长))")


def _named_in_values(
    graph: nx.MultiDiGraph, text: str, mentions: Sequence[Mention]
) -> tuple[str, str] | None:
    words = graph_index(graph).value_words
    places: set[tuple[str, str]] = set()
    for found in re.finditer(r"[A-Za-z][A-Za-z0-9+&'-]{3,}", text):
        if any(m.start <= found.start() < m.end for m in mentions):
            continue
        places |= words.get(found.group().casefold(), frozenset())
    return places.pop() if len(places) == 1 else None


_NONE_OF = re.compile(r"\b(?:no|without|zero)\s+$|(?:没有|无|不需要|不用)\s*$", re.IGNORECASE)


def _none_of(graph: nx.MultiDiGraph, text: str, cues: Sequence[Any]) -> tuple[Bound, ...]:
    """ "Which plans have no contract?": none of a counted attribute, as a limit of zero in
    the unit its values have (only where they all have one)."""
    bounds = []
    for hit in cues:
        if not _NONE_OF.search(text[: hit.start]):
            continue
        for entry in hit.entries:
            if CueKind(entry.kind) is not CueKind.ATTRIBUTE:
                continue
            units = graph_index(graph).value_units.get(entry.target, frozenset())
            if len(units) == 1:
                (unit,) = units
                zero = Quantity(Decimal(0), Decimal(0), unit)
                bounds.append(Bound((entry.target,), zero, Qualifier.AT_MOST))
                break
    return tuple(bounds)


def _most_owned(graph: nx.MultiDiGraph, entries: Sequence[Any], kind: CueKind) -> str:
    """Of the predicates one superlative cue can mean ("cheapest": a monthly fee, a SIM
    fee, a porting fee), the one most things have: what a set is ranked by."""
    targets = list(dict.fromkeys(e.target for e in entries if CueKind(e.kind) is kind))
    if len(targets) == 1:
        return targets[0]
    counts = graph_index(graph).owner_counts
    return max(targets, key=lambda t: counts.get(t, 0))


_OFFERING = re.compile(
    r"^\s*(?:so\s+|and\s+)?(?:do|does)\s+(?:you|they|it)\s+"
    r"(?:offer|sell|carry|stock|have|provide)\b",
    re.IGNORECASE,
)


def _offers_something_else(
    graph: nx.MultiDiGraph, text: str, cues: Sequence[Any], predicates: Sequence[str]
) -> bool:
    """ "Do you offer landline phones?": asked whether something is offered, named by a
    word the graph does not know before a word of an attribute ("phone" of the support
    line's phone number): a thing the graph lacks, not that attribute."""
    if not _OFFERING.match(text):
        return False
    known = graph_index(graph).known_words
    for hit in cues:
        surface = text[hit.start : hit.end]
        if " " in surface.strip() or not any(e.target in predicates for e in hit.entries):
            continue
        before = [w.casefold() for w in re.findall(r"[A-Za-z]+", text[: hit.start])]
        if (
            before
            and len(before[-1]) >= 3
            and before[-1] not in known
            and before[-1] not in ("offer", "sell", "carry", "stock", "have", "any")
        ):
            return True
    return False


def _ranked_with(
    graph: nx.MultiDiGraph, options: Sequence[str], related: set[str], types: Sequence[str]
) -> str:
    """Of the predicates a superlative may rank by, the one most things have that also have
    what else the question names (a limit's or a value's attribute, a kind)."""
    together: dict[str, int] = dict.fromkeys(options, 0)
    for _, data in graph.nodes(data=True):
        has = set(data["values"])
        if not (set(types) & set(data["types"]) if types else has & related):
            continue  # the kind named decides; else what the limits are on
        for option in together:
            together[option] += option in has
    counts = graph_index(graph).owner_counts
    return max(together, key=lambda p: (together[p], counts.get(p, 0)))


def _worded_superlative(
    text: str, cues: Sequence[Any], weight: dict[str, float]
) -> tuple[str, CueKind] | None:
    """ "the least caffeine", "the highest rating", "咖啡因最低": a superlative word next to an
    attribute the question names (within a few words either side)."""
    pattern = _MOST_ZH if detect_language(text) == "zh" else _MOST_EN
    for found in pattern.finditer(text):
        kind = CueKind.LEAST if found.group("least") else CueKind.MOST
        near = [
            hit
            for hit in cues
            if abs(hit.start - found.end()) <= 24 or abs(found.start() - hit.end) <= 12
        ]
        targets = [
            e.target for hit in near for e in hit.entries if CueKind(e.kind) is CueKind.ATTRIBUTE
        ]
        if targets:
            best = max(dict.fromkeys(targets), key=lambda t: weight.get(t, 0.0))
            return best, kind
    return None


_ANY_OF_IT = re.compile(
    r"^\s*(?:and\s+|so\s+)?any\b(?!.*\b(?:ones?|others?|where|places?)\b)", re.I
)


def _any_of_it(text: str, types: Sequence[str], lang: str) -> bool:
    """ "Any veggie food?" while one thing is talked about: asked of that thing, not a
    search ("any ones under 50?", "any hotels?" are searches)."""
    return lang == "en" and not types and bool(_ANY_OF_IT.match(text))


def _only_asks(text: str, lang: str) -> bool:
    """ "Which venue?", "哪个场馆？": a word or two asking an attribute, nothing to search by."""
    if lang == "zh":
        return len(text.strip(" ?？")) <= 6
    return len(re.findall(r"[A-Za-z0-9']+", text)) <= 3 and not re.search(r"\d", text)


_BEST = {
    "en": re.compile(
        r"\b(?:best|finest|greatest)\b(?![- ](?:way|time|deal|price|option for))", re.I
    ),
    "zh": re.compile(r"最好|最棒|最佳"),
}
_RATING_WORDS = frozenset({"rating", "rated", "score", "stars", "reviews"})


def _best_rated(graph: nx.MultiDiGraph, text: str, lang: str) -> str | None:
    """ "The best Mexican restaurant in San Jose", "最好的酒店": ranked by the graph's rating
    (a predicate named as one: ``rating``, ``average_rating``), the one most things have."""
    if not _BEST[lang].search(text):
        return None
    index = graph_index(graph)
    rated = [
        p
        for p, count in index.owner_counts.items()
        if count and _RATING_WORDS & set(p.casefold().split("_"))
    ]
    return max(rated, key=lambda p: index.owner_counts[p]) if rated else None


def _best(candidates: dict[str, None], weight: dict[str, float], owned: set[str]) -> list[str]:
    """The candidates the question's words point at most, among those the things asked
    about own when any do: "how long should I steep it?" is the steep time (its word and
    "how long"), not a return window ("how long" alone)."""
    pool = [p for p in candidates if p in owned] or list(candidates)
    if not pool:
        return []
    top = max(weight.get(p, 0.0) for p in pool)
    return [p for p in pool if weight.get(p, 0.0) >= top - 0.12]


def _implied_subjects(
    graph: nx.MultiDiGraph, predicates: Sequence[str], *, specific: Sequence[str]
) -> tuple[str, ...]:
    """The one thing that has the asked attributes, when only one does: "do prices
    include sales tax?" is about the one thing with a sales-tax attribute (prices are
    everywhere)."""
    owners = graph_index(graph).owners
    single = [owners[p][0] for p in predicates if len(owners.get(p, [])) == 1]
    if len(set(single)) == 1:
        return (single[0],)
    # "How do I reach them?": the thing with most of the asked attributes (phone, email)
    # rather than the one with a single one (an emergency line).
    named = [owners[p][0] for p in specific if len(owners.get(p, [])) == 1]
    counts = {node: named.count(node) for node in set(named)}
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    if len(ranked) >= 2 and ranked[0][1] >= 2 and ranked[0][1] > ranked[1][1]:
        return (ranked[0][0],)
    return ()


def _owns_facts(graph: nx.MultiDiGraph, node: str) -> bool:
    """Whether a node says more than its own names (a category with policies about it)."""
    return any(f.predicate not in RESERVED for f in graph.nodes[node]["facts"])


def _texts(
    graph: nx.MultiDiGraph, text: str, mentions: Sequence[Mention]
) -> tuple[tuple[str, str], ...]:
    """Literal values named in the question ("sage green", "carbon"), for filters.

    A value counts where its attribute is cued, or where several things have values of
    that attribute (a product attribute, not the wording of one policy)."""
    index = graph_index(graph)
    cues = index.cues.scan(text)
    cued = {e.target for c in cues for e in c.entries}
    found: dict[tuple[str, str], None] = {}
    for hit in index.texts.scan(text):
        if any(m.start < hit.end and hit.start < m.end for m in mentions):
            continue
        if any(
            c.start <= hit.start
            and hit.end <= c.end
            and (c.end - c.start) > (hit.end - hit.start)
            and any(e.score >= 0.8 for e in c.entries)
            for c in cues
        ):
            continue  # "vegetarian" in "vegetarian options": the attribute, not a value
        surface = text[hit.start : hit.end]
        for entry in hit.entries:
            if entry.kind != TEXT_VALUE:
                continue
            predicate = entry.target
            if predicate in cued or len(index.text_owners.get(predicate, ())) >= 2:
                value = _canonical_text(graph, predicate, surface)
                if value is not None:
                    found.setdefault((predicate, value), None)
    return tuple(found)


_CHEAP = re.compile(
    r"\b(?:cheap|cheapish|affordable|budget|low[- ]cost|inexpensive)\b|便宜|实惠|平价",
    re.IGNORECASE,
)
_MODERATE = re.compile(
    r"\b(?:moderately priced|moderate|mid-?range|reasonably priced)\b|中等价位|价格适中",
    re.IGNORECASE,
)


def _price_level(
    graph: nx.MultiDiGraph, text: str, said: Sequence[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """ "A cheap place", "moderately priced": the level of an ordered price attribute
    (price_range: inexpensive < moderate < expensive) its words mean, when the question
    does not name a level outright."""
    index = graph_index(graph)
    found: list[tuple[str, str]] = []
    for predicate, info in index.attributes.items():
        if len(info.order) < 2 or not any(c.name == "price" for c in concepts_for(predicate)):
            continue
        if any(p == predicate for p, _ in said):
            continue
        levels = [lv for lv in info.order if _canonical_text(graph, predicate, lv) is not None]
        if not levels:
            continue
        if _CHEAP.search(text):
            level = levels[0]
        elif _MODERATE.search(text) and "moderate" in levels:
            level = "moderate"
        else:
            continue
        value = _canonical_text(graph, predicate, level)
        if value is not None:
            found.append((predicate, value))
    return tuple(found)


def _canonical_text(graph: nx.MultiDiGraph, predicate: str, surface: str) -> str | None:
    key = match_key(surface)
    keys = {key, match_key(surface[:-1])} if surface.endswith("s") else {key}  # "museums"
    for node in graph_index(graph).text_owners.get(predicate, ()):
        for fact, _ in graph.nodes[node]["values"].get(predicate, ()):
            if match_key(fact.object) in keys:
                return str(fact.object)
    return None


def _types(graph: nx.MultiDiGraph, text: str) -> tuple[str, ...]:
    """Node types the question names by their own word ("bikes" for type Bike); not the
    types of values ("colors" for type Color: what things have, not things to list)."""
    counts: dict[str, int] = {}
    values = graph_index(graph).value_nodes
    for node, data in graph.nodes(data=True):
        if node in values and not _owns_facts(graph, node):
            continue
        for node_type in data["types"][:1]:
            counts[node_type] = counts.get(node_type, 0) + 1
    words = {w.casefold() for w in re.findall(r"[A-Za-z]+", text)}
    folded = text.casefold()
    found = []
    for node_type, count in counts.items():
        if count < 2 or node_type == ATTRIBUTE_TYPE or not node_type.isalpha():
            continue
        singular = node_type.casefold()
        if {singular, singular + "s", singular + "es"} & words or any(
            (word in folded) if not word.isascii() else re.search(rf"\b{word}\b", folded)
            for word in TYPE_WORDS.get(singular, ())
        ):
            found.append(node_type)
    return tuple(found)


def _need(graph: nx.MultiDiGraph, text: str, lang: str) -> tuple[str, CueKind] | None:
    """The attribute a stated need ranks by ("for a long flight" -> battery, most)."""
    index = graph_index(graph)
    folded = text.casefold()
    best: tuple[int, str, CueKind] | None = None
    for predicate, info in index.attributes.items():
        for word in info.needs.get(lang, ()):
            pattern = word if lang == "zh" else rf"\b{re.escape(word)}\b"
            found = re.search(pattern, folded)
            if found and (best is None or len(word) > best[0]):
                best = (len(word), predicate, CueKind.LEAST if info.need_less else CueKind.MOST)
    return (best[1], best[2]) if best else None


_WORD = re.compile(r"[a-z]+")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _named_predicates(graph: nx.MultiDiGraph, text: str, *, lang: str) -> tuple[str, ...]:
    """Predicates whose own name the question spells out in words, in any order: "what
    does the warranty cover?" asks ``warranty_covers``; "claim requires" ``claim_requires``.
    Names of two words or more only (one word is what cue words are for)."""
    if lang == "zh":
        return ()
    words = {_stem(w) for w in _WORD.findall(text.casefold())}
    index = graph_index(graph)
    found = []
    for predicate in index.owners:
        parts = [_stem(p) for p in _WORD.findall(predicate.casefold())]
        if len(parts) >= 2 and all(p in words for p in parts):
            found.append(predicate)
    return tuple(found)


def _bare_price_bounds(graph: nx.MultiDiGraph, text: str, lang: str) -> tuple[Bound, ...]:
    """Limits with a bare number ("laptops under 1500", "1000以下的"): about the graph's
    prices, in the unit its prices are in (one currency, or nothing is assumed)."""
    found = list((_BARE_LIMIT_ZH if lang == "zh" else _BARE_LIMIT_EN).finditer(text))
    if not found:
        return ()
    index = graph_index(graph)
    money = tuple(p for p, dims in index.quantity_dimensions.items() if Dimension.MONEY in dims)
    units = {u for p in money for u in index.value_units.get(p, ())}
    if len(units) != 1:
        return ()
    (unit,) = units
    bounds = []
    for m in found:
        number = (m.groupdict().get("n") or m.groupdict().get("n2") or "").replace(",", "")
        word = (m.groupdict().get("word") or m.groupdict().get("word2") or "").casefold()
        try:
            amount = Decimal(number)
        except InvalidOperation:
            continue
        qualifier = Qualifier.AT_LEAST if word in _AT_LEAST_WORDS else Qualifier.AT_MOST
        bounds.append(Bound(money, Quantity(amount, amount, unit), qualifier))
    return tuple(bounds)


_COUNT_BEFORE = re.compile(
    rf"(?P<least>at least |minimum of |min\.? )?(?P<number>{NUMBER_PATTERN})(?P<plus>\+)?[- ]?$",
    re.IGNORECASE,
)
_HOLDING = re.compile(r"^(?:seats?|sleeps?|holds?|fits?|accommodates?)$", re.IGNORECASE)
_HOLDS = re.compile(rf"^\s*(?:at least |up to )?(?P<number>{NUMBER_PATTERN})\b", re.IGNORECASE)
_COUNT_AFTER = re.compile(r"^\s*(?:or (?P<more>more|higher|above)|or (?P<less>less|fewer|lower))")


def _count_bounds(
    graph: nx.MultiDiGraph, text: str, cues: Sequence[Any], found: Sequence[Bound]
) -> tuple[Bound, ...]:
    """A plain number said right before the word of an attribute whose values are plain
    numbers: "a 5 star hotel" (star_rating = 5), "4 stars or more", "五星"."""
    index = graph_index(graph)
    bounds: list[Bound] = []
    for hit in cues:
        entries = [
            e
            for e in hit.entries
            if CueKind(e.kind) is CueKind.ATTRIBUTE
            and "count" in index.value_units.get(e.target, frozenset())
        ]
        top = max((e.score for e in entries), default=0.0)
        counted = tuple(dict.fromkeys(e.target for e in entries if e.score == top))
        if not counted or any(counted == b.predicates for b in found):
            continue
        before = _COUNT_BEFORE.search(text[max(0, hit.start - 24) : hit.start])
        holds = (
            _HOLDS.match(text[hit.end :]) if _HOLDING.search(text[hit.start : hit.end]) else None
        )
        if before is not None:
            number = parse_number(before["number"])
            after = _COUNT_AFTER.match(text[hit.end :])
            qualifier = Qualifier.EXACT
            if before["least"] or before["plus"] or (after is not None and after["more"]):
                qualifier = Qualifier.AT_LEAST
            elif after is not None and after["less"]:
                qualifier = Qualifier.AT_MOST
        elif holds is not None:
            # "seats six", "sleeps 4": room for at least that many
            number, qualifier = parse_number(holds["number"]), Qualifier.AT_LEAST
        else:
            continue
        if number is None:
            continue
        bounds.append(Bound(counted, Quantity(number, number, "count"), qualifier))
    return tuple(bounds)


def _bound_predicates(graph: nx.MultiDiGraph, quantity: Quantity) -> tuple[str, ...]:
    """Predicates a limit like "under $100" can be about: those measured the same way."""
    index = graph_index(graph)
    dimension = quantity.info.dimension
    return tuple(p for p, dims in index.quantity_dimensions.items() if dimension in dims)
