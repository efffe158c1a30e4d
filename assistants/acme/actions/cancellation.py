"""Cancelling an order: ``cancel_form`` verifies the order; ``action_cancel_order`` then
either asks to confirm (a processing order), or says why it cannot be cancelled; after
the customer confirms, it runs again and cancels.

Policy (store/policies.md): an order can be cancelled free of charge while processing;
once shipped it cannot be cancelled, and the customer returns it after delivery.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from assistants.acme.actions.base import AcmeAction, AcmeFormValidation
from assistants.acme.actions.order_status import forget_order
from assistants.acme.actions.verification import verified_order
from dialogue.orders import OrderStatus, UnknownOrderError

__all__ = ["CONFIRMATION", "ActionCancelOrder", "ValidateCancelForm", "answered"]

CONFIRMATION = "utter_ask_cancel_confirmation"

_NOT_CANCELLABLE = {
    OrderStatus.SHIPPED: "utter_cancel_not_possible",
    OrderStatus.DELIVERED: "utter_cancel_delivered",
    OrderStatus.CANCELLED: "utter_order_already_cancelled",
    OrderStatus.RETURN_REQUESTED: "utter_return_in_progress",
    OrderStatus.RETURNED: "utter_return_in_progress",
}


def answered(tracker: Tracker, question: str) -> bool:
    """True when the latest message answers ``question`` (the bot's last action before it)."""
    seen_message = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_message:
                return False
            seen_message = True
        elif seen_message and kind == "action" and event.get("name") != "action_listen":
            return event.get("name") == question
    return False


class ValidateCancelForm(AcmeFormValidation):
    def name(self) -> str:
        return "validate_cancel_form"

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        checked = await super().validate_email(value, dispatcher, tracker, domain)
        if checked["email"] is None or tracker.get_slot("order_id") is None:
            return checked
        order = await verified_order(
            self.context.orders, tracker.get_slot("order_id"), checked["email"]
        )
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found")
            return {"order_id": None, "email": None}
        return checked


class ActionCancelOrder(AcmeAction):
    def name(self) -> str:
        return "action_cancel_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[dict[str, Any]]:
        order = await verified_order(
            self.context.orders, tracker.get_slot("order_id"), tracker.get_slot("email")
        )
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found")
            return forget_order()
        if order.status != OrderStatus.PROCESSING:
            dispatcher.utter_message(
                response=_NOT_CANCELLABLE.get(order.status, "utter_cancel_not_possible"),
                order_id=order.order_id,
            )
            return []
        confirmed = answered(tracker, CONFIRMATION) and (
            tracker.get_intent_of_latest_message() == "affirm"
        )
        if not confirmed:
            return [FollowupAction(CONFIRMATION)]
        try:
            await self.context.orders.set_status(order.order_id, OrderStatus.CANCELLED)
        except UnknownOrderError:
            dispatcher.utter_message(response="utter_order_not_found")
            return forget_order()
        dispatcher.utter_message(response="utter_order_cancelled", order_id=order.order_id)
        return []
