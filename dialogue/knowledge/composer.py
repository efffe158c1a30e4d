"""``ComposedAnswerer``: an answer written from the facts alone with templates (en, zh).

Used when no model is configured or the model fails, and as the last resort of repair:
a knowledge question is never answered with silence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import networkx as nx

from knowledge_graph import (
    Fact,
    Flag,
    Question,
    display_name,
    edge_facts,
    literal_facts,
    verbalise,
    verbalise_comparison,
    verbalise_window,
)
from knowledge_graph.checking import window_contains
from knowledge_graph.counting import MAX_NAMED, count_sentence, kind_of, members_of
from knowledge_graph.index import CueKind, graph_index
from knowledge_graph.language import match_key
from knowledge_graph.questions import QuestionKind
from knowledge_graph.selection import select, status_facts
from knowledge_graph.values import Quantity, magnitude

_YES = {"en": "Yes, ", "zh": "是的，"}
_NO = {"en": "No, ", "zh": "不，"}
_UNKNOWN = {
    "en": "Sorry, I don't have that information. I can connect you with a human agent.",
    "zh": "抱歉，我没有这方面的信息，可以为您转接人工客服。",
}


_UNKNOWN_REST = {
    "en": "I don't have information on the rest of your question.",
    "zh": "您问题的其余部分，我没有相关信息。",
}
_POLAR = re.compile(
    r"^\s*(?:and\s+|also\s+|so\s+)?(?P<aux>do|does|did|is|are|was|were|can|could|will|would)\s+"
    r"(?P<subject>it|they|you|this|that|these|those|the\s+[a-z]+)\s+(?P<rest>[^?!.]+?)\s*[?!.]*\s*$",
    re.IGNORECASE,
)
_MAX_ECHOED = 5
_SPEAKER = {"you": "we"}  # "Do you deliver?" is about the business: "whether we deliver"
_SINGULAR = frozenset({"it", "this", "that"})


def _whether(question: str) -> str | None:
    """ "Do they serve alcohol?" -> "whether they serve alcohol"; "Is it kid friendly?" ->
    "whether it is kid friendly"; None for any other shape of question."""
    found = _POLAR.match(question)
    if found is None:
        return None
    aux = found["aux"].casefold()
    subject = found["subject"].casefold()
    subject = _SPEAKER.get(subject, subject)
    rest = found["rest"].strip()
    if len(rest.split()) > _MAX_ECHOED or not re.fullmatch(r"[A-Za-z' -]+", rest):
        return None  # said back only when short and plain words: never a whole claim
    if aux in ("do", "did"):
        return f"whether {subject} {rest}"
    if aux == "does":
        verb, _, tail = rest.partition(" ")
        third = (
            "has"
            if verb == "have"
            else verb + ("es" if verb.endswith(("ch", "sh", "s", "x", "o")) else "s")
        )
        return f"whether {subject} {' '.join(w for w in (third, tail) if w)}"
    if aux in ("is", "are") and subject == "we":
        aux = "are"
    if subject in _SINGULAR and aux == "are":
        aux = "is"
    return f"whether {subject} {aux} {rest}"


_LOWER_AFTER_YES = frozenset({"Since", "It", "There", "The", "Prices", "Returns", "Orders", "We"})


def _matching_subjects(q: Question, facts: Sequence[Fact]) -> set[str]:
    """The subjects of ``facts`` that hold a value the question names (none named: empty)."""
    said = {(p, match_key(v)) for p, v in q.texts}
    named = set(q.values) | set(q.groups)
    return {
        f.subject
        for f in facts
        if (f.predicate, match_key(str(f.object))) in said or (f.edge and f.object in named)
    }


def _answer(yes: bool, sentence: str, lang: str) -> str:
    """``Yes, ``/``No, `` before a sentence, its first word lowered where that reads right."""
    first, _, rest = sentence.partition(" ")
    if lang == "en" and first in _LOWER_AFTER_YES:
        sentence = first.lower() + " " + rest
    return (_YES if yes else _NO)[lang] + sentence


class ComposedAnswerer:
    """Writes answers from facts; every sentence it writes checks as supported."""

    def __init__(self, *, max_sentences: int = 4) -> None:
        self.max_sentences = max_sentences

    def compose(
        self,
        graph: nx.MultiDiGraph,
        question: Question,
        facts: Sequence[Fact],
        lang: str,
        *,
        skip: frozenset[str] = frozenset(),
    ) -> str:
        """The answer to ``question`` from ``facts`` (as ``retrieve`` returned them);
        ``skip``: things a list already showed ("something else?": the next ones)."""
        for attempt in (
            self._count,
            self._comparison,
            self._window,
            self._membership,
            self._flag,
            self._has_value,
        ):
            answer = attempt(graph, question, facts, lang)
            if answer:
                return self._with_status(graph, question, answer, lang)
        answer = self._facts(graph, question, facts, lang, skip)
        return self._with_status(graph, question, answer, lang)

    def _with_status(self, graph: nx.MultiDiGraph, q: Question, answer: str, lang: str) -> str:
        """``answer`` plus the stock and availability facts (restock date, discontinued)
        of the things asked about, whenever the question is about buying or stock."""
        status = self.status_sentences(graph, q, set(), lang)
        unsaid = [s for s in status if s.rstrip(".。") not in answer]
        return ("" if lang == "zh" else " ").join([answer, *unsaid])

    def status_sentences(
        self, graph: nx.MultiDiGraph, q: Question, said: set[str], lang: str
    ) -> list[str]:
        """The status facts a buying or stock question must hear, except those of the
        predicates in ``said`` (already stated)."""
        if q.kind is not QuestionKind.LOOKUP:
            return []
        sentences: list[str] = []
        for subject in q.subjects[:2]:
            facts = status_facts(graph, subject)
            if not (q.buying or any(f.predicate in q.predicates for f in facts)):
                continue
            unsaid = [f for f in facts if f.predicate not in said]
            sentences.extend(verbalise(graph, unsaid, lang) if unsaid else [])
        return sentences

    def unsaid_asked(
        self,
        graph: nx.MultiDiGraph,
        q: Question,
        facts: Sequence[Fact],
        said: set[str],
        lang: str,
    ) -> list[str]:
        """Sentences for the asked attributes of the first thing asked about that a
        lookup's answer left out (``said``: the predicates it states)."""
        if q.kind is not QuestionKind.LOOKUP or not q.subjects or not said:
            return []
        subject = q.subjects[0]
        unsaid = [
            f
            for f in facts
            if f.subject == subject and f.predicate in q.predicates and f.predicate not in said
        ]
        return verbalise(graph, unsaid, lang) if unsaid else []

    def unknown(self, lang: str) -> str:
        return _UNKNOWN.get(lang, _UNKNOWN["en"])

    def unknown_part(self, part: str, lang: str) -> str:
        """Says plainly that one part of the question ("Do they serve alcohol?") is beyond
        what the business recorded, after the rest was answered. The customer's words are
        repeated only as "whether they serve alcohol", never a number they wrote ("is it
        $1?"): nothing the customer claims comes back in the bot's voice."""
        clause = None if lang == "zh" or re.search(r"\d", part) else _whether(part)
        if clause is not None:
            return f"I don't have information on {clause}."
        return _UNKNOWN_REST.get(lang, _UNKNOWN_REST["en"])

    def _join(self, sentences: Sequence[str], lang: str) -> str:
        return ("" if lang == "zh" else " ").join(sentences[: self.max_sentences])

    def _count(
        self, graph: nx.MultiDiGraph, q: Question, facts: Sequence[Fact], lang: str
    ) -> str | None:
        """ "How many oolong teas do you have?": how many, and the first ones by name."""
        if q.count is None or lang != q.lang:
            return None
        kind, classifier = q.count
        members = members_of(graph, kind, lang)
        if members is None:
            return None
        names = [display_name(graph, node, lang) for node in members[:MAX_NAMED]]
        return count_sentence(kind, classifier, names, len(members), lang)

    def _listed(
        self, graph: nx.MultiDiGraph, q: Question, lang: str, skip: frozenset[str]
    ) -> str | None:
        """ "Hotels in Toronto?": how many and the first ones by name ("We have 10 hotels in
        Toronto, including A, B, C and D."), where the set can be named that simply; after
        ``skip`` (shown before) the next ones, or just how many when all were shown."""
        if lang != q.lang:
            return None
        members = select(graph, q).members
        if not members:
            return None
        named = kind_of(graph, q, members)
        if named is None:
            return None
        kind, classifier = named
        rest = [node for node in members if node not in skip]
        names = [display_name(graph, node, lang) for node in rest[:MAX_NAMED]]
        return count_sentence(kind, classifier, names, len(members), lang)

    def _comparison(
        self, graph: nx.MultiDiGraph, q: Question, facts: Sequence[Fact], lang: str
    ) -> str | None:
        if q.comparison is None:
            return None
        predicate, relation = q.comparison
        owners = [s for s in q.subjects if literal_facts(graph, s, predicate)]
        if len(owners) < 2:
            return None
        first, second = owners[0], owners[1]
        sentence = verbalise_comparison(graph, first, second, predicate, lang)
        if sentence is None:
            return None
        if not q.polar:
            return sentence
        a = magnitude(literal_facts(graph, first, predicate)[0][1])
        b = magnitude(literal_facts(graph, second, predicate)[0][1])
        assert a is not None and b is not None
        holds = a < b if relation is CueKind.LESS else a > b
        return _answer(holds, sentence, lang)

    def _window(
        self, graph: nx.MultiDiGraph, q: Question, facts: Sequence[Fact], lang: str
    ) -> str | None:
        if q.elapsed is None:
            return None
        index = graph_index(graph)
        for fact in facts:
            if "window" in index.attribute(fact.predicate).semantics:
                sentence = verbalise_window(graph, fact.subject, fact.predicate, q.elapsed, lang)
                value = fact.value
                if sentence is None or not isinstance(value, Quantity):
                    continue
                inside = window_contains(value, q.elapsed)
                return _answer(bool(inside), sentence, lang) if q.polar else sentence
        return None

    def _membership(
        self, graph: nx.MultiDiGraph, q: Question, facts: Sequence[Fact], lang: str
    ) -> str | None:
        if not q.polar or not q.values:
            return None
        value = q.values[0]
        for fact in facts:
            if not fact.edge:
                continue
            targets = edge_facts(graph, fact.subject, fact.predicate)
            value_types = set(graph.nodes[value]["types"])
            if not any(value_types & set(graph.nodes[t.object]["types"]) for t in targets):
                continue
            present = any(t.object == value for t in targets)
            sentences = verbalise(graph, targets, lang)
            return _answer(present, self._join(sentences, lang), lang)
        return None

    def _flag(
        self, graph: nx.MultiDiGraph, q: Question, facts: Sequence[Fact], lang: str
    ) -> str | None:
        if not q.polar:
            return None
        flags = [
            f
            for f in facts
            if f.predicate in q.predicates and not f.edge and isinstance(f.value, Flag)
        ]
        if not flags:
            return None
        # "Does it serve alcohol and have live music?": each yes/no asked of the same thing.
        first = flags[0]
        also = [f for f in flags[1:] if f.subject == first.subject]
        value = first.value
        assert isinstance(value, Flag)
        sentences = [_answer(value.value, verbalise(graph, [first], lang)[0], lang)]
        sentences += [verbalise(graph, [f], lang)[0] for f in also]
        return self._join(sentences, lang)

    def _has_value(
        self, graph: nx.MultiDiGraph, q: Question, facts: Sequence[Fact], lang: str
    ) -> str | None:
        """ "Do you ship to Singapore?": yes with the value named, or no with the values
        there are."""
        if not q.polar or not q.texts or not q.subjects:
            return None
        subject = q.subjects[0]
        for predicate, value in q.texts:
            have = [f for f in facts if f.subject == subject and f.predicate == predicate]
            if not have:
                continue
            same = [f for f in have if match_key(f.object) == match_key(value)]
            if same:
                return _answer(True, verbalise(graph, same, lang)[0], lang)
            return _answer(False, verbalise(graph, have, lang)[0], lang)
        return None

    def _facts(
        self,
        graph: nx.MultiDiGraph,
        q: Question,
        facts: Sequence[Fact],
        lang: str,
        skip: frozenset[str] = frozenset(),
    ) -> str:
        if not facts:
            return self.unknown(lang)
        asked = [f for f in facts if f.predicate in q.predicates]
        chosen = asked or list(facts)
        if q.kind in (QuestionKind.SUPERLATIVE, QuestionKind.RECOMMEND):
            # "The best Mexican place in San Jose": the ranking of the ones that match, not
            # of every place searched (their values come along for the checker).
            matched = _matching_subjects(q, facts)
            if matched:
                chosen = [f for f in chosen if f.subject in matched]
        if q.kind is QuestionKind.FILTER and not asked:
            listed = self._listed(graph, q, lang, skip)
            if listed:
                return listed
            facts = [f for f in facts if f.subject not in skip]
            if not facts:
                return self.unknown(lang)
            # "A cheap Chinese place in Fremont?": name every match (one fact each) rather
            # than the first match's every fact.
            limits = {p for b in q.bounds for p in b.predicates} | {p for p, _ in q.flags}
            firsts: dict[str, Fact] = {}
            for fact in facts:
                firsts.setdefault(fact.subject, fact)
                if fact.predicate in limits and firsts[fact.subject].predicate not in limits:
                    firsts[fact.subject] = fact  # "laptops under 1500": what each costs
            chosen = list(firsts.values())
        sentences = verbalise(graph, chosen, lang)
        return self._join(sentences, lang)
