"""A short summary of a conversation for the agent who takes it over (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_EMAIL = re.compile(r"(?P<first>[^@\s])[^@\s]*@(?P<domain>[^\s]+)")


def mask_email(value: str) -> str:
    return _EMAIL.sub(lambda m: f"{m['first']}***@{m['domain']}", value)


def summarize(events: Sequence[Mapping[str, Any]], messages: Sequence[Mapping[str, Any]]) -> str:
    """What the customer wanted, what is known, how the bot did, and the last thing they said."""
    intents: list[str] = []
    slots: dict[str, Any] = {}
    fallbacks = 0
    language = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            name = (parse.get("intent") or {}).get("name")
            language = parse.get("language") or language
            if name == "nlu_fallback":
                fallbacks += 1
            elif name and name not in intents:
                intents.append(name)
        elif (
            kind == "slot"
            and event.get("name") not in (None, "language", "requested_slot")
            and event.get("value") not in (None, "", [])
        ):
            slots[str(event["name"])] = event["value"]
    customer = [m for m in messages if m.get("role") == "customer"]
    parts = [
        f"{len(customer)} customer message(s)" + (f" in {language}" if language else "") + ".",
        "Asked about: " + (", ".join(intents) if intents else "nothing recognised") + ".",
    ]
    if slots:
        known = ", ".join(f"{k}={mask_email(str(v))}" for k, v in sorted(slots.items()))
        parts.append(f"Known: {known}.")
    if fallbacks:
        parts.append(f"The bot did not understand {fallbacks} message(s).")
    if customer:
        parts.append(f"Last message: \u201c{str(customer[-1].get('text', ''))[:200]}\u201d")
    return " ".join(parts)
