"""Lookup structures derived from a graph: surface-form tries, cue words, fuzzy vocabulary.

Built once per frozen graph and cached (graphs are immutable snapshots, so the index
can never go stale); an unfrozen graph is indexed again on every call.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import networkx as nx

from knowledge_graph.concepts import (
    DIMENSION_CUES,
    Concept,
    concepts_for,
    family_cues,
    predicate_phrases,
    predicate_words,
    word_forms,
    zh_name,
)
from knowledge_graph.language import (
    STATUS_ZH,
    is_cjk,
    is_word_char,
    key_with_offsets,
    match_key,
)
from knowledge_graph.model import (
    ALIAS,
    ATTRIBUTE_TYPE,
    LESS,
    MORE,
    NAME,
    PHRASE,
    SEMANTICS,
    Label,
)
from knowledge_graph.place_names import PLACE_NICKNAMES, ZH_PLACE_NAMES
from knowledge_graph.schema import fitting_concepts, graph_schema, spoken_names
from knowledge_graph.values import Dimension, Quantity, Text, count_family

# Status values that say a thing cannot be bought now.
UNAVAILABLE = re.compile(
    r"discontinued|sold out|out of stock|unavailable|not available|no longer|停产|缺货|售罄|无货|下架",
    re.IGNORECASE,
)


class MatchKind(StrEnum):
    NAME = "name"
    ALIAS = "alias"
    SHORT = "short"
    FUZZY = "fuzzy"


class CueKind(StrEnum):
    ATTRIBUTE = "attribute"  # "price", "warranty", "价格"
    LESS = "less"  # "lighter", "cheaper", "轻"
    MORE = "more"  # "heavier", "more expensive", "贵"
    LEAST = "least"  # "lightest", "cheapest", "最轻"
    MOST = "most"  # "heaviest", "longest battery life", "最贵"

    @property
    def comparative(self) -> bool:
        return self in (CueKind.LESS, CueKind.MORE)

    @property
    def superlative(self) -> bool:
        return self in (CueKind.LEAST, CueKind.MOST)

    @property
    def downward(self) -> bool:
        """LESS and LEAST rank by the smallest value."""
        return self in (CueKind.LESS, CueKind.LEAST)


TEXT_VALUE = "text"  # Entry.kind of a literal text value ("sage green") in ``GraphIndex.texts``


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing a surface form can mean: a node (linking) or a predicate (cues)."""

    target: str
    score: float
    kind: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A trie match in original-text offsets."""

    start: int
    end: int
    entries: tuple[Entry, ...]


_END = ""


class SurfaceTrie:
    """Longest-leftmost matching of surface forms over match keys, on word boundaries."""

    def __init__(self) -> None:
        self._root: dict[str, Any] = {}

    def add(self, surface: str, entry: Entry) -> None:
        key = match_key(surface)
        if not key:
            return
        node = self._root
        for ch in key:
            node = node.setdefault(ch, {})
        bucket: dict[tuple[str, str], Entry] = node.setdefault(_END, {})
        slot = (entry.target, entry.kind)
        known = bucket.get(slot)
        if known is None or known.score < entry.score:
            bucket[slot] = entry

    def entries(self, surface: str) -> tuple[Entry, ...]:
        node: dict[str, Any] | None = self._root
        for ch in match_key(surface):
            node = node.get(ch) if node is not None else None
        if node is None or _END not in node:
            return ()
        return tuple(node[_END].values())

    def scan(self, text: str, offsets: Sequence[int] | None = None) -> list[Hit]:
        """Non-overlapping longest matches in ``text``.

        ``offsets`` maps each character of ``text`` to a position in the original text
        (used when ``text`` is a corrected copy); by default the identity.
        """
        key, key_offsets = key_with_offsets(text)
        hits: list[Hit] = []
        i = 0
        n = len(key)
        root = self._root
        while i < n:
            start = key_offsets[i]
            if key[i] not in root or not _starts_word(text, start):
                i += 1
                continue
            node = root
            best: tuple[int, dict[tuple[str, str], Entry]] | None = None
            j = i
            while j < n:
                child = node.get(key[j])
                if child is None:
                    break
                node = child
                j += 1
                if _END in node and _ends_word(text, key_offsets[j - 1] + 1):
                    best = (j, node[_END])
            if best is None:
                i += 1
                continue
            j, bucket = best
            end = key_offsets[j - 1] + 1
            if offsets is not None:
                start, end = offsets[start], offsets[end - 1] + 1
            hits.append(Hit(start, end, tuple(sorted(bucket.values(), key=lambda e: -e.score))))
            i = j
        return hits


def _starts_word(text: str, start: int) -> bool:
    return not (start > 0 and is_word_char(text[start]) and is_word_char(text[start - 1]))


def _ends_word(text: str, end: int) -> bool:
    return not (end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]))


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.'][A-Za-z0-9]+)*|[\u3400-\u9fff]+|[^\s\w]|\w+")
_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "of",
        "for",
        "with",
        "in",
        "on",
        "to",
        "by",
        "at",
        "or",
        "is",
        "are",
        "our",
        "your",
        "my",
        "new",
    ]
)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


@dataclass(slots=True)
class AttributeInfo:
    """What the graph says about one predicate: its ``Attribute`` node, if any, over the
    built-in concepts its id names (``price_eur`` is a price)."""

    predicate: str
    names: dict[str, str] = field(default_factory=dict)  # lang -> display name
    phrases: dict[str, str] = field(default_factory=dict)  # lang -> template
    semantics: frozenset[str] = frozenset()
    concepts: tuple[str, ...] = ()  # names of the built-in concepts, strongest first
    # lang -> the first word for each relation ("lighter", "lightest"), for verbalising.
    relations: dict[CueKind, dict[str, str]] = field(default_factory=dict)
    status: bool = False  # stock/availability: stated whenever buying is asked about
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # recommendation words
    need_less: bool = False  # a need is met by the smallest value (price, weight)
    # Text values in order, lowest first ("low", "medium", "high"): the graph's own
    # (``kind`` ``low<medium<high``) or a built-in scale all its values lie on.
    order: tuple[str, ...] = ()

    def rank_of(self, text: str) -> int | None:
        """The position of a text value on the attribute's order, or None."""
        folded = text.strip().casefold()
        return self.order.index(folded) if folded in self.order else None

    def relation_word(self, kind: CueKind, lang: str) -> str | None:
        return self.relations.get(kind, {}).get(lang)


