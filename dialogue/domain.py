"""The assistant's domain: a typed reader of Rasa's domain.yml (format 2.0 and 3.x).

:meth:`Domain.load` takes a domain.yml or a ``domain/`` folder of YAML files (merged, as
Rasa does). Format 2.0 domains are read as Rasa 3's ``rasa data migrate`` would rewrite
them: form slot mappings become slot mappings conditioned on the form, and ``auto_fill``
slots get a ``from_entity`` mapping for the entity of the same name.

:meth:`Domain.pick_response` chooses a response variation for the current slot values.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from dialogue.exceptions import DomainError, UnknownResponseError
from dialogue.training_data.yaml_source import YamlMap, line_of, load_yaml

__all__ = [
    "REQUESTED_SLOT",
    "Button",
    "Domain",
    "EntitySpec",
    "Form",
    "Intent",
    "MappingCondition",
    "MappingType",
    "ResponseCondition",
    "ResponseVariation",
    "SessionConfig",
    "Slot",
    "SlotMapping",
]

#: The slot a form sets to the name of the slot it is asking for.
REQUESTED_SLOT = "requested_slot"
_SLOT_TYPES = frozenset({"text", "bool", "categorical", "float", "list", "any"})
_VARIATION_KEYS = frozenset(
    {"text", "buttons", "image", "custom", "channel", "condition", "metadata"}
)


class MappingType(StrEnum):
    """How a slot gets its value from a user message."""

    FROM_ENTITY = "from_entity"
    FROM_TEXT = "from_text"
    FROM_INTENT = "from_intent"
    FROM_TRIGGER_INTENT = "from_trigger_intent"
    CUSTOM = "custom"


@dataclass(frozen=True)
class MappingCondition:
    """A mapping applies only while ``active_loop`` runs (and asks ``requested_slot``, if set)."""

    active_loop: str | None
    requested_slot: str | None = None


@dataclass(frozen=True)
class SlotMapping:
    """One way to fill a slot. Empty ``intent`` means any intent."""

    type: MappingType
    entity: str | None = None
    role: str | None = None
    group: str | None = None
    intent: tuple[str, ...] = ()
    not_intent: tuple[str, ...] = ()
    value: Any = None
    conditions: tuple[MappingCondition, ...] = ()
    action: str | None = None

    def accepts_intent(self, intent: str | None) -> bool:
        """True when a message of ``intent`` may fill the slot through this mapping."""
        if intent is not None and intent in self.not_intent:
            return False
        return not self.intent or intent in self.intent

    def accepts_state(self, active_loop: str | None, requested_slot: str | None) -> bool:
        """True when the conversation state meets the conditions (none: always)."""
        if not self.conditions:
            return True
        return any(
            c.active_loop == active_loop
            and (c.requested_slot is None or c.requested_slot == requested_slot)
            for c in self.conditions
        )


@dataclass(frozen=True)
class Slot:
    """A slot of the tracker. ``type`` is one of Rasa's types or a custom class path."""

    name: str
    type: str
    influence_conversation: bool = True
    mappings: tuple[SlotMapping, ...] = ()
    initial_value: Any = None
    values: tuple[Any, ...] = ()
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Intent:
    """An intent and the entities it carries (``use_entities`` None means all)."""

    name: str
    use_entities: tuple[str, ...] | None = None
    ignore_entities: tuple[str, ...] = ()
    triggers: str | None = None

    def uses_entity(self, entity: str) -> bool:
        """True when entities of this type should be kept for messages of this intent."""
        if entity in self.ignore_entities:
            return False
        return self.use_entities is None or entity in self.use_entities


@dataclass(frozen=True)
class EntitySpec:
    """An entity type with its allowed roles and groups."""

    name: str
    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    influence_conversation: bool = True


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class ResponseCondition:
    """``slot`` ``name`` must equal ``value`` (strings compared case-insensitively)."""

    name: str
    value: Any
    type: str = "slot"

    def matches(self, slots: Mapping[str, Any]) -> bool:
        filled = slots.get(self.name)
        if isinstance(filled, str) and isinstance(self.value, str):
            return filled.casefold() == self.value.casefold()
        return bool(filled == self.value)


