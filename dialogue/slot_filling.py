"""Slot values from a customer message through the domain's slot mappings (Rasa 3).

Two passes, as a pure function each:

- :func:`extract_global_slots` runs on every message, right after it arrives, for the
  mappings without ``conditions`` (Rasa's ``action_extract_slots``).
- :func:`extract_form_slots` runs when the active form reads the message, for the
  mappings whose ``conditions`` hold (``active_loop``, ``requested_slot``), and for
  ``from_trigger_intent`` mappings when the form starts.

The first mapping of a slot that yields a value wins; slots the message's intent does
not use (``use_entities``), or that the active form ignores (``ignored_intents``), stay
as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogue.domain import Domain, MappingType, Slot, SlotMapping
from dialogue.events import UserUttered

__all__ = ["extract_form_slots", "extract_global_slots", "mapping_value"]


def _entities(domain: Domain, message: UserUttered) -> list[Mapping[str, Any]]:
    if message.intent is None:
        return list(message.entities)
    used = domain.entities_for_intent(message.intent)
    return [e for e in message.entities if e.get("entity") in used]


def mapping_value(
    slot: Slot,
    mapping: SlotMapping,
    message: UserUttered,
    domain: Domain,
    *,
    trigger: bool = False,
) -> Any:
    """The value ``mapping`` gives ``slot`` for ``message``, or None. ``trigger`` marks
    the message that started a form (only then do ``from_trigger_intent`` mappings apply)."""
    intent = message.intent
    if mapping.type is MappingType.FROM_ENTITY:
        if not mapping.accepts_intent(intent):
            return None
        values = [
            e.get("value")
            for e in _entities(domain, message)
            if e.get("entity") == mapping.entity
            and (mapping.role is None or e.get("role") == mapping.role)
            and (mapping.group is None or e.get("group") == mapping.group)
        ]
        if not values:
            return None
        return values if slot.type == "list" else values[0]
    if mapping.type is MappingType.FROM_TEXT:
        return message.text if mapping.accepts_intent(intent) and message.text else None
    if mapping.type is MappingType.FROM_INTENT:
        # An empty intent list means any intent, as in Rasa.
        return mapping.value if intent is not None and mapping.accepts_intent(intent) else None
    if mapping.type is MappingType.FROM_TRIGGER_INTENT:
        if trigger and intent is not None and mapping.accepts_intent(intent):
            return mapping.value
        return None
    return None  # custom mappings are filled by actions


def extract_global_slots(domain: Domain, message: UserUttered) -> dict[str, Any]:
    """Slot values from the unconditioned mappings; slots without a value are left out."""
    found: dict[str, Any] = {}
    for slot in domain.slots:
        for mapping in slot.mappings:
            if mapping.conditions or mapping.type is MappingType.FROM_TRIGGER_INTENT:
                continue
            value = mapping_value(slot, mapping, message, domain)
            if value is not None:
                found[slot.name] = value
                break
    return found


def extract_form_slots(
    domain: Domain,
    message: UserUttered,
    *,
    form: str,
    requested_slot: str | None,
    skip: frozenset[str] = frozenset(),
    trigger: bool = False,
) -> dict[str, Any]:
    """Values from mappings conditioned on ``form`` (and ``requested_slot``) for the slots
    not in ``skip`` (those the global pass already filled from this message)."""
    spec = domain.form(form)
    if spec is not None and message.intent in spec.ignored_intents:
        return {}
    found: dict[str, Any] = {}
    for slot in domain.slots:
        if slot.name in skip:
            continue
        for mapping in slot.mappings:
            is_trigger = mapping.type is MappingType.FROM_TRIGGER_INTENT
            if not mapping.conditions and not is_trigger:
                continue
            if mapping.conditions and not mapping.accepts_state(form, requested_slot):
                continue
            # An unconditioned trigger mapping serves the form that lists the slot.
            if (
                is_trigger
                and not mapping.conditions
                and spec is not None
                and slot.name not in spec.required_slots
            ):
                continue
            value = mapping_value(slot, mapping, message, domain, trigger=trigger)
            if value is not None:
                found[slot.name] = value
                break
    return found
