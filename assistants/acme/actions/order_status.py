"""Where is my order: ``order_status_form`` checks the formats, then
``action_check_order_status`` tells the status to the customer who gave the matching
order ID and email, and the same "not found" to anyone else."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistants.acme.actions.base import (
    AcmeAction,
    AcmeFormValidation,
    items_text,
    language,
    local_date,
)
from assistants.acme.actions.verification import verified_order
from dialogue.orders import OrderStatus

__all__ = ["ActionCheckOrderStatus", "ValidateOrderStatusForm", "forget_order"]

_STATUS_RESPONSES = {
    OrderStatus.PROCESSING: "utter_order_status_processing",
    OrderStatus.SHIPPED: "utter_order_status_shipped",
    OrderStatus.DELIVERED: "utter_order_status_delivered",
    OrderStatus.CANCELLED: "utter_order_status_cancelled",
    OrderStatus.RETURN_REQUESTED: "utter_order_status_return_requested",
    OrderStatus.RETURNED: "utter_order_status_returned",
}


def forget_order() -> list[dict[str, Any]]:
    """Slot events that clear an order ID and email that did not match."""
    return [SlotSet("order_id", None), SlotSet("email", None)]


class ValidateOrderStatusForm(AcmeFormValidation):
    def name(self) -> str:
        return "validate_order_status_form"


class ActionCheckOrderStatus(AcmeAction):
    def name(self) -> str:
        return "action_check_order_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[dict[str, Any]]:
        order = await verified_order(
            self.context.orders, tracker.get_slot("order_id"), tracker.get_slot("email")
        )
        if order is None:
            # The same words for an unknown ID and a wrong email: nothing is revealed.
            dispatcher.utter_message(response="utter_order_not_found")
            return forget_order()
        lang = language(tracker)
        dispatcher.utter_message(
            response=_STATUS_RESPONSES.get(order.status, "utter_order_status_other"),
            order_id=order.order_id,
            items=items_text(order, self.context, lang),
            placed_on=local_date(order.placed_at),
            shipped_on=local_date(order.shipped_at),
            delivered_on=local_date(order.delivered_at),
            carrier=order.carrier or "",
            tracking_number=order.tracking_number or "",
            status=order.status,
        )
        return []