@dataclass(slots=True)
class GraphIndex:
    entities: SurfaceTrie
    cues: SurfaceTrie
    texts: SurfaceTrie  # literal text values: Entry(predicate, score, TEXT_VALUE) per value
    text_owners: dict[str, tuple[str, ...]]  # predicate -> nodes with text values of it
    # a word of a longer text value ("PayNow" in "cash, NETS, ... and PayNow") -> where
    value_words: dict[str, frozenset[tuple[str, str]]]
    surfaces: dict[str, tuple[str, str]]
    vocabulary: dict[str, set[str]]  # fuzzy: token or one-deletion variant -> tokens
    known_words: set[str]
    attributes: dict[str, AttributeInfo]
    target_types: dict[str, frozenset[str]]  # predicate -> types of its edge targets
    value_nodes: frozenset[str]  # nodes that are targets of some edge
    owners: dict[str, list[str]]  # predicate -> up to two subjects (unique-owner fallback)
    count_predicates: dict[str, set[str]]  # count-noun family -> predicates
    quantity_dimensions: dict[str, set[Dimension]]  # predicate -> dimensions seen
    value_units: dict[str, frozenset[str]]  # predicate -> units of its quantity values
    owner_counts: dict[str, int]  # predicate -> how many things have a value of it
    # Value nodes that name a group of things ("speakers", "city bikes"): node -> the
    # predicate whose edges make the group, with every member.
    classes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # Initials of capitalised text values of several words ("ny" -> "New York"), where
    # only one value has them.
    initials: dict[str, str] = field(default_factory=dict)
    # Chinese names of the places the graph holds in English ("丹佛" -> "Denver"), longest
    # first, where only one of its places has that name.
    zh_places: tuple[tuple[str, str], ...] = ()
    # What people call the graph's places instead ("Chi-town" -> "Chicago").
    nicknames: tuple[tuple[re.Pattern[str], str], ...] = ()

    def spelled_out(self, text: str) -> str:
        """``text`` with initials written in capitals ("a hotel in NY") replaced by the one
        value they abbreviate ("a hotel in New York"), and Chinese names of the graph's
        places by its own ("丹佛有哪些酒店？" -> "Denver有哪些酒店？"); words the graph
        knows stay."""

        def expand(match: re.Match[str]) -> str:
            word = match.group(0)
            folded = word.casefold()
            if folded in self.known_words:
                return word
            return self.initials.get(folded, word)

        for pattern, value in self.nicknames:
            text = pattern.sub(value, text)
        if self.initials:
            text = _INITIALS.sub(expand, text)
        for chinese, english in self.zh_places:
            if chinese in text:
                text = text.replace(chinese, english)
        return text

    def attribute(self, predicate: str) -> AttributeInfo:
        info = self.attributes.get(predicate)
        if info is None:
            info = AttributeInfo(predicate, {"en": predicate.replace("_", " ")})
        return info

    def fuzzy_correction(self, word: str) -> str | None:
        """The one vocabulary token within one edit of ``word``, else None."""
        folded = word.casefold()
        found: set[str] = set()
        for variant in (folded, *_deletions(folded)):
            found |= self.vocabulary.get(variant, set())
        # Insertions and deletions only for long words: "range" must not become "orange".
        close = {
            t
            for t in found
            if _within_one_edit(folded, t) and (len(t) == len(folded) or len(folded) >= 7)
        }
        return close.pop() if len(close) == 1 else None


