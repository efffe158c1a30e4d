"""What the acme actions need from outside: the order store, a clock and the store's
knowledge graph.

kefu builds the actions with :func:`assistants.acme.actions.build_actions`, passing the
app's order store, clock and live graph (an editor's save reaches the next action). A
stand-alone rasa-sdk server (``python -m rasa_sdk --actions assistants.acme.actions``)
instantiates the action classes without arguments; they then share :func:`demo_context`:
the demo orders from store/orders.csv, dated relative to the moment the server started, in
memory, and the demo graph of ../knowledge.

Business rules the actions apply (the return window, which products carry a restocking
fee) and the product names they say are read from the graph, never written here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from dialogue.clock import Clock, system_clock
from dialogue.orders import InMemoryOrderStore, OrderStore, orders_from_csv
from knowledge_graph.model import display_name, edge_facts, literal_facts
from knowledge_graph.values import Quantity

__all__ = [
    "RESTOCKING_FEE",
    "RETURNS",
    "STORE_DIR",
    "ActionContext",
    "demo_context",
    "demo_graph",
]

STORE_DIR = Path(__file__).resolve().parent.parent / "store"

#: The graph's nodes whose facts the return actions apply.
RETURNS = "policy:returns"
RESTOCKING_FEE = "policy:restocking_fee"


@dataclass(frozen=True)
class ActionContext:
    orders: OrderStore
    clock: Clock
    graph: Callable[[], nx.MultiDiGraph]

    def product_name(self, product_id: str, language: str) -> str:
        """The product's name in ``language`` as the graph has it (its id if unknown)."""
        graph = self.graph()
        if product_id not in graph:
            return product_id
        return display_name(graph, product_id, "zh" if language == "zh" else "en")

    def days(self, node: str, predicate: str) -> int | None:
        """A duration fact (``policy:returns return_window 30 days``) in whole days, or
        None when the graph has no such duration."""
        graph = self.graph()
        if node not in graph:
            return None
        for _, value in literal_facts(graph, node, predicate):
            if isinstance(value, Quantity) and (days := value.approx_days()) is not None:
                return int(days[1])
        return None

    def applies_to(self, node: str, product_id: str) -> bool:
        """Whether ``node``'s ``applies_to`` facts name the product or a node it points at,
        such as its category (``policy:restocking_fee applies_to cat:laptops``)."""
        graph = self.graph()
        if node not in graph or product_id not in graph:
            return False
        targets = {f.object for f in edge_facts(graph, node, "applies_to")}
        owners = {product_id, *(f.object for f in edge_facts(graph, product_id))}
        return bool(targets & owners)


@functools.cache
def demo_graph() -> nx.MultiDiGraph:
    from assistants.acme.knowledge import load_demo_graph

    return load_demo_graph()


@functools.cache
def demo_context() -> ActionContext:
    """The context of actions built without arguments (one per process)."""
    clock = system_clock
    store = InMemoryOrderStore(orders_from_csv(STORE_DIR / "orders.csv", now=clock()))
    return ActionContext(store, clock, demo_graph)
