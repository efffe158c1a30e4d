"""Whether each sentence of an answer may reach the customer.

Checking finds the claims it can parse; a sentence can still say things no claim
captured ("available in MP3, WAV and AAC", "the warranty does not cover the cost").
Grounding closes that gap: a sentence is delivered only if it is

- SOCIAL: one of a small closed set of non-factual phrases (greeting, thanks, offer of
  help), matched as a whole sentence; or
- GROUNDED: it has at least one supported claim, none contradicted or unverifiable, and
  every other word in it is licensed: a node of the graph it names, the words of its
  supported claims and of their predicates' names, templates and cues, a text value of
  those predicates, or a function word. A number outside a supported claim, or any other
  word, makes it UNGROUNDED.

The rule is deliberately strict: a sentence that is dropped here is replaced by the
answer composed from the facts, which always grounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from knowledge_graph.checking import CheckReport, ClaimStatus, check
from knowledge_graph.claims import Sentence
from knowledge_graph.concepts import TAIL_VERBS, ZH_FLAG_VERBS, zh_flag
from knowledge_graph.index import GraphIndex, graph_index
from knowledge_graph.linking import link
from knowledge_graph.values import count_family

__all__ = ["Grounding", "SentenceGrounding", "ground", "grounded_text"]


class Grounding(StrEnum):
    SOCIAL = "social"
    GROUNDED = "grounded"
    UNGROUNDED = "ungrounded"


@dataclass(frozen=True, slots=True)
class SentenceGrounding:
    sentence: Sentence
    grounding: Grounding
    unlicensed: tuple[str, ...] = ()  # the words that made it ungrounded

    @property
    def delivered(self) -> bool:
        return self.grounding is not Grounding.UNGROUNDED


_SOCIAL_EN = re.compile(
    r"^(?:"
    r"(?:hi|hello|hey)(?: there)?"
    r"|(?:thank you|thanks)(?: for (?:your (?:question|patience|message)|asking|reaching out|contacting us|shopping with us))?"
    r"|you(?:'re| are) welcome"
    r"|(?:i'?m|i am) (?:happy|glad) to help"
    r"|(?:i )?hope (?:this|that) helps"
    r"|(?:is there )?anything else (?:i can help (?:you )?with|you(?:'d| would) like to know)"
    r"|(?:please )?let me know if you (?:have any (?:other|more|further) questions|need anything else|need more help)"
    r"|(?:please )?feel free to ask(?: if you have any (?:other|more) questions)?"
    r"|how (?:can|may) i help(?: you)?(?: today)?"
    r"|have a (?:great|nice|good) day"
    r"|sorry, i (?:don't|do not) have that information"
    # what the composer says of a part of a question the graph has nothing on
    r"|i (?:don't|do not) have information on (?:whether [a-z' -]{1,60}|the rest of your question)"
    r"|i can connect you (?:with|to) a human agent"
    r")\s*[.!?]*$",
    re.IGNORECASE,
)
_SOCIAL_ZH = re.compile(
    r"^(?:您好|你好|谢谢(?:您的(?:提问|耐心|咨询))?|不客气|很高兴为您服务|很乐意为您解答|希望对您有帮助|"
    r"还有(?:什么|其他)(?:可以|能)帮(?:您|你)的吗|如(?:有|果还有)(?:其他|任何)问题[，,]?(?:请)?随时(?:告诉我|联系我们|咨询)|"
    r"祝您(?:购物愉快|生活愉快)|您问题的其余部分，我没有相关信息|请问还有什么需要帮助的吗|抱歉，我没有这方面的信息，可以为您转接人工客服)\s*[。！？!?.]*$"
)

# Words that state nothing by themselves. Content words are licensed only by the graph.
_FUNCTION_EN_WORDS = """
    a an the this that these those it its it's they them their there here
    is are was were be been being has have had does do did will would can could may
    and or but also both either neither as well too so then
    of in on at to from by for with within up per each every all any only just
    our we us you your yes no not don't doesn't isn't aren't
    which who what when where how if than including
    currently now still today right
    available offer offers sell sells priced comes come option options choose choice
    model version item items product products order orders purchase delivery
"""
_FUNCTION_EN = frozenset(_FUNCTION_EN_WORDS.split())
_FUNCTION_ZH_WORDS = """
        我们 您 你 它 它们 这 那 这款 那款 该 此 款 个 种 件 台 的 是 有 和 与 及 以及 或 也 都 还
        为 在 可 可以 能 了 吗 呢 哦 呀 啊 目前 现在 现 均 共 各 每 只 仅 中 里 上 下 之 内 后
        是的 不 否 比 更 提供 有售 出售 售价 可选 选择 颜色 款式 产品 商品 订单 购买 签收 收货 包括
