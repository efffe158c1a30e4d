"""Returns: ``return_form`` (order ID, email, reason) verifies the order before asking the
reason, and skips the reason for an order that cannot be returned now;
``action_check_return_eligibility`` explains the outcome or asks to confirm;
``action_submit_return`` registers it and says what happens next.

Policy (store/policies.md): returns within 30 days of delivery; only delivered orders
(a processing order is cancelled instead); refund to the original payment method within
5–7 business days after the warehouse receives the return; 6.99 USD return shipping
unless defective; 10% restocking fee for opened laptops unless defective.
"""

from __future__ import annotations

from datetime import timedelta, timezone
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
from assistants.acme.actions.context import RESTOCKING_FEE, RETURNS
from assistants.acme.actions.order_status import forget_order
from assistants.acme.actions.verification import verified_order
from dialogue.orders import OrderRecord, OrderStatus, UnknownOrderError

__all__ = [
    "ActionCheckReturnEligibility",
    "ActionSubmitReturn",
    "ValidateReturnForm",
    "normalise_reason",
    "return_verdict",
]

REASONS = ("defective", "changed_mind", "wrong_item", "not_as_described")
_STORE_TZ = timezone(timedelta(hours=8))

# Words customers use when the NLU found no return_reason entity (the free text reaches
# the validation through the form's from_text mapping).
_REASON_WORDS = {
    "defective": (
        "defect",
        "broken",
        "broke",
        "faulty",
        "not working",
        "doesn't work",
        "stopped working",
        "damaged",
        "坏",
        "故障",
        "质量问题",
        "不能用",
        "不工作",
    ),
    "wrong_item": (
        "wrong item",
        "wrong product",
        "wrong one",
        "wrong color",
        "wrong colour",
        "发错",
        "错了",
        "不是我买的",
    ),
    "not_as_described": (
        "not as described",
        "different from",
        "not what",
        "描述不符",
        "不一样",
        "与描述",
    ),
    "changed_mind": (
        "changed my mind",
        "change my mind",
        "don't need",
        "don't want",
        "do not need",
        "no longer",
        "不想要",
        "不需要",
        "不要了",
        "改变主意",
    ),
}


def normalise_reason(value: Any) -> str | None:
    """One of the four canonical reasons, or None when ``value`` names none."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in REASONS:
        return text
    for reason, words in _REASON_WORDS.items():
        if any(word in text for word in words):
            return reason
    return None


def return_verdict(order: OrderRecord, now: Any, window_days: int | None) -> str:
    """``eligible`` or why not: ``processing``, ``shipped``, ``cancelled``, ``in_progress``,
    ``window_closed``. The window (the graph's ``return_window``; None: the graph sets no
    limit) counts calendar days in the store's time zone: with a 30-day window, an order
    delivered 30 days ago can still be returned today."""
    if order.status == OrderStatus.PROCESSING:
        return "processing"
    if order.status == OrderStatus.SHIPPED:
        return "shipped"
    if order.status == OrderStatus.CANCELLED:
        return "cancelled"
    if order.status in (OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED):
        return "in_progress"
    if order.delivered_at is None:
        return "shipped"
    days = (now.astimezone(_STORE_TZ).date() - order.delivered_at.astimezone(_STORE_TZ).date()).days
    return "eligible" if window_days is None or days <= window_days else "window_closed"


_NOT_ELIGIBLE_RESPONSES = {
    "processing": "utter_return_not_delivered",
    "shipped": "utter_return_shipped",
    "cancelled": "utter_return_order_cancelled",
    "in_progress": "utter_return_in_progress",
    "window_closed": "utter_return_window_closed",
}


class ValidateReturnForm(AcmeFormValidation):
    def name(self) -> str:
        return "validate_return_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Any,
    ) -> list[str]:
        # No reason is asked for an order that cannot be returned now: the form ends and
        # action_check_return_eligibility says why.
        order = await verified_order(
            self.context.orders, tracker.get_slot("order_id"), tracker.get_slot("email")
        )
        window = self.context.days(RETURNS, "return_window")
        if order is not None and return_verdict(order, self.context.clock(), window) != "eligible":
            return [s for s in domain_slots if s != "return_reason"]
        return domain_slots

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

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        reason = normalise_reason(value)
        if reason is None:
            dispatcher.utter_message(response="utter_invalid_return_reason")
        return {"return_reason": reason}


class ActionCheckReturnEligibility(AcmeAction):
    def name(self) -> str:
        return "action_check_return_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[dict[str, Any]]:
        order = await verified_order(
            self.context.orders, tracker.get_slot("order_id"), tracker.get_slot("email")
        )
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found")
            return [*forget_order(), SlotSet("return_eligible", None)]
        verdict = return_verdict(order, self.today(), self.context.days(RETURNS, "return_window"))
        if verdict != "eligible":
            dispatcher.utter_message(
                response=_NOT_ELIGIBLE_RESPONSES[verdict], order_id=order.order_id
            )
            return [SlotSet("return_eligible", False), SlotSet("return_reason", None)]
        lang = language(tracker)
        dispatcher.utter_message(
            response="utter_return_eligible",
            order_id=order.order_id,
            items=items_text(order, self.context, lang),
            delivered_on=local_date(order.delivered_at),
        )
        # The rules ask for the confirmation when return_eligible is true.
        return [SlotSet("return_eligible", True)]


class ActionSubmitReturn(AcmeAction):
    def name(self) -> str:
        return "action_submit_return"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[dict[str, Any]]:
        order = await verified_order(
            self.context.orders, tracker.get_slot("order_id"), tracker.get_slot("email")
        )
        done = [SlotSet("return_eligible", None), SlotSet("return_reason", None)]
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found")
            return [*forget_order(), *done]
        verdict = return_verdict(order, self.today(), self.context.days(RETURNS, "return_window"))
        if verdict != "eligible":
            dispatcher.utter_message(
                response=_NOT_ELIGIBLE_RESPONSES[verdict], order_id=order.order_id
            )
            return done
        try:
            await self.context.orders.set_status(order.order_id, OrderStatus.RETURN_REQUESTED)
        except UnknownOrderError:
            dispatcher.utter_message(response="utter_order_not_found")
            return [*forget_order(), *done]
        dispatcher.utter_message(response="utter_return_submitted", order_id=order.order_id)
        defective = normalise_reason(tracker.get_slot("return_reason")) == "defective"
        if defective:
            dispatcher.utter_message(response="utter_return_fee_defective")
        else:
            dispatcher.utter_message(response="utter_return_fee_shipping")
            laptops = [
                i for i in order.items if self.context.applies_to(RESTOCKING_FEE, i.product_id)
            ]
            if laptops:
                dispatcher.utter_message(response="utter_return_fee_laptop")
        return done
