"""The Acme Gadgets assistant's custom actions (rasa-sdk).

kefu runs them in-process with :func:`build_actions` (the app's order store and clock);
``python -m rasa_sdk --actions assistants.acme.actions`` serves them over HTTP with the
demo orders from store/orders.csv.
"""

from __future__ import annotations

from typing import Any

from assistants.acme.actions.cancellation import ActionCancelOrder, ValidateCancelForm
from assistants.acme.actions.context import STORE_DIR, ActionContext, Catalogue
from assistants.acme.actions.order_status import ActionCheckOrderStatus, ValidateOrderStatusForm
from assistants.acme.actions.returns import (
    ActionCheckReturnEligibility,
    ActionSubmitReturn,
    ValidateReturnForm,
)
from dialogue.clock import Clock, system_clock
from dialogue.orders import InMemoryOrderStore, OrderStore, orders_from_csv

__all__ = [
    "ActionCancelOrder",
    "ActionCheckOrderStatus",
    "ActionCheckReturnEligibility",
    "ActionContext",
    "ActionSubmitReturn",
    "ValidateCancelForm",
    "ValidateOrderStatusForm",
    "ValidateReturnForm",
    "build_actions",
]

_ACTIONS = (
    ActionCheckOrderStatus,
    ValidateOrderStatusForm,
    ValidateReturnForm,
    ActionCheckReturnEligibility,
    ActionSubmitReturn,
    ValidateCancelForm,
    ActionCancelOrder,
)


def build_actions(*, orders: OrderStore | None = None, clock: Clock | None = None) -> list[Any]:
    """Every acme action, reaching orders through ``orders`` and today's date through
    ``clock``. Without ``orders``, the demo orders from store/orders.csv (dated relative to
    the clock's now) are kept in memory; without ``clock``, the system clock is used."""
    clock = clock or system_clock
    if orders is None:
        orders = InMemoryOrderStore(orders_from_csv(STORE_DIR / "orders.csv", now=clock()))
    context = ActionContext(orders, clock, Catalogue.from_csv(STORE_DIR / "products.csv"))
    return [action(context) for action in _ACTIONS]
