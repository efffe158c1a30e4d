"""Claim extraction: split an answer into sentences and atomic, checkable claims.

Pure and model-free. A claim says something about graph nodes: a value of an attribute
(``costs $129``), membership in a closed set (``comes in silver``), a comparison
(``lighter than``), eligibility inside a window (``delivered 10 days ago, can return``) or
a yes/no attribute (``prices include no sales tax``). Check claims with ``check``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

import networkx as nx

from knowledge_graph.counting import CountStatement, count_statements, members_of
from knowledge_graph.index import UNAVAILABLE, CueKind, GraphIndex, Hit, graph_index
from knowledge_graph.language import TITLES
from knowledge_graph.linking import Mention, link
from knowledge_graph.model import edge_facts, literal_facts, literal_predicates
from knowledge_graph.quantities import QuantityMention, find_quantities
from knowledge_graph.values import Dimension, Flag, Qualifier, Quantity, Text, comparable


class ClaimKind(StrEnum):
    ATTRIBUTE = "attribute"
    MEMBERSHIP = "membership"
    COMPARISON = "comparison"
    WINDOW = "window"
    FLAG = "flag"
    TEXT = "text"  # a literal text value ("comes in sage green", "made of steel")
    SUPERLATIVE = "superlative"  # "the lightest laptop": value is the group's node or None
    ENTITY = "entity"  # a name that is not in the graph ("Vector 7 Laptop")
    # "We have 2 oolong teas: A and B": value the count, text the kind's words, subjects
    # the things named after it
    COUNT = "count"


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Claim:
    """One atomic statement found in an answer.

    ``subjects`` are candidate nodes (ambiguous mentions give several) and ``predicates``
    the attributes it may be about; an empty tuple means it could not be tied to the graph.
    ``span`` is the part of the answer that carries the value (what a repair replaces).
    """

    kind: ClaimKind
    sentence: int
    span: tuple[int, int]
    text: str
    subjects: tuple[str, ...]
    predicates: tuple[str, ...]
    # Quantity/Flag: attribute and flag claims; str: a node id (membership, the group of a
    # superlative); Text: a literal text value.
    value: Quantity | Flag | Text | str | None = None
    qualifier: Qualifier = Qualifier.EXACT
    negated: bool = False
    other: str | None = None  # comparison: the node compared with
    relation: CueKind | None = None  # comparison: LESS or MORE
    difference: Quantity | None = None  # comparison: "750 g lighter"
    elapsed: Quantity | None = None  # window: time already passed

    @property
    def predicate(self) -> str | None:
        return self.predicates[0] if len(self.predicates) == 1 else None


# A title's dot ("Dr. Grace Lee", "Mt. Tam") is no sentence end.
_TITLE_DOT = "(?:" + "|".join(rf"(?<=\b{t})" for t in (*TITLES, "vs")) + r")\.\s+(?=[A-Z])"
_SENTENCE = re.compile(
    rf"[^.!?。！？;；\n]+(?:(?:\.(?=[A-Za-z0-9])|{_TITLE_DOT})[^.!?。！？;；\n]*)*[.!?。！？;；]*",
    re.UNICODE,
)
_CLAUSE_BREAK = re.compile(
    r",(?!\d{3})|，|、|:|：|\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b|但是|但|而且|而|不过",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|without|none)\b|n't|\bno longer\b|不|没有|没|无法|未|"
    # 别 "don't", not the 别 of 类别 (category), 级别, 性别, 特别 ...; 非 "not", not 非常 (very)
    r"(?<![类级性特分个区差告识辨鉴])别|非(?!常)|(?<!是)否",
    re.IGNORECASE,
)
# Negation words that are part of a bound, not a denial ("no more than 7 days").
_NOT_NEGATION = re.compile(
    r"\b(?:no|not) (?:more|later|less) than\b|不超过|不到|不仅|不过|unless", re.IGNORECASE
)
_ELIGIBILITY = re.compile(
    r"\b(?:can|could|may|eligible|able|allowed|accepted|still|too late|expired|past|missed|outside)\b|n't|可以|能|可|还|无法|过期|已过",
    re.IGNORECASE,
)
_WINDOW_NEGATIVE = re.compile(
    r"\b(?:not|no longer|too late|expired|past|missed|outside)\b|n't|cannot|不|无法|过期|已过",
    re.IGNORECASE,
)
_THAN = re.compile(r"\bthan\b", re.IGNORECASE)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets; a dot inside a word (``129.00``, an email address,
    ``example.com``) never ends a sentence."""
    sentences: list[Sentence] = []
    for m in _SENTENCE.finditer(text):
        chunk = m.group(0)
        stripped = chunk.strip()
        if not stripped or not any(ch.isalnum() for ch in stripped):
            continue
        start = m.start() + (len(chunk) - len(chunk.lstrip()))
        sentences.append(Sentence(len(sentences), start, start + len(stripped), stripped))
    return sentences


