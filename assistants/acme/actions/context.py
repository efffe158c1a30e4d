"""What the acme actions need from outside: the order store, a clock and the catalogue.

kefu builds the actions with :func:`assistants.acme.actions.build_actions`, passing the
app's order store and clock. A stand-alone rasa-sdk server (``python -m rasa_sdk
--actions assistants.acme.actions``) instantiates the action classes without arguments;
they then share :func:`demo_context`: the demo orders from store/orders.csv, dated
relative to the moment the server started, in memory.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from dialogue.clock import Clock, system_clock
from dialogue.orders import InMemoryOrderStore, OrderStore, orders_from_csv

__all__ = ["STORE_DIR", "ActionContext", "Catalogue", "demo_context"]

STORE_DIR = Path(__file__).resolve().parent.parent / "store"


@dataclass(frozen=True)
class Catalogue:
    """Product names (English, Chinese) and categories by product_id, from products.csv."""

    names: dict[str, tuple[str, str]]
    categories: dict[str, str]

    @classmethod
    def from_csv(cls, path: Path) -> Catalogue:
        import csv

        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return cls(
            names={r["product_id"]: (r["name"], r["name_zh"]) for r in rows},
            categories={r["product_id"]: r["category"] for r in rows},
        )

    def name(self, product_id: str, language: str) -> str:
        english, chinese = self.names.get(product_id, (product_id, product_id))
        return chinese if language == "zh" else english


@dataclass(frozen=True)
class ActionContext:
    orders: OrderStore
    clock: Clock
    catalogue: Catalogue


@functools.cache
def demo_context() -> ActionContext:
    """The context of actions built without arguments (one per process)."""
    clock = system_clock
    store = InMemoryOrderStore(orders_from_csv(STORE_DIR / "orders.csv", now=clock()))
    return ActionContext(store, clock, Catalogue.from_csv(STORE_DIR / "products.csv"))
