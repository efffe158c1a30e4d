"""The Acme Gadgets assistant's custom actions (rasa-sdk).

kefu runs them in-process with :func:`build_actions` (the app's order store, clock and live
knowledge graph); ``python -m rasa_sdk --actions assistants.acme.actions`` serves them over
HTTP with the demo orders from store/orders.csv and the demo graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx

from assistants.acme.actions.cancellation import ActionCancelOrder, ValidateCancelForm
from assistants.acme.actions.context import STORE_DIR, ActionContext, demo_graph
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


def build_actions(
    *,
    orders: OrderStore | None = None,
    clock: Clock | None = None,
    graph: Callable[[], nx.MultiDiGraph] | None = None,
) -> list[Any]:
    """Every acme action, reaching orders through ``orders``, today's date through
    ``clock`` and the store's facts through ``graph`` (called at each use, so the graph
    as it is now). Without ``orders``, the demo orders from store/orders.csv (dated
    relative to the clock's now) are kept in memory; without ``clock``, the system clock
    is used; without ``graph``, the demo graph."""
    clock = clock or system_clock
    if orders is None:
        orders = InMemoryOrderStore(orders_from_csv(STORE_DIR / "orders.csv", now=clock()))
    context = ActionContext(orders, clock, graph or demo_graph)
    return [action(context) for action in _ACTIONS]
