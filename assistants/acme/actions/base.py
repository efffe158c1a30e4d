"""What every acme action shares: its context, the conversation's language, and how an
order's items and dates are written."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistants.acme.actions.context import ActionContext, demo_context
from assistants.acme.actions.verification import normalise_email, normalise_order_id
from dialogue.orders import OrderRecord

__all__ = ["AcmeAction", "AcmeFormValidation", "items_text", "language", "local_date"]


def language(tracker: Tracker) -> str:
    return "zh" if tracker.get_slot("language") == "zh" else "en"


def local_date(moment: datetime | None) -> str:
    """A date as the customer reads it (ISO, in UTC+8, the store's time zone)."""
    if moment is None:
        return ""
    from datetime import timedelta, timezone

    return moment.astimezone(timezone(timedelta(hours=8))).date().isoformat()


def items_text(order: OrderRecord, context: ActionContext, lang: str) -> str:
    parts = [f"{context.product_name(i.product_id, lang)} × {i.quantity}" for i in order.items]
    return ("、" if lang == "zh" else ", ").join(parts)


def _value_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The value ``slot`` had when the customer sent the latest message."""
    seen_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_message = True
        elif seen_message and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _attempt(tracker: Tracker, slot: str, looks_like: Any) -> dict[str, Any]:
    """``{slot: text}`` when the form asks for ``slot``, the message has no entity for it
    and its text ``looks_like`` an attempt at one; else nothing."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    if next(tracker.get_latest_entity_values(slot), None) is not None:
        return {}
    text = str(tracker.latest_message.get("text") or "").strip()
    return {slot: text} if text and looks_like(text) else {}


class AcmeAction(Action, ABC):
    """An action with the acme context; build it with ``build_actions``."""

    def __init__(self, context: ActionContext | None = None) -> None:
        self.context = context or demo_context()

    @abstractmethod
    def name(self) -> str: ...

    def today(self) -> datetime:
        return self.context.clock()


class AcmeFormValidation(FormValidationAction):
    """Shared checks of the order forms: the order ID and the email formats."""

    def __init__(self, context: ActionContext | None = None) -> None:
        self.context = context or demo_context()

    @abstractmethod
    def name(self) -> str: ...

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        order_id = normalise_order_id(value)
        if order_id is None:
            dispatcher.utter_message(response="utter_invalid_order_id")
            return {"order_id": None}
        if order_id != _value_before_latest_message(tracker, "order_id"):
            # Another order: ask for the email that goes with it, whatever was said before.
            return {"order_id": order_id, "email": None}
        return {"order_id": order_id}

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        order_changed = tracker.get_slot("order_id") != _value_before_latest_message(
            tracker, "order_id"
        )
        if order_changed and value == _value_before_latest_message(tracker, "email"):
            return {"email": None}  # the email of the previous order is not this one's
        email = normalise_email(value)
        if email is None:
            dispatcher.utter_message(response="utter_invalid_email")
        return {"email": email}

    def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        # An answer to "what's your order ID?" that the NLU found no ID in, but that has
        # digits, is a mistyped ID: take it, so validate_order_id can say what is wrong.
        return _attempt(tracker, "order_id", lambda text: any(c.isdigit() for c in text))

    def extract_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return _attempt(tracker, "email", lambda text: "@" in text)