def _deletions(word: str) -> Iterator[str]:
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_CACHE: weakref.WeakKeyDictionary[nx.MultiDiGraph, GraphIndex] = weakref.WeakKeyDictionary()


def graph_index(graph: nx.MultiDiGraph) -> GraphIndex:
    """The index of ``graph``; cached when the graph is frozen (as ``build_graph`` makes it)."""
    if nx.is_frozen(graph):
        cached = _CACHE.get(graph)
        if cached is None:
            cached = _build(graph)
            _CACHE[graph] = cached
        return cached
    return _build(graph)


def _build(graph: nx.MultiDiGraph) -> GraphIndex:
    entities = SurfaceTrie()
    cues = SurfaceTrie()
    surfaces: dict[str, tuple[str, str]] = {}
    ambiguous: set[str] = set()
    attributes: dict[str, AttributeInfo] = {}
    full_keys: dict[str, set[str]] = defaultdict(set)
    labelled: list[tuple[str, tuple[Label, ...], str]] = []
    vocab_words: set[str] = set()

    for node, data in graph.nodes(data=True):
        types: tuple[str, ...] = data["types"]
        if ATTRIBUTE_TYPE in types:
            attributes[node] = _attribute_info(node, data["facts"], cues)
            continue
        labels: tuple[Label, ...] = data["labels"]
        entity_type = _entity_type(types)
        labelled.append((node, labels, entity_type))
        for label in labels:
            full_keys[match_key(label.text)].add(node)

    def register(surface: str, node: str, entity_type: str, score: float, kind: MatchKind) -> None:
        entities.add(surface, Entry(node, score, kind))
        for word in tokens(surface):
            if word.isascii() and word.isalpha() and len(word) >= 4:
                vocab_words.add(word.casefold())
        known = surfaces.get(surface)
        if known is not None and known[1] != node:
            ambiguous.add(surface)
        surfaces.setdefault(surface, (entity_type, node))

    short_forms: dict[str, dict[str, str]] = defaultdict(dict)  # key -> node -> surface
    for node, labels, entity_type in labelled:
        for label in labels:
            register(
                label.text,
                node,
                entity_type,
                1.0 if label.is_name else 0.95,
                MatchKind.NAME if label.is_name else MatchKind.ALIAS,
            )
            words = tokens(label.text)
            if len(words) == 1 and words[0].isascii() and words[0].casefold().endswith("s"):
                singular = count_family(words[0])
                if singular != words[0].casefold() and not full_keys.get(match_key(singular)):
                    register(singular, node, entity_type, 0.9, MatchKind.ALIAS)
            for surface in _short_forms(words, full_keys, node):
                short_forms[match_key(surface)][node] = surface

    # "the student plan", "Keemun tea": a distinctive word of a name with the node's type.
    for node, labels, _ in labelled:
        node_types = graph.nodes[node]["types"]
        if not node_types or not node_types[0].isascii():
            continue
        type_word = node_types[0].casefold()
        for label in labels:
            for word in tokens(label.text):
                if (
                    word.isascii()
                    and word.isalpha()
                    and len(word) >= 3
                    and word.casefold() != type_word
                    and _distinctive(word, full_keys, node)
                ):
                    short_forms[match_key(f"{word} {type_word}")][node] = f"{word} {type_word}"
    for key, by_node in short_forms.items():
        if key in full_keys:
            continue
        share = 1.0 / len(by_node)
        for node, surface in by_node.items():
            words = tokens(surface)
            distinctive = len(words) > 1 or _mixed(words[0])
            score = (0.85 if distinctive else 0.7) * share
            entities.add(surface, Entry(node, score, MatchKind.SHORT))
            if len(by_node) == 1:
                entity_type = _entity_type(graph.nodes[node]["types"])
                surfaces.setdefault(surface, (entity_type, node))
            else:
                ambiguous.add(surface)

    for surface in ambiguous:
        surfaces.pop(surface, None)

    # Predicates without an Attribute node are cued by their own words ("battery_life").
    target_types: dict[str, set[str]] = defaultdict(set)
    owners: dict[str, list[str]] = defaultdict(list)
    count_predicates: dict[str, set[str]] = defaultdict(set)
    value_units: dict[str, set[str]] = defaultdict(set)
    owner_counts: dict[str, int] = defaultdict(int)
    value_nodes: set[str] = set()
    for node, data in graph.nodes(data=True):
        if ATTRIBUTE_TYPE in data["types"]:
            continue
        for fact in data["facts"]:
            if fact.predicate in (NAME, ALIAS, "type"):
                continue
            if len(owners[fact.predicate]) < 2 and node not in owners[fact.predicate]:
                owners[fact.predicate].append(node)
            if fact.edge:
                value_nodes.add(fact.object)
                target_types[fact.predicate].update(graph.nodes[fact.object]["types"])
        for predicate, pairs in data["values"].items():
            owner_counts[predicate] += 1
            for _, value in pairs:
                if isinstance(value, Quantity):
                    value_units[predicate].add(value.unit)
                    if value.info.dimension is Dimension.COUNT:
                        count_predicates[value.info.family].add(predicate)
    # Any node of a type that edges point at is a value ("gold" even if nothing is gold).
    value_types = {t for types in target_types.values() for t in types}
    for node, data in graph.nodes(data=True):
        if value_types & set(data["types"]) and ATTRIBUTE_TYPE not in data["types"]:
            value_nodes.add(node)
    # What each predicate means (kind of values, order, names) is the schema's.
    schema = graph_schema(graph)
    quantity_dimensions = {
        p: set(spec.dimensions) for p, spec in schema.predicates.items() if spec.dimensions
    }
    predicates = set(owners) | set(quantity_dimensions)
    # "tea" in opened_tea_returnable names the kind of thing, not the attribute.
    type_words = {
        form
        for _, data in graph.nodes(data=True)
        for node_type in data["types"]
        for form in (node_type.casefold(), node_type.casefold() + "s")
    }
    shared_words = Counter(w for p in predicates for w in set(predicate_words(p)))
    # Every literal text value, by predicate: its kind of value ("what cuisine?") and the
    # places the graph holds ("NY", "Chi-town", "丹佛").
    text_values: dict[str, list[str]] = defaultdict(list)
    for _, data in graph.nodes(data=True):
        for predicate, pairs in data["values"].items():
            text_values[predicate].extend(v.value for _, v in pairs if isinstance(v, Text))
    for predicate in sorted(predicates):  # one order whatever the hash seed
        cues.add(predicate.replace("_", " "), Entry(predicate, 0.8, CueKind.ATTRIBUTE))
        spoken = " ".join(predicate_words(predicate))
        if spoken and spoken != predicate.replace("_", " "):
            cues.add(spoken, Entry(predicate, 0.8, CueKind.ATTRIBUTE))
        for phrase in predicate_phrases(predicate):
            if " " not in phrase and shared_words[phrase] > 1:
                continue  # "5g" of has_5g is also a word of population_coverage_5g
            if phrase not in type_words and not entities.entries(phrase):
                cues.add(phrase, Entry(predicate, 0.8, CueKind.ATTRIBUTE))
        # Below the concepts (0.7) and the whole id (0.8): one word of the id ("steep" in
        # steep_time, "discount" in member_discount) and how its kind of quantity is asked.
        own = set(word_forms(predicate, synonyms=False))
        for form in word_forms(predicate):
            if form not in type_words and not entities.entries(form):
                # A customer's synonym ("stars" of a rating) under the id's own word ("stars"
                # of star_rating): the attribute that says it outright wins a tie.
                cues.add(form, Entry(predicate, 0.6 if form in own else 0.55, CueKind.ATTRIBUTE))
        folded = {v.strip().casefold() for v in text_values.get(predicate, ())}
        for phrase in family_cues(folded):
            # "what cuisine?" of a ``category`` holding Italian, Asian, American
            if phrase not in type_words and not entities.entries(phrase):
                cues.add(phrase, Entry(predicate, 0.5, CueKind.ATTRIBUTE))
        for dimension in quantity_dimensions.get(predicate, ()):
            for asked in DIMENSION_CUES.get(dimension, {}).values():
                for phrase in asked:
                    cues.add(phrase, Entry(predicate, 0.45, CueKind.ATTRIBUTE))
        info = attributes.get(predicate)
        if info is None:
            info = attributes[predicate] = AttributeInfo(predicate)
        spec = schema.get(predicate)
        if spec is not None:
            info.names, info.order = dict(spec.names), spec.order
        else:
            info.names = spoken_names(predicate, info.names, quantity_dimensions.get(predicate, ()))
        _apply_concepts(info, cues, quantity_dimensions.get(predicate, set()))
        chinese = zh_name(predicate)
        if chinese is not None and info.names.get("zh") == chinese:
            # An English id read in Chinese (phone_number: 电话号码), asked and said so.
            cues.add(chinese, Entry(predicate, 0.8, CueKind.ATTRIBUTE))
    for predicate, info in attributes.items():
        if predicate not in predicates:  # described, never used: names only
            info.names = spoken_names(predicate, info.names, ())
    texts, text_owners = _text_values(graph)
    place_values = [value for values in text_values.values() for value in values]
    initials = _initials(place_values)
    nicknames = _nicknames(place_values)
    zh_places = _zh_places(
        [*place_values, *(label.text for _, d in graph.nodes(data=True) for label in d["labels"])]
    )
    value_words = _value_words(graph)
    classes = _classes(graph, attributes)

    vocabulary: dict[str, set[str]] = defaultdict(set)
    for word in vocab_words:
        vocabulary[word].add(word)
        for variant in _deletions(word):
            vocabulary[variant].add(word)

    return GraphIndex(
        entities=entities,
        cues=cues,
        texts=texts,
        text_owners=text_owners,
        value_words=value_words,
        surfaces=surfaces,
        vocabulary=dict(vocabulary),
        known_words=vocab_words,
        attributes=attributes,
        target_types={p: frozenset(t) for p, t in target_types.items()},
        value_nodes=frozenset(value_nodes),
        owners=dict(owners),
        count_predicates=dict(count_predicates),
        quantity_dimensions=dict(quantity_dimensions),
        value_units={p: frozenset(u) for p, u in value_units.items()},
        owner_counts=dict(owner_counts),
        classes=classes,
        initials=initials,
        zh_places=zh_places,
        nicknames=nicknames,
    )