"""
_FUNCTION_ZH = tuple(sorted(_FUNCTION_ZH_WORDS.split(), key=len, reverse=True))
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+(?:[.,:]\d+)*|[\u3400-\u9fff]+")


def ground(
    graph: nx.MultiDiGraph,
    text: str,
    *,
    context: Sequence[str] = (),
    report: CheckReport | None = None,
) -> tuple[SentenceGrounding, ...]:
    """A verdict on every sentence of ``text`` (``report``: its check, if already made)."""
    if report is None or report.text != text:
        report = check(graph, text, context=context)
    index = graph_index(graph)
    mentions = [(m.start, m.end) for m in link(graph, text)]
    cues = index.cues.scan(text)
    texts = index.texts.scan(text)
    verdicts: list[SentenceGrounding] = []
    for sentence in report.sentences:
        verdicts.append(_sentence(index, text, sentence, report, mentions, cues, texts))
    return tuple(verdicts)


def grounded_text(
    graph: nx.MultiDiGraph, text: str, *, context: Sequence[str] = ()
) -> tuple[str, tuple[SentenceGrounding, ...]]:
    """``text`` without its ungrounded sentences, and the verdicts."""
    verdicts = ground(graph, text, context=context)
    kept = [v.sentence.text for v in verdicts if v.delivered]
    return join_sentences(kept), verdicts


def join_sentences(sentences: Iterable[str]) -> str:
    out = ""
    for sentence in sentences:
        if out and not (_wide(out[-1]) or _wide(sentence[:1])):
            out += " "
        out += sentence
    return out


def _wide(ch: str) -> bool:
    return bool(ch) and ord(ch) >= 0x2E80


def _sentence(
    index: GraphIndex,
    text: str,
    sentence: Sentence,
    report: CheckReport,
    mentions: Sequence[tuple[int, int]],
    cues: Sequence[object],
    texts: Sequence[object],
) -> SentenceGrounding:
    body = sentence.text.strip()
    if _SOCIAL_EN.match(body) or _SOCIAL_ZH.match(body):
        return SentenceGrounding(sentence, Grounding.SOCIAL)
    checks = report.in_sentence(sentence.index)
    supported = [c for c in checks if c.status is ClaimStatus.SUPPORTED]
    if not supported or len(supported) < len(checks):
        doubtful = tuple(c.claim.text for c in checks if c.status is not ClaimStatus.SUPPORTED)
        return SentenceGrounding(sentence, Grounding.UNGROUNDED, doubtful or (body,))
    predicates = {p for c in supported for p in c.claim.predicates}
    covered: list[tuple[int, int]] = [c.claim.span for c in supported]
    covered.extend(m for m in mentions if sentence.start <= m[0] < sentence.end)
    for hit in (*cues, *texts):
        start, end, entries = hit.start, hit.end, hit.entries  # type: ignore[attr-defined]
        if sentence.start <= start < sentence.end and any(e.target in predicates for e in entries):
            covered.append((start, end))
    licensed_en, licensed_zh = _licensed_words(index, predicates)
    chars = list(text[sentence.start : sentence.end])
    for start, end in covered:
        for i in range(max(start, sentence.start), min(end, sentence.end)):
            chars[i - sentence.start] = " "
    leftover = "".join(chars)
    unlicensed: list[str] = []
    for match in _WORD.finditer(leftover):
        word = match.group(0)
        if word[0].isdigit():
            unlicensed.append(word)
        elif word.isascii():
            folded = word.casefold()
            if not {folded, count_family(folded)} & (_FUNCTION_EN | licensed_en):
                unlicensed.append(word)
        else:
            unlicensed.extend(_uncovered_zh(word, licensed_zh))
    if unlicensed:
        return SentenceGrounding(sentence, Grounding.UNGROUNDED, tuple(unlicensed))
    return SentenceGrounding(sentence, Grounding.GROUNDED)


def _licensed_words(
    index: GraphIndex, predicates: Iterable[str]
) -> tuple[frozenset[str], tuple[str, ...]]:
    """The words the templates, names and relation words of ``predicates`` use."""
    en: set[str] = set()
    zh: set[str] = set()
    for predicate in predicates:
        info = index.attribute(predicate)
        phrases = [*info.names.values(), *info.phrases.values()]
        phrases.extend(w for words in info.relations.values() for w in words.values())
        phrases.append(predicate.replace("_", " "))
        # A yes/no predicate's Chinese verb phrase (没有现场音乐, 不允许吸烟).
        for flag in (True, False):
            said = zh_flag(predicate, flag)
            if said is not None:
                phrases.append(said)
                # its verb alone too: the attribute's own words are a cue, blanked before
                phrases.extend(v for v in ZH_FLAG_VERBS if said.startswith(v))
        for phrase in phrases:
            phrase = phrase.replace("{subject}", " ").replace("{value}", " ")
            for word in _WORD.findall(phrase):
                if word.isascii():
                    en.add(word.casefold())
                    en.add(count_family(word))  # "does not serve" of serves_alcohol
                    verb = TAIL_VERBS.get(word.casefold())
                    if verb is not None:  # "welcomes pets" of pets_welcome
                        en.update((verb, verb[:-1]))
                else:
                    zh.add(word)
    return frozenset(en), tuple(sorted(zh, key=len, reverse=True))


def _uncovered_zh(run: str, licensed: Sequence[str]) -> list[str]:
    """The characters of a Chinese run that no licensed or function word covers
    (greedy longest match; licensed template runs may cover a whole run)."""
    words = sorted({*licensed, *_FUNCTION_ZH}, key=len, reverse=True)
    left: list[str] = []
    i = 0
    while i < len(run):
        for word in words:
            if run.startswith(word, i):
                i += len(word)
                break
        else:
            left.append(run[i])
            i += 1
    return left