def _clauses(sentence: Sentence) -> list[tuple[int, int]]:
    bounds = [sentence.start]
    for m in _CLAUSE_BREAK.finditer(sentence.text):
        bounds.append(sentence.start + m.start())
    bounds.append(sentence.end)
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def _count_nouns(graph: nx.MultiDiGraph, index: GraphIndex) -> tuple[tuple[str, str], ...]:
    nouns: list[tuple[str, str]] = []
    for predicates in index.count_predicates.values():
        for predicate in predicates:
            owners = index.owners.get(predicate, [])
            for owner in owners[:1]:
                for _, value in literal_facts(graph, owner, predicate):
                    if isinstance(value, Quantity):
                        nouns.append((value.unit, value.unit))
            info = index.attribute(predicate)
            units = {
                v.unit
                for o in owners[:1]
                for _, v in literal_facts(graph, o, predicate)
                if isinstance(v, Quantity)
            }
            for name in info.names.values():
                for unit in units:
                    nouns.append((name.casefold() if name.isascii() else name, unit))
    return tuple(sorted(set(nouns)))


@dataclass(slots=True)
class _SentenceView:
    sentence: Sentence
    mentions: list[Mention]
    cues: list[Hit]
    quantities: list[QuantityMention]
    negations: list[int]
    clauses: list[tuple[int, int]]
    texts: list[Hit] = field(default_factory=list)

    def clause_of(self, position: int) -> tuple[int, int]:
        for clause in self.clauses:
            if clause[0] <= position < clause[1]:
                return clause
        return self.clauses[-1]

    def negated_before(self, position: int, *, whole_sentence: bool = False) -> bool:
        start = self.sentence.start if whole_sentence else self.clause_of(position)[0]
        return any(start <= n < position for n in self.negations)