@dataclass(frozen=True)
class ResponseVariation:
    """One variation of a response; fill ``{slot}`` placeholders in ``text`` before sending."""

    text: str | None = None
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    custom: Mapping[str, Any] | None = None
    channel: str | None = None
    condition: tuple[ResponseCondition, ...] = ()
    metadata: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def matches(self, slots: Mapping[str, Any]) -> bool:
        """True when every condition holds for ``slots`` (no condition: True)."""
        return all(c.matches(slots) for c in self.condition)


@dataclass(frozen=True)
class Form:
    """A form asks for ``required_slots`` in order; ``ignored_intents`` never fill its slots."""

    name: str
    required_slots: tuple[str, ...] = ()
    ignored_intents: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionConfig:
    """Sessions expire after ``session_expiration_time`` minutes of silence (0: never)."""

    session_expiration_time: float = 60.0
    carry_over_slots_to_new_session: bool = True


@dataclass(frozen=True)
class Domain:
    """Everything domain.yml declares. Build with :meth:`load` or :meth:`from_yaml`."""

    intents: tuple[Intent, ...] = ()
    entities: tuple[EntitySpec, ...] = ()
    slots: tuple[Slot, ...] = ()
    responses: Mapping[str, tuple[ResponseVariation, ...]] = field(default_factory=dict)
    forms: tuple[Form, ...] = ()
    actions: tuple[str, ...] = ()
    session_config: SessionConfig = SessionConfig()
    version: str | None = None
    store_entities_as_slots: bool = True

    # --- reading -------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> Domain:
        """Read a domain.yml, or every .yml/.yaml file under a domain folder, merged."""
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml"))
            if not files:
                raise DomainError("the domain folder has no .yml files", path=path, line=None)
            domain = cls()
            for file in files:
                domain = domain.merge(cls._load_file(file))
            return domain
        return cls._load_file(path)

    @classmethod
    def _load_file(cls, path: Path) -> Domain:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DomainError(f"cannot read the domain: {exc}", path=path, line=None) from exc
        return cls.from_yaml(text, path=path)

    @classmethod
    def from_yaml(cls, text: str, *, path: Path | None = None) -> Domain:
        """Parse domain YAML text; ``path`` only labels errors."""
        document = load_yaml(text, path=path, error=DomainError)
        if document is None:
            return cls()
        if not isinstance(document, YamlMap):
            raise DomainError("a domain is a mapping (intents:, slots:, ...)", path=path, line=1)
        return _DomainReader(document, path).read()

    def merge(self, other: Domain) -> Domain:
        """This domain with ``other``'s items added; on a name clash ``other`` wins."""
        return Domain(
            intents=_merge_named(self.intents, other.intents),
            entities=_merge_named(self.entities, other.entities),
            slots=_merge_named(self.slots, other.slots),
            responses={**self.responses, **other.responses},
            forms=_merge_named(self.forms, other.forms),
            actions=tuple(dict.fromkeys((*self.actions, *other.actions))),
            session_config=other.session_config
            if other.session_config != SessionConfig()
            else self.session_config,
            version=other.version or self.version,
            store_entities_as_slots=self.store_entities_as_slots and other.store_entities_as_slots,
        )

    # --- questions -----------------------------------------------------------------
    @property
    def intent_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.intents)

    @property
    def entity_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.entities)

    @property
    def action_names(self) -> tuple[str, ...]:
        """Responses, custom actions and forms: everything a policy may predict."""
        names = (*self.responses, *self.actions, *(f.name for f in self.forms))
        return tuple(dict.fromkeys(names))

    def intent(self, name: str) -> Intent | None:
        return next((i for i in self.intents if i.name == name), None)

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)

    def form(self, name: str) -> Form | None:
        return next((f for f in self.forms if f.name == name), None)

    def entities_for_intent(self, intent: str) -> frozenset[str]:
        """Entity types a message of ``intent`` keeps; an intent not in the domain keeps all."""
        spec = self.intent(intent)
        names = self.entity_names
        if spec is None:
            return frozenset(names)
        return frozenset(n for n in names if spec.uses_entity(n))

    def pick_response(
        self,
        name: str,
        slots: Mapping[str, Any],
        *,
        channel: str | None = None,
        rng: random.Random | None = None,
    ) -> ResponseVariation | None:
        """Choose a variation of response ``name`` for the current ``slots``.

        Variations whose conditions all hold win over unconditional ones; among the
        winners, those for ``channel`` win over channel-less ones; then one is drawn with
        ``rng`` (pass a seeded ``random.Random`` for repeatable choices). Returns None when
        no variation fits (all are conditional and none holds). Raises
        UnknownResponseError when the domain has no response ``name``.
        """
        if name not in self.responses:
            raise UnknownResponseError(name)
        variations = self.responses[name]
        conditional = [v for v in variations if v.condition and v.matches(slots)]
        suitable = conditional or [v for v in variations if not v.condition]
        for_channel = [v for v in suitable if channel is not None and v.channel == channel]
        winners = for_channel or [v for v in suitable if v.channel is None]
        if not winners:
            return None
        return (rng or random.Random()).choice(winners)