def _apply_concepts(info: AttributeInfo, cues: SurfaceTrie, dimensions: set[Dimension]) -> None:
    """Cue ``info``'s predicate by the built-in concepts its id names and its kind of value
    fits (a yes/no ``parking_available`` is no stock status); the graph's own names,
    phrases and relation words (its Attribute node) come first."""
    named = concepts_for(info.predicate)
    found = fitting_concepts(info.predicate, dimensions)
    # Levels of a quantity ("pricerange": cheap < moderate < expensive) are asked about
    # and ranked with the quantity's words ("is it pricey?", "the cheapest"), but said as
    # levels: cues and relations only.
    levels = tuple(
        c for c in named if c not in found and info.order and (c.less or c.most) and c.dimensions
    )
    for concept in levels:
        _cue_concept(info, concept, cues, 0.65)
    info.concepts = tuple(c.name for c in found)
    for rank, concept in enumerate(found):
        # Below the graph's own words (Attribute nodes 1.0, the predicate's id 0.8): a
        # concept cue helps choose among a thing's attributes but never overrules them.
        _cue_concept(info, concept, cues, 0.7 if rank == 0 else 0.65)
        for kind, table in _relation_tables(concept):
            for lang, words in table.items():
                if words:
                    info.relations.setdefault(kind, {}).setdefault(lang, words[0])
        if rank == 0:
            for lang, phrase in concept.phrase.items():
                info.phrases.setdefault(lang, phrase)
        info.status = info.status or concept.status
        if concept.needs and not info.needs:
            info.needs = dict(concept.needs)
            info.need_less = concept.need_less