def extract_claims(
    graph: nx.MultiDiGraph, text: str, *, context: Sequence[str] = ()
) -> tuple[list[Sentence], list[Claim]]:
    """Sentences of ``text`` and the claims in them.

    ``context`` holds node ids the conversation is about (the question's entities); they
    stand in for pronouns ("It costs $129") when a sentence names nothing itself.
    """
    index = graph_index(graph)
    sentences = split_sentences(text)
    all_mentions = link(graph, text)
    all_cues = index.cues.scan(text)
    # An entity inside a longer cue ("back in stock") is part of the cue, not a mention.
    all_mentions = [
        m
        for m in all_mentions
        if not any(
            c.start <= m.start and m.end <= c.end and (c.end - c.start) > (m.end - m.start)
            for c in all_cues
        )
    ]
    # A name inside (or as long as) a text value of an attribute the text talks about is
    # part of the value ("Longjing" in "the address ... is 88 Longjing Road", "made of
    # cast iron" after "the Cast Iron Tetsubin").
    talked = {e.target for c in all_cues for e in c.entries}
    scanned = index.texts.scan(text)
    all_mentions = [
        m
        for m in all_mentions
        if not any(
            t.start <= m.start
            and m.end <= t.end
            and (t.end - t.start) >= (m.end - m.start)
            and any(e.target in talked for e in t.entries)
            for t in scanned
        )
    ]
    # Literal text values ("sage green"); one inside a name is part of the name.
    all_texts = [
        t for t in scanned if not any(m.start < t.end and t.start < m.end for m in all_mentions)
    ]
    # ... and one inside a longer cue is part of the cue ("in stock" in "back in stock").
    all_texts = [
        t
        for t in all_texts
        if not any(
            c.start <= t.start and t.end <= c.end and (c.end - c.start) > (t.end - t.start)
            for c in all_cues
        )
    ]
    all_texts = [t for t in all_texts if not _inside_split_cue(t, all_cues)]
    masked = _mask(text, [(m.start, m.end) for m in all_mentions])
    # A number inside a text value ("20 g tea sample") is part of the value, and one
    # inside an attribute's own name ("has 5g") is part of the name.
    quantities = [
        q
        for q in find_quantities(masked, _count_nouns(graph, index))
        if not any(
            c.start <= q.start and q.end <= c.end and any(e.score >= STRONG_CUE for e in c.entries)
            for c in all_cues
        )
        and not any(
            t.start <= q.start
            and q.end <= t.end
            and (t.end - t.start) > (q.end - q.start)
            and any(e.target in talked for e in t.entries)
            for t in all_texts
        )
    ]
    quantities.extend(_bare_counts(masked, index, quantities, all_cues, all_texts))
    quantities.sort(key=lambda q: q.start)
    # A unit word inside a quantity ("10 hours") is not a cue for an attribute, nor is a
    # built-in concept word inside a name ("shipping" in "standard shipping").
    all_cues = [
        c
        for c in all_cues
        if not any(q.start <= c.start < q.end for q in quantities)
        and not (
            all(e.score < STRONG_CUE for e in c.entries)
            and any(m.start <= c.start and c.end <= m.end for m in all_mentions)
        )
    ]
    # Words of a text value ("not opened") negate nothing around them.
    negations = [n for n in _negations(masked) if not any(t.start <= n < t.end for t in all_texts)]
    # "We have 2 oolong teas": the number and the kind's words are one count claim; the
    # words of the kind ("oolong") say nothing of any one thing. Only a kind the graph can
    # read is counted ("there are 2 ways to pay" stays an unlicensed number).
    counts = [c for c in count_statements(text) if members_of(graph, c.kind, c.lang) is not None]

    def counting(position: int) -> bool:
        return any(c.start <= position < c.end for c in counts)

    quantities = [q for q in quantities if not counting(q.start)]
    all_cues = [c for c in all_cues if not counting(c.start)]
    all_texts = [t for t in all_texts if not counting(t.start)]
    all_mentions = [m for m in all_mentions if not counting(m.start)]
    negations = [n for n in negations if not counting(n)]
    claims: list[Claim] = []
    focus: tuple[str, ...] = tuple(context)
    for sentence in sentences:
        view = _SentenceView(
            sentence,
            [m for m in all_mentions if sentence.start <= m.start < sentence.end],
            [c for c in all_cues if sentence.start <= c.start < sentence.end],
            [q for q in quantities if sentence.start <= q.start < sentence.end],
            [n for n in negations if sentence.start <= n < sentence.end],
            _clauses(sentence),
            [t for t in all_texts if sentence.start <= t.start < sentence.end],
        )
        found = _sentence_claims(graph, index, view, focus)
        found += _count_claims(index, view, counts)
        claims.extend(found)
        subjects = [c.subjects for c in found if c.subjects and c.kind is not ClaimKind.COMPARISON]
        if subjects:
            focus = subjects[-1]
        else:
            named = [m.nodes for m in view.mentions if m.best.node not in index.value_nodes]
            if named:
                focus = named[0]
    return sentences, claims


_BARE_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.,:/–-])(?P<low>\d+(?:\.\d+)?)(?:\s*[–-]\s*(?P<high>\d+(?:\.\d+)?))?"
    r"(?![A-Za-z0-9_:/–-]|[.,]\d)"
)


