"""The rasa-sdk webhook contract, as pure functions.

An *action call* is the JSON Rasa posts to an action server's ``/webhook``::

    {"next_action": str, "sender_id": str, "tracker": {...}, "domain": {...},
     "domain_digest": str, "version": str}

and the answer is ``{"events": [...], "responses": [...]}``. :func:`action_call`
builds the call from kefu's events and domain; :class:`ActionResult` reads the answer.
Both executors (in-process and remote) speak exactly this JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from dialogue.actions.exceptions import ActionFailed
from dialogue.domain import Domain, MappingType, ResponseVariation, SlotMapping
from dialogue.events import ACTION_LISTEN, Event, UserUttered
from dialogue.tracker import ConversationState

__all__ = ["ActionResult", "action_call", "domain_digest", "domain_json", "tracker_json"]


def _sdk_version() -> str:
    # The sdk warns when the caller's major.minor differ from its own.
    try:
        return version("rasa-sdk")
    except PackageNotFoundError:
        return "3.21.0"


SDK_VERSION = _sdk_version()


@dataclass(frozen=True)
class ActionResult:
    """What an action returned: event dicts to apply and messages to send."""

    events: tuple[Mapping[str, Any], ...] = ()
    responses: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_json(cls, action: str, body: Any) -> ActionResult:
        """Read a webhook answer; anything but ``{"events": [...], "responses": [...]}``
        raises ActionFailed."""
        if body is None:
            return cls()
        if not isinstance(body, Mapping):
            raise ActionFailed(action, f"the answer is not a JSON object: {body!r:.200}")
        events = body.get("events") or []
        responses = body.get("responses") or []
        if not isinstance(events, list) or not all(isinstance(e, Mapping) for e in events):
            raise ActionFailed(action, "events must be a list of objects")
        if not isinstance(responses, list) or not all(isinstance(r, Mapping) for r in responses):
            raise ActionFailed(action, "responses must be a list of objects")
        return cls(tuple(events), tuple(responses))


def _mapping_json(mapping: SlotMapping) -> dict[str, Any]:
    data: dict[str, Any] = {"type": mapping.type.value}
    if mapping.entity is not None:
        data["entity"] = mapping.entity
    for key in ("role", "group", "value", "action"):
        value = getattr(mapping, key)
        if value is not None:
            data[key] = value
    if mapping.intent:
        data["intent"] = list(mapping.intent)
    if mapping.not_intent:
        data["not_intent"] = list(mapping.not_intent)
    if mapping.conditions:
        data["conditions"] = [
            {"active_loop": c.active_loop, "requested_slot": c.requested_slot}
            if c.requested_slot is not None
            else {"active_loop": c.active_loop}
            for c in mapping.conditions
        ]
    if mapping.type is MappingType.CUSTOM and mapping.action is None:
        data.pop("action", None)
    return data


def _variation_json(variation: ResponseVariation) -> dict[str, Any]:
    data: dict[str, Any] = dict(variation.extra)
    if variation.text is not None:
        data["text"] = variation.text
    if variation.buttons:
        data["buttons"] = [{"title": b.title, "payload": b.payload} for b in variation.buttons]
    if variation.image is not None:
        data["image"] = variation.image
    if variation.custom is not None:
        data["custom"] = dict(variation.custom)
    if variation.channel is not None:
        data["channel"] = variation.channel
    if variation.condition:
        data["condition"] = [
            {"type": c.type, "name": c.name, "value": c.value} for c in variation.condition
        ]
    return data


def domain_json(domain: Domain) -> dict[str, Any]:
    """The domain as Rasa's ``Domain.as_dict()`` sends it to action servers."""
    intents: list[Any] = []
    for intent in domain.intents:
        if intent.use_entities is None and not intent.ignore_entities:
            intents.append({intent.name: {"use_entities": True}})
        elif intent.use_entities is not None:
            intents.append({intent.name: {"use_entities": list(intent.use_entities)}})
        else:
            intents.append({intent.name: {"ignore_entities": list(intent.ignore_entities)}})
    entities: list[Any] = []
    for entity in domain.entities:
        if entity.roles or entity.groups:
            props: dict[str, Any] = {}
            if entity.roles:
                props["roles"] = list(entity.roles)
            if entity.groups:
                props["groups"] = list(entity.groups)
            entities.append({entity.name: props})
        else:
            entities.append(entity.name)
    slots = {
        slot.name: {
            "type": slot.type,
            "initial_value": slot.initial_value,
            "influence_conversation": slot.influence_conversation,
            "mappings": [_mapping_json(m) for m in slot.mappings],
            **({"values": list(slot.values)} if slot.values else {}),
            **({"min_value": slot.min_value} if slot.min_value is not None else {}),
            **({"max_value": slot.max_value} if slot.max_value is not None else {}),
        }
        for slot in domain.slots
    }
    return {
        "version": domain.version or "3.1",
        "config": {"store_entities_as_slots": domain.store_entities_as_slots},
        "session_config": {
            "session_expiration_time": domain.session_config.session_expiration_time,
            "carry_over_slots_to_new_session": domain.session_config.carry_over_slots_to_new_session,
        },
        "intents": intents,
        "entities": entities,
        "slots": slots,
        "responses": {
            name: [_variation_json(v) for v in variations]
            for name, variations in domain.responses.items()
        },
        "actions": list(domain.actions),
        "forms": {
            form.name: {
                "required_slots": list(form.required_slots),
                **({"ignored_intents": list(form.ignored_intents)} if form.ignored_intents else {}),
            }
            for form in domain.forms
        },
        "e2e_actions": [],
    }


def domain_digest(domain_dict: Mapping[str, Any]) -> str:
    """A stable digest of the domain JSON; the sdk caches the domain under it."""
    text = json.dumps(domain_dict, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _latest_message(message: UserUttered | None) -> dict[str, Any]:
    if message is None:
        return {}
    parse = message.to_dict()["parse_data"]
    parse.setdefault("intent_ranking", [])
    parse.setdefault("text", message.text)
    return parse


def tracker_json(
    *,
    sender_id: str,
    events: Sequence[Event],
    state: ConversationState,
    domain: Domain,
) -> dict[str, Any]:
    """The tracker as Rasa's ``current_state()`` sends it: every domain slot (None when
    unset), the latest message, the active loop and all events as dicts."""
    slots = {slot.name: None for slot in domain.slots}
    slots.update(state.slots)
    loop = state.active_loop
    stamps = [t for t in (getattr(e, "timestamp", None) for e in events) if t is not None]
    return {
        "sender_id": sender_id,
        "slots": slots,
        "latest_message": _latest_message(state.latest_message),
        "latest_event_time": stamps[-1] if stamps else None,
        "followup_action": state.followup_action,
        "paused": state.paused,
        "stack": [],
        "events": [e.to_dict() for e in events],
        "latest_input_channel": None,
        "active_loop": (
            {"name": loop.name, "validate": loop.validate, "rejected": loop.rejected}
            if loop is not None
            else {}
        ),
        "latest_action": {"action_name": state.latest_action or ACTION_LISTEN},
        "latest_action_name": state.latest_action,
    }


def action_call(
    name: str,
    *,
    tracker: Mapping[str, Any],
    domain: Mapping[str, Any],
    digest: str,
) -> dict[str, Any]:
    """The JSON body of a webhook call for action ``name``."""
    return {
        "next_action": name,
        "sender_id": tracker.get("sender_id"),
        "tracker": dict(tracker),
        "domain": dict(domain),
        "domain_digest": digest,
        "version": SDK_VERSION,
    }