def _relation_tables(
    concept: Concept,
) -> tuple[tuple[CueKind, Mapping[str, tuple[str, ...]]], ...]:
    return (
        (CueKind.LESS, concept.less),
        (CueKind.MORE, concept.more),
        (CueKind.LEAST, concept.least),
        (CueKind.MOST, concept.most),
    )


def _cue_concept(info: AttributeInfo, concept: Concept, cues: SurfaceTrie, score: float) -> None:
    """Cue ``info``'s predicate by ``concept``'s words and its relation words."""
    for words in concept.cues.values():
        for word in words:
            cues.add(word, Entry(info.predicate, score, CueKind.ATTRIBUTE))
    for kind, table in _relation_tables(concept):
        for words in table.values():
            for word in words:
                cues.add(word, Entry(info.predicate, score, kind))


def superlative_of(comparative: str, lang: str) -> str:
    """``lighter`` -> ``lightest``, ``more expensive`` -> ``most expensive``, ``轻`` -> ``最轻``."""
    if lang == "zh":
        return comparative.replace("更", "最", 1) if "更" in comparative else "最" + comparative
    words = []
    for word in comparative.split():
        folded = word.casefold()
        if folded == "more":
            word = "most"
        elif folded == "less":
            word = "least"
        elif folded == "a":
            word = "the"
        elif folded.endswith("ier") and len(folded) > 4:
            word = word[:-3] + "iest"
        elif folded.endswith("er") and len(folded) > 4:
            word = word[:-2] + "est"
        words.append(word)
    return " ".join(words)