def _bare_counts(
    text: str,
    index: GraphIndex,
    quantities: Sequence[QuantityMention],
    cues: Sequence[Hit],
    texts: Sequence[Hit],
) -> list[QuantityMention]:
    """Numbers said without a unit ("The rating of X is 4.5.") where the text names an
    attribute whose values are plain numbers: claims on that attribute like any other."""
    counted = {
        e.target
        for c in cues
        for e in c.entries
        if "count" in index.value_units.get(e.target, frozenset())
    }
    if not counted:
        return []
    taken = [(q.start, q.end) for q in quantities]
    taken += [(t.start, t.end) for t in texts]
    taken += [(c.start, c.end) for c in cues]
    found: list[QuantityMention] = []
    for match in _BARE_NUMBER.finditer(text):
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        low = Decimal(match["low"])
        high = Decimal(match["high"]) if match["high"] else low
        found.append(QuantityMention(match.start(), match.end(), Quantity(low, high, "count")))
    return found


def _count_claims(
    index: GraphIndex, view: _SentenceView, counts: Sequence[CountStatement]
) -> list[Claim]:
    """A claim per count stated in the sentence, about the things it names after it."""
    claims: list[Claim] = []
    sentence = view.sentence
    for stated in counts:
        if not sentence.start <= stated.start < sentence.end:
            continue
        named = tuple(
            dict.fromkeys(
                m.best.node
                for m in view.mentions
                if m.start >= stated.end and m.best.node not in index.value_nodes
            )
        )
        amount = Decimal(stated.count)
        claims.append(
            Claim(
                ClaimKind.COUNT,
                sentence.index,
                (stated.start, stated.end),
                stated.kind,
                named,
                (),
                Quantity(amount, amount, "count"),
            )
        )
    return claims


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = "\u2003" if not chars[i].isspace() else chars[i]
    return "".join(chars)


def _negations(masked: str) -> list[int]:
    excluded = [(m.start(), m.end()) for m in _NOT_NEGATION.finditer(masked)]
    return [
        m.start()
        for m in _NEGATION.finditer(masked)
        if not any(s <= m.start() < e for s, e in excluded)
    ]


def _ordered_groups(
    view: _SentenceView, position: int, focus: Sequence[str]
) -> list[tuple[str, ...]]:
    """Candidate subjects for something at ``position``: nearest first, clause before sentence."""
    clause = view.clause_of(position)
    in_clause = [m for m in view.mentions if clause[0] <= m.start < clause[1]]
    elsewhere = [m for m in view.mentions if m not in in_clause]

    def by_distance(mentions: list[Mention]) -> list[Mention]:
        before = sorted(
            (m for m in mentions if m.start < position), key=lambda m: position - m.start
        )
        after = sorted(
            (m for m in mentions if m.start >= position), key=lambda m: m.start - position
        )
        return before + after

    groups = [m.nodes for m in by_distance(in_clause) + by_distance(elsewhere)]
    if focus:
        groups.append(tuple(focus))
    return groups


# Cues from the graph's own words (Attribute nodes, predicate ids), not built-in concepts.
STRONG_CUE = 0.8


def _cued(
    view: _SentenceView,
    position: int,
    kinds: tuple[CueKind, ...] = (CueKind.ATTRIBUTE,),
    *,
    min_score: float = 0.0,
) -> list[tuple[str, Hit]]:
    """Predicates cued in the clause of ``position``, nearest (preceding first) first."""
    clause = view.clause_of(position)
    hits = [c for c in view.cues if clause[0] <= c.start < clause[1]]
    hits.sort(key=lambda c: (c.start > position, abs(position - c.start)))
    found = [
        (e.score < STRONG_CUE, rank, e.target, c)
        for rank, c in enumerate(hits)
        for e in c.entries
        if CueKind(e.kind) in kinds and e.score >= min_score
    ]
    found.sort(key=lambda item: item[:2])  # the graph's own words before concept words
    return [(target, c) for _, _, target, c in found]


