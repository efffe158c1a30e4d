"""How many things of a kind the business has, asked, said and checked.

"How many oolong teas do you have?" asks a count of what "which oolong teas do you have?"
would list; "We have 2 oolong teas: Anxi Tieguanyin and Wuyi Da Hong Pao." states one.
The kind is read exactly as a set question is read (``analyse_question`` then
``select``), so the number said and the number checked are the same set's size, on any
graph: its own node types ("apartments" for Property), categories and values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx

from knowledge_graph.concepts import TYPE_WORDS, predicate_words
from knowledge_graph.index import graph_index
from knowledge_graph.linking import link
from knowledge_graph.quantities import find_quantities
from knowledge_graph.questions import CLASSIFIERS, Question, QuestionKind, analyse_question
from knowledge_graph.selection import select
from knowledge_graph.values import count_family
from knowledge_graph.verbalise import join_values

__all__ = [
    "MAX_NAMED",
    "CountStatement",
    "count_sentence",
    "count_statements",
    "kind_of",
    "members_of",
]

# At most this many members are named after the count ("…, including A, B, C and D").
MAX_NAMED = 4
# What a statement of a count looks like: the verb and number, then the kind it counts.
# A zero is said by the business of itself only ("We have no vegan teas"): "There is no
# dispatch on weekends" and "X has no live music" state no count.
_STATED_EN = re.compile(
    r"\b(?:we(?:'ve)?\s+(?:currently\s+)?(?:have|offer|carry|sell|stock|list|got)\s+(?P<n>\d+|no)|"
    r"there\s+(?:are|is)\s+(?P<there>\d+))\s+(?P<kind>[^:;,.!?]+?)(?=\s*(?:[:;,.!?]|$|\bincluding\b|\bsuch\s+as\b))",
    re.IGNORECASE,
)
_STATED_ZH = re.compile(
    rf"(?:我们)?(?:目前)?(?:(?:一共|总共|共)?(?:有|提供|出售)(?P<n>\d+)(?P<cls>{CLASSIFIERS})|(?<=我们)(?P<none>没有))"
    r"(?P<kind>[^：:，,。；;！!？?、]+)"
)
# Words around a kind that say nothing of which things: "how many different kinds of tea".
_FILLER = frozenset(
    {
        *("the", "your", "our", "all", "any", "different", "kinds", "kind", "types", "type"),
        *("sorts", "sort", "total", "currently", "available", "right", "now", "altogether"),
        *("in", "at", "on", "for", "with", "from", "and", "of", "near", "that", "which"),
        # limits: "under $3000", "at least 2 bedrooms"
        *("under", "over", "below", "above", "less", "more", "than", "least", "most", "up"),
        # what follows a yes/no attribute's word: "pet friendly", "pets allowed"
        *("friendly", "allowed", "welcome", "accepted", "included", "okay"),
    }
)
_PREPOSITION = re.compile(
    r"\s(?:in|at|on|for|under|over|with|without|near|from|by|that|which)\s", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class CountStatement:
    """ "We have 2 oolong teas" at ``start``..``end`` of a text: ``count`` things of
    ``kind`` (the words that name them)."""

    start: int
    end: int
    count: int
    kind: str
    lang: str


def members_of(graph: nx.MultiDiGraph, kind: str, lang: str) -> tuple[str, ...] | None:
    """The things ``kind`` names, read as "which <kind>?" is read; None when the words name
    no kind, category or value of the graph (nothing to count)."""
    q = analyse_question(graph, f"有哪些{kind}？" if lang == "zh" else f"Which {kind}?")
    if q.kind is not QuestionKind.FILTER or q.subjects:
        return None
    if not (q.types or q.groups or q.values or q.texts or q.flags or q.bounds):
        return None
    if lang != "zh" and _unknown_words(graph, kind):
        return None  # "vegan teas" where nothing says vegan: not all the teas
    return select(graph, q).members


# Words of an attribute that says where a thing is: its value follows "in" ("hotels in
# Toronto"); any other text value goes before the kind ("Italian restaurants").
_PLACE_WORDS = frozenset(
    {"location", "city", "area", "town", "district", "neighbourhood", "neighborhood"}
    | {"region", "country", "state", "suburb", "borough", "island"}
)


def kind_of(
    graph: nx.MultiDiGraph, q: Question, members: tuple[str, ...]
) -> tuple[str, str] | None:
    """The words that name the set a set question selected, and the Chinese classifier to
    count them with ("hotels in Toronto", ""; "Denver的酒店", "家"), checked to name exactly
    ``members`` when read back as "which …?"; None where the question's kind cannot be
    said that simply (limits, yes/no conditions, categories) or reads back as another set."""
    if len(q.types) > 1 or q.bounds or q.flags or q.values or q.groups:
        return None
    types = q.types or _common_type(graph, members)
    if not types:
        return None
    places: list[str] = []
    others: list[str] = []
    categories: set[str] = set()  # values of a category-like attribute ("Museum")
    for predicate, value in q.texts:
        said = set(predicate_words(predicate))
        # A value two attributes hold (a hotel's location, a salon's city) is said once.
        held = places if said & _PLACE_WORDS else others
        if value not in held:
            held.append(value)
        if said & _CATEGORY_WORDS:
            categories.add(value)
    if q.lang == "zh":
        noun = _zh_noun(types[0])
        if noun is None:
            return None
        kinds = ["".join([*(f"{p}的" for p in places), *others, noun])]
        classifier = _zh_classifier(noun)
    else:
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", types[0]).casefold().split()
        if not words or not all(w.isalpha() for w in words):
            return None
        words[-1] = _plural(words[-1])
        where = [f"in {p}" for p in places]
        kinds = [" ".join([*others, *words, *where])]
        if len(others) == 1 and others[0] in categories:
            # "museums in Chicago" rather than "Museum attractions in Chicago"
            category = others[0].casefold().split()
            if category and all(w.isalpha() for w in category) and not _adjective(category[-1]):
                category[-1] = _plural(category[-1])
                kinds.insert(0, " ".join([*category, *where]))
        classifier = ""
    for kind in kinds:
        found = members_of(graph, kind, q.lang)
        if found is not None and set(found) == set(members):
            return kind, classifier
    return None


# Attributes whose values name the kind of thing ("category: Museum").
_CATEGORY_WORDS = frozenset({"category", "type", "kind", "genre", "style", "cuisine"})


def _adjective(word: str) -> bool:
    """ "italian", "chinese", "spanish": a value that qualifies a kind, not one."""
    return word.endswith(("an", "ese", "ish", "ic", "ian")) and word not in _NOUNS_LIKE_ADJECTIVES


_NOUNS_LIKE_ADJECTIVES = frozenset({"park", "museum", "plan", "van", "fan", "clinic", "spa"})


def _zh_noun(node_type: str) -> str | None:
    """The Chinese word for a kind of thing (Hotel: 酒店), from the built-in glossary."""
    for word in TYPE_WORDS.get(node_type.casefold(), ()):
        if word and all("\u3400" <= ch <= "\u9fff" for ch in word):
            return word
    return None


def _zh_classifier(noun: str) -> str:
    """家 for places of business, 位 for people, else 个."""
    if noun.endswith(("店", "厅", "馆", "所", "院", "廊", "吧", "房")):
        return "家"
    if noun.endswith(("师", "生", "医", "员")):
        return "位"
    return "个"


def _common_type(graph: nx.MultiDiGraph, members: tuple[str, ...]) -> tuple[str, ...]:
    """The one type every member has ("a general practitioner": doctors), or ()."""
    shared: set[str] | None = None
    for node in members:
        types = set(graph.nodes[node]["types"])
        shared = types if shared is None else shared & types
    return tuple(shared) if shared is not None and len(shared) == 1 else ()


def _plural(noun: str) -> str:
    if noun.endswith("y") and len(noun) > 2 and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _unknown_words(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    """Words of ``kind`` that name nothing of the graph: no thing, attribute, value, unit
    or kind of thing ("vegan" in "vegan teas" of a tea shop that records no such thing)."""
    index = graph_index(graph)
    covered = [(h.start, h.end) for h in (*index.cues.scan(kind), *index.texts.scan(kind))]
    covered += [(m.start, m.end) for m in link(graph, kind)]
    covered += [(q.start, q.end) for q in find_quantities(kind)]
    kinds = {t.casefold() for _, data in graph.nodes(data=True) for t in data["types"]}
    words = kinds | {w for t in kinds for w in TYPE_WORDS.get(t, ())}
    unknown = []
    for match in re.finditer(r"[A-Za-z]{3,}", kind):
        word = match.group(0).casefold()
        if any(start <= match.start() < end for start, end in covered):
            continue
        if word in _FILLER or word in words or count_family(word) in words:
            continue
        unknown.append(word)
    return unknown


def count_statements(text: str) -> list[CountStatement]:
    """Every statement of a count in ``text``, in order."""
    found: list[CountStatement] = []
    for match in _STATED_EN.finditer(text):
        said = match["n"] or match["there"]
        count = 0 if said.casefold() == "no" else int(said)
        found.append(CountStatement(match.start(), match.end(), count, match["kind"], "en"))
    for match in _STATED_ZH.finditer(text):
        count = 0 if match["none"] else int(match["n"])
        kind = match["kind"].strip()
        if kind:
            found.append(CountStatement(match.start(), match.end(), count, kind, "zh"))
    return sorted(found, key=lambda s: s.start)


def count_sentence(kind: str, classifier: str, names: list[str], total: int, lang: str) -> str:
    """ "We have 2 oolong teas: A and B." / "我们有7款茶，包括A、B、C和D。" (names: the
    first members' display names, at most ``MAX_NAMED``)."""
    shown = names[:MAX_NAMED]
    if lang == "zh":
        if total == 0:
            return f"我们没有{kind}。"
        head = f"我们有{total}{classifier or '种'}{kind}"
        if not shown:
            return head + "。"
        joined = join_values(shown, "zh")
        return f"{head}，包括{joined}。" if total > len(shown) else f"{head}：{joined}。"
    if total == 0:
        return f"We have no {kind}."
    if total == 1:
        kind = _singular_head(kind)
    head = f"We have {total} {kind}"
    if not shown:
        return head + "."
    joined = join_values(shown, "en")
    return f"{head}, including {joined}." if total > len(shown) else f"{head}: {joined}."


def _singular_head(kind: str) -> str:
    """ "apartments in Oakland" -> "apartment in Oakland": the noun before its modifiers."""
    cut = _PREPOSITION.search(f"{kind} ")
    head, rest = (kind[: cut.start()], kind[cut.start() :]) if cut else (kind, "")
    words = head.split()
    if words and words[-1].isascii():
        words[-1] = count_family(words[-1])
    return " ".join(words) + rest
