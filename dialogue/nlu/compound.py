"""Messages that do something and give its details at once.

"I want to return order A10004, my email is liam.smith@example.com" is a return request
that also informs the email; classified whole, the informing clause can outweigh the
request ("inform"). The request is the clause that says what to do; the clauses that only
give values (an entity with a few words naming it: "my email is …", "邮箱…") add entities,
not the intent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dialogue.nlu.types import Entity

__all__ = ["asking_part"]

# Clause ends: sentence punctuation, commas and semicolons (Latin and Chinese).
_BREAK = re.compile(r"[.!?;,]+(?=\s|$)|[。！？；，、]+|\s+(?:and|also)\s+", re.IGNORECASE)
# Words that name or frame a value rather than say what to do.
_FRAMING = frozenset(
    {
        *("my", "is", "it's", "its", "it", "the", "a", "an", "and", "here", "this", "that"),
        *("email", "e-mail", "mail", "address", "number", "no", "id", "order", "phone"),
        *("name", "please", "thanks", "thank", "you", "i", "am", "at", "under", "with"),
        *("for", "me", "use", "used", "using", "was", "hi", "hello", "hey", "ok", "okay"),
        *("sure", "yes", "yep", "also", "account", "mobile", "code", "reference", "ref"),
    }
)
_FRAMING_ZH = re.compile(
    r"我的|我|是|邮箱|邮件|电子邮件|地址|订单号|订单|单号|号码|电话|手机|名字|姓名|谢谢|请|用的|的|为"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def asking_part(text: str, entities: Sequence[Entity]) -> str | None:
    """The clauses of ``text`` that say what to do, when its other clauses only give
    values ("I want to return order A10004" of "I want to return order A10004, my email is
    …"); None when the message is not such a compound."""
    clauses = _clauses(text)
    if len(clauses) < 2:
        return None
    asking: list[str] = []
    informing = 0
    for start, end in clauses:
        inside = [e for e in entities if start <= e.start and e.end <= end]
        if inside and _only_framing(text, start, end, inside):
            informing += 1
        else:
            asking.append(text[start:end].strip())
    if not informing or not asking:
        return None
    joined = " ".join(asking)
    if not any(w.casefold() not in _FRAMING for w in _WORD.findall(joined)) and not _cjk(
        _FRAMING_ZH.sub("", joined)
    ):
        return None  # "thanks": nothing asked beside the values
    return joined


def _clauses(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = 0
    for found in _BREAK.finditer(text):
        if text[cursor : found.start()].strip():
            spans.append((cursor, found.start()))
        cursor = found.end()
    if text[cursor:].strip():
        spans.append((cursor, len(text)))
    return spans


def _only_framing(text: str, start: int, end: int, inside: Sequence[Entity]) -> bool:
    """Whether the clause is its entities and words that frame them ("my email is …")."""
    rest = []
    cursor = start
    for entity in sorted(inside, key=lambda e: e.start):
        rest.append(text[cursor : entity.start])
        cursor = entity.end
    rest.append(text[cursor:end])
    remainder = " ".join(rest)
    words = [w.casefold() for w in _WORD.findall(remainder)]
    if any(w not in _FRAMING for w in words):
        return False
    return not _cjk(_FRAMING_ZH.sub("", remainder))


def _cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
