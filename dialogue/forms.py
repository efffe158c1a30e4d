"""Running a form (Rasa 3's FormAction): ask for its required slots one by one.

When a form runs after a customer message it reads the slot values the message gives
(the global slot mappings already applied to this message, plus the mappings
conditioned on the form), has them checked by the assistant's ``validate_<form>``
action (a rasa-sdk ``FormValidationAction``, through the same executor as every custom
action) and then asks for the next empty slot with ``utter_ask_<slot>`` (or
``utter_ask_<form>_<slot>``, or a custom ``action_ask_<slot>``). With every slot filled
it deactivates. A message that gives none of its slots is *rejected*: the other
policies decide what to do with it. After an interruption the form asks its question
again without reading the message that interrupted it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from dialogue.actions import ActionError, ActionRejected, ActionResult
from dialogue.domain import REQUESTED_SLOT, Domain
from dialogue.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    Event,
    SlotSet,
    UserUttered,
)
from dialogue.policies import Prediction
from dialogue.responses import Message
from dialogue.slot_filling import extract_form_slots
from dialogue.turn import Turn

__all__ = ["FormHost", "FormRun", "run_form"]

log = logging.getLogger(__name__)

_ASK = {
    "en": "Please tell me the {slot}.",
    "zh": "请提供{slot}。",
}


class FormRun(enum.Enum):
    RAN = "ran"
    REJECTED = "rejected"
    FAILED = "failed"


class FormHost(Protocol):
    """What a form needs from the engine."""

    domain: Domain

    async def call_action(
        self, name: str, turn: Turn, *, extra_events: Sequence[Event] = ()
    ) -> ActionResult: ...

    def apply_result(self, turn: Turn, result: ActionResult) -> None: ...

    def render(
        self, name: str, slots: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Message: ...

    def fail(self, turn: Turn, name: str, error: ActionError) -> None: ...


def _slots_from_this_message(turn: Turn, required: Sequence[str]) -> dict[str, Any]:
    """Required slots the global mappings set from the latest message."""
    found: dict[str, Any] = {}
    for event in reversed(turn.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, SlotSet) and event.name in required and event.name not in found:
            found[event.name] = event.value
    return found


async def run_form(host: FormHost, turn: Turn, name: str, prediction: Prediction) -> FormRun:
    """Run form ``name`` once and add its events to ``turn``."""
    domain = host.domain
    spec = domain.form(name)
    required = spec.required_slots if spec is not None else ()
    state = turn.state
    message = state.latest_message
    activating = state.active_loop_name != name
    requested = None if activating else state.requested_slot
    validate = activating or (state.active_loop is not None and state.active_loop.validate)
    before: list[Event] = [ActiveLoop(name, timestamp=turn.now)] if activating else []

    candidates: dict[str, Any] = {}
    if validate and message is not None:
        if activating:
            candidates = {s: state.slots[s] for s in required if state.slots.get(s) is not None}
            skip: frozenset[str] = frozenset()
        else:
            candidates = _slots_from_this_message(turn, required)
            skip = frozenset(candidates)
        candidates.update(
            extract_form_slots(
                domain,
                message,
                form=name,
                requested_slot=requested,
                skip=skip,
                trigger=activating,
            )
        )
    validator = f"validate_{name}" if f"validate_{name}" in domain.actions else None
    must_fill = validate and not activating and requested is not None
    if must_fill and not candidates and validator is None:
        return _reject(turn, name, prediction)

    validation: ActionResult | None = None
    # The validation action runs even without candidates: its extract_<slot> methods may
    # find values the mappings did not (as Rasa 3 does).
    if validator is not None and (candidates or (validate and message is not None)):
        offered = [SlotSet(k, v, timestamp=turn.now) for k, v in candidates.items()]
        try:
            validation = await host.call_action(validator, turn, extra_events=[*before, *offered])
        except ActionRejected:
            return _reject(turn, name, prediction)
        except ActionError as error:
            turn.add(
                ActionExecuted(name, prediction.policy, prediction.confidence, timestamp=turn.now)
            )
            host.fail(turn, validator, error)
            return FormRun.FAILED
        filled = any(
            e.get("event") == "slot" and e.get("name") != REQUESTED_SLOT for e in validation.events
        )
        if must_fill and not candidates and not filled:
            return _reject(turn, name, prediction)

    turn.add(ActionExecuted(name, prediction.policy, prediction.confidence, timestamp=turn.now))
    for event in before:
        turn.add(event)
    explicit_request = False
    if validation is not None:
        explicit_request = any(
            e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT for e in validation.events
        )
        host.apply_result(turn, validation)
    else:
        for slot, value in candidates.items():
            turn.add(SlotSet(slot, value, timestamp=turn.now))

    if turn.state.active_loop_name != name:
        return FormRun.RAN  # the validation action ended the form itself
    slots = turn.state.slots
    if explicit_request:
        next_slot = turn.state.requested_slot
    else:
        next_slot = next((s for s in required if slots.get(s) is None), None)
        if next_slot is not None and next_slot != slots.get(REQUESTED_SLOT):
            turn.add(SlotSet(REQUESTED_SLOT, next_slot, timestamp=turn.now))
    if next_slot is None:
        turn.add(ActiveLoop(None, timestamp=turn.now))
        turn.add(SlotSet(REQUESTED_SLOT, None, timestamp=turn.now))
        return FormRun.RAN
    return await _ask(host, turn, name, next_slot)


def _reject(turn: Turn, name: str, prediction: Prediction) -> FormRun:
    """The message gives the form nothing: let the other policies answer it."""
    turn.add(
        ActionExecutionRejected(name, prediction.policy, prediction.confidence, timestamp=turn.now)
    )
    return FormRun.REJECTED


async def _ask(host: FormHost, turn: Turn, form: str, slot: str) -> FormRun:
    domain = host.domain
    for action in (f"action_ask_{form}_{slot}", f"action_ask_{slot}"):
        if action in domain.actions:
            try:
                result = await host.call_action(action, turn)
            except ActionError as error:
                host.fail(turn, action, error)
                return FormRun.FAILED
            host.apply_result(turn, result)
            return FormRun.RAN
    for response in (f"utter_ask_{form}_{slot}", f"utter_ask_{slot}"):
        if response in domain.responses:
            turn.say(host.render(response, turn.state.slots))
            return FormRun.RAN
    log.warning("form %s has no utter_ask_%s response; asking with a generic text", form, slot)
    language = "zh" if turn.state.language == "zh" else "en"
    turn.say(Message(_ASK[language].format(slot=slot.replace("_", " "))))
    return FormRun.RAN
