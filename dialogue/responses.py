"""Domain responses turned into bot messages: the variation for the current slots (the
``language`` slot picks the Chinese variations), ``{slot}`` placeholders filled, buttons.

A response never copies a fact the knowledge graph holds: it names it,
``{kg:NODE:PREDICATE}`` ("Express shipping costs {kg:policy:express_shipping:shipping_fee}."),
and the value is read from the live graph when the response is said, in the
conversation's language. A sentence whose fact the graph no longer has is left out.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialogue.domain import Domain

__all__ = [
    "FALLBACK_TEXT",
    "FactRenderer",
    "Message",
    "fact_nodes",
    "fact_placeholders",
    "fill_facts",
    "fill_template",
    "render_response",
]

#: ``(node, predicate, language) -> the value as said in that language``, or None when
#: the graph has no such fact.
FactRenderer = Callable[[str, str, str], str | None]

_FACT = re.compile(r"\{kg:(?P<node>[^{}]+):(?P<predicate>[^{}:]+)\}")
_TEMPLATE_SENTENCE = re.compile(r"[^.!?。！？]+(?:[.!?。！？]+\s*|$)")

#: Said when a response has no variation for the current slots; never silence.
FALLBACK_TEXT = {
    "en": "Sorry, I didn't understand that. Could you rephrase it?",
    "zh": "抱歉，我没有理解您的意思，能换个说法吗？",
}


@dataclass(frozen=True, slots=True)
class Message:
    """A bot message before it becomes a reply and a ``bot`` event."""

    text: str
    response: str | None = None
    buttons: tuple[Mapping[str, Any], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


class _TemplateFormatter(string.Formatter):
    """``{slot}`` placeholders from the slots; a placeholder without a value stays as is."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str):
            value = kwargs.get(key)
            return "{" + key + "}" if value is None else value
        return super().get_value(key, args, kwargs)


def fill_template(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with ``{name}`` replaced by ``values[name]``; malformed braces leave it as is."""
    try:
        return _TemplateFormatter().format(text, **values)
    except (ValueError, IndexError, AttributeError, KeyError):
        return text


def fact_placeholders(domain: Domain, name: str) -> tuple[tuple[str, str], ...]:
    """The ``(node, predicate)`` facts response ``name`` states (``{kg:NODE:PREDICATE}``
    in any of its variations), in order."""
    found: dict[tuple[str, str], None] = {}
    for variation in domain.responses.get(name, ()):
        for match in _FACT.finditer(variation.text or ""):
            found.setdefault((match["node"], match["predicate"]), None)
    return tuple(found)


def fact_nodes(domain: Domain, name: str) -> tuple[str, ...]:
    """The graph nodes whose facts response ``name`` states, in order: what the response
    is about."""
    return tuple(dict.fromkeys(node for node, _ in fact_placeholders(domain, name)))


def fill_facts(text: str, facts: FactRenderer | None, language: str) -> str:
    """``text`` with every ``{kg:NODE:PREDICATE}`` replaced by the graph's value; a
    sentence naming a fact the graph does not have (or with no graph) is dropped."""
    if "{kg:" not in text:
        return text
    kept: list[str] = []
    for sentence in _TEMPLATE_SENTENCE.findall(text):
        missing = False

        def value(match: re.Match[str]) -> str:
            nonlocal missing
            found = facts(match["node"], match["predicate"], language) if facts else None
            if found is None:
                missing = True
                return ""
            return found

        filled = _FACT.sub(value, sentence)
        if not missing:
            kept.append(filled)
    return "".join(kept).strip()


def render_response(
    domain: Domain,
    name: str,
    slots: Mapping[str, Any],
    *,
    rng: random.Random,
    values: Mapping[str, Any] | None = None,
    facts: FactRenderer | None = None,
) -> Message:
    """The message for response ``name``; ``values`` (e.g. an action's keyword arguments)
    fill placeholders before slots do, ``facts`` the ``{kg:...}`` ones. Unknown responses
    or no fitting variation give the fallback text in the conversation's language."""
    variation = domain.pick_response(name, slots, rng=rng) if name in domain.responses else None
    language = str(slots.get("language") or "en")
    if variation is None or not (variation.text or variation.buttons or variation.image):
        return Message(text=FALLBACK_TEXT.get(language, FALLBACK_TEXT["en"]), response=name)
    fill = {**slots, **(values or {})}
    buttons = tuple(
        {"title": fill_template(b.title, fill), "payload": b.payload} for b in variation.buttons
    )
    extra: dict[str, Any] = {}
    if variation.image:
        extra["image"] = variation.image
    if variation.custom:
        extra["custom"] = dict(variation.custom)
    return Message(
        text=fill_template(fill_facts(variation.text or "", facts, language), fill),
        response=name,
        buttons=buttons,
        extra=extra,
    )