def _text_values(graph: nx.MultiDiGraph) -> tuple[SurfaceTrie, dict[str, tuple[str, ...]]]:
    """Every literal text value ("sage green", "unused and in original packaging"), each
    pointing at the predicates it is a value of; and who has text values of each."""
    texts = SurfaceTrie()
    owners: dict[str, dict[str, None]] = defaultdict(dict)
    for node, data in graph.nodes(data=True):
        if ATTRIBUTE_TYPE in data["types"]:
            continue
        for predicate, pairs in data["values"].items():
            for _, value in pairs:
                if isinstance(value, Text) and value.value.strip():
                    texts.add(value.value, Entry(predicate, 1.0, TEXT_VALUE))
                    if _PLURALISABLE.fullmatch(value.value):
                        # "museums" names the category value "Museum"
                        texts.add(value.value + "s", Entry(predicate, 1.0, TEXT_VALUE))
                    spoken = value.value.strip().replace("_", " ").casefold()
                    if spoken in STATUS_ZH:  # "售罄" is how Chinese says sold_out
                        texts.add(STATUS_ZH[spoken], Entry(predicate, 1.0, TEXT_VALUE))
                    owners[predicate].setdefault(node, None)
    return texts, {p: tuple(nodes) for p, nodes in owners.items()}


_INITIALS = re.compile(r"\b[A-Z]{2,4}\b")
_CAPITALISED = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+){1,3}")