def _specific_cue(view: _SentenceView, position: int) -> str | None:
    """The predicate of a cue that names exactly one predicate (safe to resolve its owner)."""
    hits = sorted(view.cues, key=lambda c: abs(position - c.start))
    for hit in hits:
        targets = {
            e.target
            for e in hit.entries
            if CueKind(e.kind) is CueKind.ATTRIBUTE and e.score >= STRONG_CUE
        }
        if len(targets) == 1:
            return targets.pop()
    return None


def _sentence_claims(
    graph: nx.MultiDiGraph, index: GraphIndex, view: _SentenceView, focus: Sequence[str]
) -> list[Claim]:
    claims: list[Claim] = []
    consumed: set[int] = set()
    claims.extend(_comparisons(graph, view, focus, consumed))
    claims.extend(_windows(graph, index, view, focus, consumed))
    for q in view.quantities:
        if q.start in consumed or q.elapsed:
            continue
        claim = _attribute_claim(graph, index, view, q, focus)
        if claim is not None:
            claims.append(claim)
    for mention in view.mentions:
        if mention.best.node in index.value_nodes:
            claim = _membership_claim(graph, index, view, mention, focus)
            if claim is not None:
                claims.append(claim)
    claims.extend(_flag_claims(graph, index, view, focus))
    for hit in view.texts:
        claim = _text_claim(graph, index, view, hit, focus)
        if claim is not None:
            claims.append(claim)
    claims.extend(_superlatives(graph, index, view, focus))
    claims.extend(_unknown_names(view))
    claims.sort(key=lambda c: c.span)
    return claims


def _inside_split_cue(hit: Hit, cues: Sequence[Hit]) -> bool:
    """Whether a text value continues the cue just before it: "in stock" in "be back in
    stock" (cues "be back" + "in stock", both naming ``back_in_stock``) is the restock
    phrase, not the ``availability`` value "in stock"."""
    own = {e.target for e in hit.entries}
    before = {
        e.target for c in cues if c.end <= hit.start and hit.start - c.end <= 1 for e in c.entries
    }
    over = {e.target for c in cues if c.start == hit.start and c.end == hit.end for e in c.entries}
    return bool((before & over) - own)


_MODEL_CODE = re.compile(r"\s*([A-Za-z]{0,3}\d+[A-Za-z\d]*)(?![A-Za-z\d])")


def _unknown_names(view: _SentenceView) -> list[Claim]:
    """A short name followed by a model code no known name has ("Vector 7", "极光 X6")."""
    claims: list[Claim] = []
    offset = view.sentence.start
    for mention in view.mentions:
        if mention.best.kind.value not in ("short", "fuzzy"):
            continue
        after = _MODEL_CODE.match(view.sentence.text, mention.end - offset)
        if after is None:
            continue
        end = offset + after.end()
        if any(q.start < end and mention.end <= q.start for q in view.quantities):
            continue  # "X2 2025" or "X2 30 hours": a value, not part of the name
        claims.append(
            Claim(
                ClaimKind.ENTITY,
                view.sentence.index,
                (mention.start, end),
                view.sentence.text,
                mention.nodes,
                (),
            )
        )
    return claims


def _literal_owners(
    graph: nx.MultiDiGraph, nodes: Iterable[str], wanted: Quantity
) -> list[tuple[str, list[str]]]:
    owners = []
    for node in nodes:
        predicates = [
            p
            for p in literal_predicates(graph, node)
            if any(comparable(v, wanted) for _, v in literal_facts(graph, node, p))
        ]
        if predicates:
            owners.append((node, predicates))
    return owners