_Named = TypeVar("_Named", Intent, EntitySpec, Slot, Form)


def _merge_named(first: Iterable[_Named], second: Iterable[_Named]) -> tuple[_Named, ...]:
    merged = {item.name: item for item in first}
    merged.update({item.name: item for item in second})
    return tuple(merged.values())


class _DomainReader:
    """Turns a parsed domain document into a :class:`Domain`, raising DomainError with lines."""

    def __init__(self, document: YamlMap, path: Path | None) -> None:
        self.document = document
        self.path = path
        version = document.get("version")
        self.version = str(version) if version is not None else None
        self.legacy = self.version is not None and self.version.split(".", 1)[0] == "2"

    def fail(self, message: str, where: Any = None, line: int | None = None) -> DomainError:
        return DomainError(message, path=self.path, line=line_of(where, line))

    def read(self) -> Domain:
        known = {
            "version", "intents", "entities", "slots", "responses", "forms", "actions",
            "session_config", "config", "e2e_actions",
        }  # fmt: skip
        for key in self.document:
            if key not in known:
                raise self.fail(
                    f"unknown domain key {key!r}; known keys: {sorted(known)}",
                    line=self.document.line_of_key(key),
                )
        if self.version is not None and self.version.split(".", 1)[0] not in ("2", "3"):
            raise self.fail(
                f"unsupported domain version {self.version!r}; kefu reads 2.x and 3.x",
                line=self.document.line_of_key("version"),
            )
        entities = self.entities()
        slots = self.slots()
        forms, form_mappings = self.forms()
        slots = self.attach_form_mappings(slots, form_mappings)
        if self.legacy:
            slots = self.auto_fill(slots, {e.name for e in entities})
        config = self.mapping("config")
        return Domain(
            intents=self.intents(),
            entities=entities,
            slots=slots,
            responses=self.responses(),
            forms=forms,
            actions=self.actions(),
            session_config=self.session_config(),
            version=self.version,
            store_entities_as_slots=bool(config.get("store_entities_as_slots", True)),
        )

    # --- helpers ---------------------------------------------------------------------
    def mapping(self, key: str) -> YamlMap:
        value = self.document.get(key)
        if value is None:
            return YamlMap()
        if not isinstance(value, YamlMap):
            raise self.fail(f"{key}: must be a mapping", line=self.document.line_of_key(key))
        return value

    def sequence(self, key: str) -> list[Any]:
        value = self.document.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"{key}: must be a list", line=self.document.line_of_key(key))
        return value

    def names(self, value: Any, what: str, line: int | None) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise self.fail(f"{what} must be a name or a list of names", value, line)

    @staticmethod
    def single_key(item: Any) -> tuple[str, Any] | None:
        if isinstance(item, YamlMap) and len(item) == 1:
            ((key, value),) = item.items()
            if isinstance(key, str):
                return key, value
        return None

    # --- sections --------------------------------------------------------------------
    def intents(self) -> tuple[Intent, ...]:
        result = []
        items = self.sequence("intents")
        for index, item in enumerate(items):
            line = items.item_lines[index] if hasattr(items, "item_lines") else None
            if isinstance(item, str):
                result.append(Intent(item))
                continue
            pair = self.single_key(item)
            if pair is None:
                raise self.fail("an intent is a name or {name: {use_entities: ...}}", item, line)
            name, props = pair
            props = props if props is not None else YamlMap()
            if not isinstance(props, YamlMap):
                raise self.fail(f"properties of intent {name!r} must be a mapping", item, line)
            use = props.get("use_entities", True)
            ignore = self.names(props.get("ignore_entities"), "ignore_entities", line)
            if "use_entities" in props and ignore:
                raise self.fail(
                    f"intent {name!r} sets both use_entities and ignore_entities; keep one",
                    props,
                    line,
                )
            if use is True:
                used: tuple[str, ...] | None = None
            elif use is False:
                used = ()
            else:
                used = self.names(use, "use_entities", line)
            triggers = props.get("triggers")
            result.append(Intent(name, used, ignore, str(triggers) if triggers else None))
        return tuple(result)

    def entities(self) -> tuple[EntitySpec, ...]:
        result = []
        items = self.sequence("entities")
        for index, item in enumerate(items):
            line = items.item_lines[index] if hasattr(items, "item_lines") else None
            if isinstance(item, str):
                result.append(EntitySpec(item))
                continue
            pair = self.single_key(item)
            if pair is None or not isinstance(pair[1], (YamlMap, type(None))):
                raise self.fail("an entity is a name or {name: {roles: [...]}}", item, line)
            name, props = pair
            props = props or YamlMap()
            result.append(
                EntitySpec(
                    name,
                    roles=self.names(props.get("roles"), "roles", line),
                    groups=self.names(props.get("groups"), "groups", line),
                    influence_conversation=bool(props.get("influence_conversation", True)),
                )
            )
        return tuple(result)

    def slots(self) -> tuple[Slot, ...]:
        result = []
        section = self.mapping("slots")
        for name, props in section.items():
            line = section.line_of_key(name)
            if not isinstance(props, YamlMap):
                raise self.fail(f"slot {name!r} needs a mapping with a type", props, line)
            slot_type = props.get("type")
            if not isinstance(slot_type, str) or (
                slot_type not in _SLOT_TYPES and "." not in slot_type
            ):
                raise self.fail(
                    f"slot {name!r} has type {slot_type!r}; use one of {sorted(_SLOT_TYPES)} "
                    "or a custom slot class path",
                    line=props.line_of_key("type"),
                )
            values = props.get("values") or ()
            if not isinstance(values, list | tuple):
                raise self.fail(f"values of slot {name!r} must be a list", line=line)
            mappings = props.get("mappings") or []
            if not isinstance(mappings, list):
                raise self.fail(f"mappings of slot {name!r} must be a list", line=line)
            result.append(
                Slot(
                    name=str(name),
                    type=slot_type,
                    influence_conversation=bool(props.get("influence_conversation", True)),
                    mappings=tuple(self.slot_mapping(m, str(name), line) for m in mappings),
                    initial_value=props.get("initial_value"),
                    values=tuple(values),
                    min_value=_number(props.get("min_value")),
                    max_value=_number(props.get("max_value")),
                )
            )
        return tuple(result)

    def slot_mapping(self, raw: Any, slot: str, line: int | None) -> SlotMapping:
        if not isinstance(raw, YamlMap):
            raise self.fail(f"a mapping of slot {slot!r} must be a mapping with a type", raw, line)
        where = raw.line
        try:
            kind = MappingType(str(raw.get("type")))
        except ValueError:
            raise self.fail(
                f"slot {slot!r} has mapping type {raw.get('type')!r}; use one of "
                f"{[t.value for t in MappingType]}",
                line=where,
            ) from None
        if kind is MappingType.FROM_ENTITY and not isinstance(raw.get("entity"), str):
            raise self.fail(f"a from_entity mapping of slot {slot!r} needs entity:", line=where)
        conditions = []
        for condition in raw.get("conditions") or []:
            if not isinstance(condition, YamlMap) or "active_loop" not in condition:
                raise self.fail(
                    f"a condition of slot {slot!r} needs active_loop (and may set requested_slot)",
                    line=where,
                )
            active, requested = condition.get("active_loop"), condition.get("requested_slot")
            conditions.append(
                MappingCondition(
                    str(active) if active is not None else None,
                    str(requested) if requested is not None else None,
                )
            )
        action = raw.get("action")
        return SlotMapping(
            type=kind,
            entity=raw.get("entity"),
            role=raw.get("role"),
            group=raw.get("group"),
            intent=self.names(raw.get("intent"), "intent", where),
            not_intent=self.names(raw.get("not_intent"), "not_intent", where),
            value=raw.get("value"),
            conditions=tuple(conditions),
            action=str(action) if action is not None else None,
        )

    def forms(self) -> tuple[tuple[Form, ...], dict[str, list[SlotMapping]]]:
        forms = []
        # Format 2 keeps slot mappings in the form; they move to the slots (as Rasa 3 does).
        moved: dict[str, list[SlotMapping]] = {}
        section = self.mapping("forms")
        for name, props in section.items():
            line = section.line_of_key(name)
            props = props if props is not None else YamlMap()
            if not isinstance(props, YamlMap):
                raise self.fail(f"form {name!r} must be a mapping", props, line)
            ignored = self.names(props.get("ignored_intents"), "ignored_intents", line)
            required = props.get("required_slots")
            if isinstance(required, list):
                forms.append(Form(str(name), self.names(required, "required_slots", line), ignored))
                continue
            if required is None:
                legacy = {k: v for k, v in props.items() if k != "ignored_intents"}
            elif isinstance(required, YamlMap):
                legacy = dict(required)
            else:
                raise self.fail(f"required_slots of form {name!r} must be a list", line=line)
            for slot, mappings in legacy.items():
                if not isinstance(mappings, list):
                    raise self.fail(
                        f"form {name!r}: slot {slot!r} needs a list of mappings", mappings, line
                    )
                for raw in mappings:
                    mapping = self.slot_mapping(raw, str(slot), line)
                    keeps_request = mapping.type in (
                        MappingType.FROM_ENTITY,
                        MappingType.FROM_TRIGGER_INTENT,
                    )
                    condition = MappingCondition(str(name), None if keeps_request else str(slot))
                    moved.setdefault(str(slot), []).append(
                        replace(mapping, conditions=(*mapping.conditions, condition))
                    )
            forms.append(Form(str(name), tuple(str(s) for s in legacy), ignored))
        return tuple(forms), moved

    def attach_form_mappings(
        self, slots: tuple[Slot, ...], moved: dict[str, list[SlotMapping]]
    ) -> tuple[Slot, ...]:
        known = {s.name for s in slots}
        missing = sorted(set(moved) - known)
        if missing:
            raise self.fail(
                f"forms fill slots that are not declared under slots: {missing}",
                line=self.document.line_of_key("forms"),
            )
        return tuple(replace(s, mappings=(*s.mappings, *moved.get(s.name, ()))) for s in slots)

    def auto_fill(self, slots: tuple[Slot, ...], entities: set[str]) -> tuple[Slot, ...]:
        section = self.mapping("slots")
        result = []
        for slot in slots:
            props = section.get(slot.name)
            auto = props.get("auto_fill", True) if isinstance(props, YamlMap) else True
            if auto and slot.name in entities:
                entity_mapping = SlotMapping(MappingType.FROM_ENTITY, entity=slot.name)
                slot = replace(slot, mappings=(entity_mapping, *slot.mappings))
            result.append(slot)
        return tuple(result)

    def responses(self) -> dict[str, tuple[ResponseVariation, ...]]:
        result = {}
        section = self.mapping("responses")
        for name, variations in section.items():
            line = section.line_of_key(name)
            if not isinstance(variations, list) or not variations:
                raise self.fail(f"response {name!r} needs a list of variations", line=line)
            result[str(name)] = tuple(self.variation(v, str(name), line) for v in variations)
        return result

    def variation(self, raw: Any, response: str, line: int | None) -> ResponseVariation:
        if not isinstance(raw, YamlMap):
            raise self.fail(
                f"a variation of {response!r} must be a mapping (- text: ...)", raw, line
            )
        where = raw.line
        if not any(k in raw for k in ("text", "image", "custom", "buttons", "attachment")):
            raise self.fail(f"a variation of {response!r} has no text, image or custom", line=where)
        buttons = []
        for button in raw.get("buttons") or []:
            if not isinstance(button, YamlMap) or "title" not in button:
                raise self.fail(f"a button of {response!r} needs title and payload", line=where)
            buttons.append(Button(str(button["title"]), str(button.get("payload", ""))))
        conditions = []
        for condition in raw.get("condition") or []:
            if not isinstance(condition, YamlMap) or "name" not in condition:
                raise self.fail(
                    f"a condition of {response!r} is {{type: slot, name: ..., value: ...}}",
                    line=line_of(condition, where),
                )
            kind = str(condition.get("type", "slot"))
            if kind != "slot":
                raise self.fail(
                    f"condition type {kind!r} of {response!r} is not supported; use type: slot",
                    line=line_of(condition, where),
                )
            conditions.append(ResponseCondition(str(condition["name"]), condition.get("value")))
        text, image, channel = raw.get("text"), raw.get("image"), raw.get("channel")
        custom, metadata = raw.get("custom"), raw.get("metadata")
        return ResponseVariation(
            text=str(text) if text is not None else None,
            buttons=tuple(buttons),
            image=str(image) if image is not None else None,
            custom=dict(custom) if isinstance(custom, dict) else None,
            channel=str(channel) if channel is not None else None,
            condition=tuple(conditions),
            metadata=dict(metadata) if isinstance(metadata, dict) else None,
            extra={str(k): v for k, v in raw.items() if k not in _VARIATION_KEYS},
        )

    def actions(self) -> tuple[str, ...]:
        names = []
        items = self.sequence("actions")
        for index, item in enumerate(items):
            if isinstance(item, str):
                names.append(item)
                continue
            pair = self.single_key(item)
            if pair is None:
                line = items.item_lines[index] if hasattr(items, "item_lines") else None
                raise self.fail("an action is a name or {name: {send_domain: true}}", item, line)
            names.append(pair[0])
        return tuple(dict.fromkeys(names))

    def session_config(self) -> SessionConfig:
        section = self.mapping("session_config")
        expiration = section.get("session_expiration_time", 60)
        carry = section.get("carry_over_slots_to_new_session", True)
        if _number(expiration) is None or not isinstance(carry, bool):
            raise self.fail(
                "session_config needs a number session_expiration_time (minutes) and a "
                "boolean carry_over_slots_to_new_session",
                line=self.document.line_of_key("session_config"),
            )
        return SessionConfig(float(expiration), carry)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