def _nicknames(names: Iterable[str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """A pattern per nickname of a place the graph holds ("Chi-town" for Chicago), the
    longest first; a nickname two held places share reads as neither."""
    held: dict[str, set[str]] = defaultdict(set)
    for name in names:
        value = name.strip()
        for nickname in PLACE_NICKNAMES.get(value.casefold(), ()):
            held[nickname].add(value)
        initials = _initials_of(value)
        # "SD" is also the initials of the graph's "Santa Dolores": ambiguous.
        if initials is not None and (initials in held or initials in _ALL_NICKNAMES):
            held[initials].add(value)
    found = []
    for nickname, values in sorted(held.items(), key=lambda pair: -len(pair[0])):
        if len(values) != 1 or nickname.casefold() in {v.casefold() for v in values}:
            continue
        short = len(nickname.replace(".", "")) <= 3 and nickname.isupper()
        flags = 0 if short else re.IGNORECASE  # "LA" in capitals only, "vegas" any case
        body = re.escape(nickname)
        found.append((re.compile(rf"(?<![\w.]){body}(?![\w])", flags), next(iter(values))))
    return tuple(found)


_ALL_NICKNAMES = frozenset(n for names in PLACE_NICKNAMES.values() for n in names)


def _zh_places(names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Chinese name -> the graph's English name of that place, for the places it holds;
    a Chinese name of two of them (奥克兰: Oakland and Auckland) reads as neither."""
    found: dict[str, set[str]] = defaultdict(set)
    for name in names:
        for chinese in ZH_PLACE_NAMES.get(name.strip().casefold(), ()):
            found[chinese].add(name.strip())
    unique = {zh: next(iter(en)) for zh, en in found.items() if len(en) == 1}
    return tuple(sorted(unique.items(), key=lambda pair: -len(pair[0])))


def _initials(texts: Iterable[str]) -> dict[str, str]:
    """Initials -> the capitalised value of several words they abbreviate, when only one
    value has them ("New York" -> ny; "San Diego" and "Santa Dolores" -> neither)."""
    found: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        value = text.strip()
        initials = _initials_of(value)
        if initials is not None:
            found[initials.casefold()].add(value)
    return {short: next(iter(full)) for short, full in found.items() if len(full) == 1}


def _initials_of(value: str) -> str | None:
    """ "New York" -> "NY"; None for anything but two to four capitalised words."""
    if not _CAPITALISED.fullmatch(value):
        return None
    return "".join(w[0] for w in value.split())


_PLURALISABLE = re.compile(r"[A-Za-z][A-Za-z ]{2,30}[a-rt-z]")
_VALUE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+&'-]{3,}")


def _value_words(graph: nx.MultiDiGraph) -> dict[str, frozenset[tuple[str, str]]]:
    """The words of literal text values of several words, each with the (node, predicate)
    pairs whose values hold it: a customer naming one ("do you take PayNow?") asks that."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for node, data in graph.nodes(data=True):
        if ATTRIBUTE_TYPE in data["types"]:
            continue
        for predicate, pairs in data["values"].items():
            for _, value in pairs:
                if not isinstance(value, Text) or " " not in value.value.strip():
                    continue
                for word in _VALUE_WORD.findall(value.value):
                    if word.casefold() not in _STOPWORDS:
                        found[word.casefold()].add((node, predicate))
    return {w: frozenset(where) for w, where in found.items()}


def _classes(
    graph: nx.MultiDiGraph, attributes: dict[str, AttributeInfo]
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Value nodes that name a group: targets of a predicate every subject has at most
    once (a category, a segment). Status values are not
    groups ("in stock" says how a thing is, not what it is)."""
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    functional: dict[str, bool] = {}
    for node, data in graph.nodes(data=True):
        if ATTRIBUTE_TYPE in data["types"]:
            continue
        counts: dict[str, int] = defaultdict(int)
        for fact in data["facts"]:
            if fact.edge:
                counts[fact.predicate] += 1
                members[(fact.object, fact.predicate)].append(node)
        for predicate, count in counts.items():
            functional[predicate] = functional.get(predicate, True) and count == 1
    classes: dict[str, tuple[str, tuple[str, ...]]] = {}
    for (value, predicate), nodes in members.items():
        info = attributes.get(predicate)
        if not functional.get(predicate) or (info is not None and info.status):
            continue
        known = classes.get(value)
        if known is None or len(known[1]) < len(nodes):
            classes[value] = (predicate, tuple(dict.fromkeys(nodes)))
    return classes


def _attribute_info(predicate: str, facts: Iterable[Any], cues: SurfaceTrie) -> AttributeInfo:
    info = AttributeInfo(predicate)
    semantics: set[str] = set()
    for fact in facts:
        if fact.predicate in (NAME, ALIAS):
            cues.add(fact.object, Entry(predicate, 1.0, CueKind.ATTRIBUTE))
            if fact.object.isascii() and fact.object.isalpha():
                cues.add(fact.object + "s", Entry(predicate, 0.9, CueKind.ATTRIBUTE))
            if fact.predicate == NAME:
                info.names.setdefault(fact.unit or "en", fact.object)
        elif fact.predicate in (LESS, MORE):
            kind, top = (
                (CueKind.LESS, CueKind.LEAST)
                if fact.predicate == LESS
                else (CueKind.MORE, CueKind.MOST)
            )
            lang = fact.unit or "en"
            cues.add(fact.object, Entry(predicate, 1.0, kind))
            superlative = superlative_of(fact.object, lang)
            cues.add(superlative, Entry(predicate, 1.0, top))
            info.relations.setdefault(kind, {}).setdefault(lang, fact.object)
            info.relations.setdefault(top, {}).setdefault(lang, superlative)
        elif fact.predicate == PHRASE:
            info.phrases[fact.unit or "en"] = fact.object
        elif fact.predicate == SEMANTICS:
            semantics.add(fact.object)
    info.semantics = frozenset(semantics)
    return info


def _entity_type(types: Sequence[str]) -> str:
    """``StockStatus`` -> ``stock_status``: the entity name the NLU uses."""
    if not types:
        return "entity"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", types[0]).casefold()


def _mixed(word: str) -> bool:
    return any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def _distinctive(word: str, full_keys: dict[str, set[str]], node: str) -> bool:
    folded = word.casefold()
    if folded in _STOPWORDS or folded.isdigit() or not word[0].isalnum():
        return False
    others = full_keys.get(match_key(word), set()) | full_keys.get(
        match_key(count_family(word)), set()
    )
    others |= full_keys.get(match_key(word + "s"), set())
    if others - {node}:
        return False  # "Laptop" is the laptops category's name, not a short name
    if _mixed(word):
        return True
    if is_cjk(word[0]):
        return len(word) >= 2
    return word.isalpha() and len(word) >= 3


def _distinctive_alone(word: str, full_keys: dict[str, set[str]], node: str) -> bool:
    """A single word names a thing only if it is a model code (X2) or a proper noun."""
    if not _distinctive(word, full_keys, node):
        return False
    if _mixed(word) or is_cjk(word[0]):
        return True
    return word[0].isupper() and len(word) >= 4


def _short_forms(words: list[str], full_keys: dict[str, set[str]], node: str) -> Iterator[str]:
    content = [w for w in words if w[0].isalnum() or is_cjk(w[0])]
    n = len(content)
    if n >= 3 and all(w.isascii() for w in content):
        # "Dr Lim" for "Dr Marcus Lim": the first and the last word.
        ends = [content[0], content[-1]]
        if any(_distinctive(w, full_keys, node) for w in ends):
            yield _join(ends)
    for length in range(1, n):
        for start in range(n - length + 1):
            span = content[start : start + length]
            if not any(_distinctive(w, full_keys, node) for w in span):
                continue
            if length == 1 and not _distinctive_alone(span[0], full_keys, node):
                continue
            if span[0].casefold() in _STOPWORDS or span[-1].casefold() in _STOPWORDS:
                continue
            yield _join(span)


def _join(words: Sequence[str]) -> str:
    out = words[0]
    for word in words[1:]:
        out += word if (is_cjk(word[0]) and is_cjk(out[-1])) else " " + word
    return out