def _attribute_claim(
    graph: nx.MultiDiGraph,
    index: GraphIndex,
    view: _SentenceView,
    q: QuantityMention,
    focus: Sequence[str],
) -> Claim | None:
    cued = [p for p, _ in _cued(view, q.start)]
    strong = [p for p, _ in _cued(view, q.start, min_score=STRONG_CUE)]
    base = {
        "kind": ClaimKind.ATTRIBUTE,
        "sentence": view.sentence.index,
        "span": (q.start, q.end),
        "text": view.sentence.text,
        "value": q.quantity,
        "qualifier": q.qualifier,
        "negated": view.negated_before(q.start),
    }
    dimension = q.quantity.info.dimension
    # A cue for an attribute measured like this quantity says what the claim is about.
    relevant = [p for p in strong if dimension in index.quantity_dimensions.get(p, set())]
    for group in _ordered_groups(view, q.start, focus):
        owners = _literal_owners(graph, group, q.quantity)
        if not owners:
            continue
        hits = [(cued.index(p), node, p) for node, preds in owners for p in preds if p in cued]
        if hits:
            best = min(h[0] for h in hits)
            predicate = cued[best]
            subjects = tuple(node for rank, node, _ in hits if rank == best)
            return Claim(subjects=subjects, predicates=(predicate,), **base)  # type: ignore[arg-type]
        if relevant:
            continue  # this node lacks the cued attribute ("battery life" of a charger)
        predicates = tuple(dict.fromkeys(p for _, preds in owners for p in preds))
        return Claim(subjects=tuple(n for n, _ in owners), predicates=predicates, **base)  # type: ignore[arg-type]
    specific = _specific_cue(view, q.start)
    if specific is not None:
        owner_list = index.owners.get(specific, [])
        if len(owner_list) == 1 and any(
            specific in preds for _, preds in _literal_owners(graph, owner_list, q.quantity)
        ):
            return Claim(subjects=(owner_list[0],), predicates=(specific,), **base)  # type: ignore[arg-type]
    if q.bare_year:
        return None  # a bare number that no date attribute wants is not a claim
    subjects = tuple(n for g in _ordered_groups(view, q.start, ())[:1] for n in g)
    return Claim(subjects=subjects, predicates=(), **base)  # type: ignore[arg-type]


def _membership_claim(
    graph: nx.MultiDiGraph,
    index: GraphIndex,
    view: _SentenceView,
    mention: Mention,
    focus: Sequence[str],
) -> Claim | None:
    value = mention.best.node
    value_types = set(graph.nodes[value]["types"])
    predicates = [p for p, types in index.target_types.items() if types & value_types]
    if not predicates:
        return None
    cued = [p for p, _ in _cued(view, mention.start)]
    predicates.sort(key=lambda p: cued.index(p) if p in cued else len(cued))
    subjects: tuple[str, ...] = ()
    chosen: str | None = None
    for group in _ordered_groups(view, mention.start, focus):
        for predicate in predicates:
            owners = tuple(n for n in group if n != value and edge_facts(graph, n, predicate))
            if owners:
                subjects, chosen = owners, predicate
                break
        if chosen:
            break
    if chosen is None:
        for predicate in predicates:
            owner_list = index.owners.get(predicate, [])
            if len(owner_list) == 1:
                subjects, chosen = (owner_list[0],), predicate
                break
    if chosen is None:
        return None
    return Claim(
        ClaimKind.MEMBERSHIP,
        view.sentence.index,
        (mention.start, mention.end),
        view.sentence.text,
        subjects,
        (chosen,),
        value,
        negated=view.negated_before(mention.start),
    )


def _comparisons(
    graph: nx.MultiDiGraph, view: _SentenceView, focus: Sequence[str], consumed: set[int]
) -> list[Claim]:
    claims: list[Claim] = []
    text = view.sentence.text
    offset = view.sentence.start
    for cue in view.cues:
        for entry in cue.entries:
            kind = CueKind(entry.kind)
            if not kind.comparative:
                continue
            predicate = entry.target
            local = cue.start - offset
            bi = text.rfind("比", 0, local)
            than = _THAN.search(text, cue.end - offset)
            first: str | None = None
            second: str | None = None
            if bi >= 0:
                before = [m for m in view.mentions if m.end - offset <= bi]
                between = [m for m in view.mentions if bi < m.start - offset < local]
                first = _owner(graph, reversed(before), predicate) or _owner_in(
                    graph, focus, predicate
                )
                second = _owner(graph, between, predicate)
            elif than is not None and than.start() - (cue.end - offset) <= 25:
                before = [m for m in view.mentions if m.end <= cue.start]
                after = [m for m in view.mentions if m.start - offset >= than.end()]
                first = _owner(graph, reversed(before), predicate) or _owner_in(
                    graph, focus, predicate
                )
                second = _owner(graph, after, predicate)
            if first is None or second is None or first == second:
                continue
            difference = None
            for q in view.quantities:
                # "750 g lighter" / "轻750克"; a value in brackets belongs to its product.
                near_after = 0 <= q.start - cue.end <= 6 and _GAP.match(
                    view_text(view, cue.end, q.start)
                )
                near_before = 0 <= cue.start - q.end <= 3 and _GAP.match(
                    view_text(view, q.end, cue.start)
                )
                if (near_after or near_before) and not q.elapsed:
                    difference = q.quantity
                    consumed.add(q.start)
                    break
            claims.append(
                Claim(
                    ClaimKind.COMPARISON,
                    view.sentence.index,
                    (cue.start, cue.end),
                    text,
                    (first,),
                    (predicate,),
                    negated=view.negated_before(cue.start),
                    other=second,
                    relation=kind,
                    difference=difference,
                )
            )
            break
    return claims


_GAP = re.compile(r"^\s*(?:by\s*)?$")


def view_text(view: _SentenceView, start: int, end: int) -> str:
    offset = view.sentence.start
    return view.sentence.text[start - offset : end - offset]


def _owner(graph: nx.MultiDiGraph, mentions: Iterable[Mention], predicate: str) -> str | None:
    for mention in mentions:
        for node in mention.nodes:
            if literal_facts(graph, node, predicate):
                return node
    return None


def _owner_in(graph: nx.MultiDiGraph, nodes: Iterable[str], predicate: str) -> str | None:
    for node in nodes:
        if literal_facts(graph, node, predicate):
            return node
    return None


def _windows(
    graph: nx.MultiDiGraph,
    index: GraphIndex,
    view: _SentenceView,
    focus: Sequence[str],
    consumed: set[int],
) -> list[Claim]:
    claims: list[Claim] = []
    text = view.sentence.text
    for q in view.quantities:
        if not q.elapsed or not _ELIGIBILITY.search(text):
            continue
        consumed.add(q.start)
        for group in _ordered_groups(view, q.start, focus):
            found = [
                (node, p)
                for node in group
                for p in literal_predicates(graph, node)
                if "window" in index.attribute(p).semantics
            ]
            if found:
                cued = [p for p, _ in _cued(view, q.start)]
                found.sort(key=lambda np: cued.index(np[1]) if np[1] in cued else len(cued))
                node, predicate = found[0]
                negative = bool(
                    _WINDOW_NEGATIVE.search(
                        _mask(
                            text,
                            [
                                (m.start - view.sentence.start, m.end - view.sentence.start)
                                for m in view.mentions
                            ],
                        )
                    )
                )
                claims.append(
                    Claim(
                        ClaimKind.WINDOW,
                        view.sentence.index,
                        (q.start, q.end),
                        text,
                        (node,),
                        (predicate,),
                        value=Flag(not negative),
                        elapsed=q.quantity,
                    )
                )
                break
    return claims


def _flag_claims(
    graph: nx.MultiDiGraph, index: GraphIndex, view: _SentenceView, focus: Sequence[str]
) -> list[Claim]:
    claims: list[Claim] = []
    for cue in view.cues:
        targets = [
            e.target
            for e in cue.entries
            if CueKind(e.kind) is CueKind.ATTRIBUTE and e.score >= STRONG_CUE
        ]
        flags = [p for p in targets if Dimension.BOOLEAN in index.quantity_dimensions.get(p, set())]
        if not flags:
            continue
        chosen: tuple[tuple[str, ...], str] | None = None
        for group in _ordered_groups(view, cue.start, focus):
            for predicate in flags:
                owners = tuple(n for n in group if literal_facts(graph, n, predicate))
                if owners:
                    chosen = (owners, predicate)
                    break
            if chosen:
                break
        if chosen is None and len(set(targets)) == 1:
            owner_list = index.owners.get(flags[0], [])
            if len(owner_list) == 1:
                chosen = ((owner_list[0],), flags[0])
        if chosen is None:
            continue
        clause = view.clause_of(cue.start)
        negated = any(clause[0] <= n < clause[1] for n in view.negations)
        if any(c.subjects == chosen[0] and c.predicates == (chosen[1],) for c in claims):
            continue
        claims.append(
            Claim(
                ClaimKind.FLAG,
                view.sentence.index,
                (cue.start, cue.end),
                view.sentence.text,
                chosen[0],
                (chosen[1],),
                Flag(not negated),
            )
        )
    return claims


def _text_claim(
    graph: nx.MultiDiGraph, index: GraphIndex, view: _SentenceView, hit: Hit, focus: Sequence[str]
) -> Claim | None:
    """A literal text value stated of a thing ("The Metro 7 comes in sage green")."""
    predicates = list(dict.fromkeys(e.target for e in hit.entries))
    cued = [p for p, _ in _cued(view, hit.start)]
    surface = view_text(view, hit.start, hit.end)
    talked_about = {e.target for c in view.cues for e in c.entries}
    status = bool(UNAVAILABLE.search(surface)) and any(
        "stock" in index.attribute(p).concepts for p in predicates
    )
    if not talked_about & set(predicates) and not status:
        # "delivered" or "M" is a value only where its attribute is talked about
        # ("comes in sage green", "sizes S and M"); elsewhere it is just a word. A stock
        # value that says a thing cannot be bought ("the Volt Cargo is discontinued")
        # speaks for its attribute on its own.
        return None
    predicates.sort(key=lambda p: cued.index(p) if p in cued else len(cued))
    base = {
        "kind": ClaimKind.TEXT,
        "sentence": view.sentence.index,
        "span": (hit.start, hit.end),
        "text": view.sentence.text,
        "value": Text(surface),
        "negated": view.negated_before(hit.start),
    }
    for group in _ordered_groups(view, hit.start, focus):
        for predicate in predicates:
            owners = tuple(n for n in group if literal_facts(graph, n, predicate))
            if owners:
                return Claim(subjects=owners, predicates=(predicate,), **base)  # type: ignore[arg-type]
    for predicate in predicates:
        owner_list = index.owners.get(predicate, [])
        if len(owner_list) == 1:
            return Claim(subjects=(owner_list[0],), predicates=(predicate,), **base)  # type: ignore[arg-type]
    return Claim(subjects=(), predicates=tuple(predicates), **base)  # type: ignore[arg-type]


def _superlatives(
    graph: nx.MultiDiGraph, index: GraphIndex, view: _SentenceView, focus: Sequence[str]
) -> list[Claim]:
    """ "X has the longest battery life (of our wearables)": X tops its group."""
    claims: list[Claim] = []
    for cue in view.cues:
        for entry in cue.entries:
            kind = CueKind(entry.kind)
            if not kind.superlative:
                continue
            predicate = entry.target
            group_node = next(
                (
                    m.best.node
                    for m in view.mentions
                    if m.best.node in index.classes and m.best.node not in focus
                ),
                None,
            )
            subject = None
            for group in _ordered_groups(view, cue.start, focus):
                subject = next(
                    (
                        n
                        for n in group
                        if n not in index.classes and literal_facts(graph, n, predicate)
                    ),
                    None,
                )
                if subject is not None:
                    break
            claims.append(
                Claim(
                    ClaimKind.SUPERLATIVE,
                    view.sentence.index,
                    (cue.start, cue.end),
                    view.sentence.text,
                    (subject,) if subject else (),
                    (predicate,),
                    group_node,
                    negated=view.negated_before(cue.start),
                    relation=kind,
                )
            )
            break
    return claims
