"""Orders as business actions see them: a value object and the store interface.

Actions receive an ``OrderStore``; the app provides one over its database, tests and
``kefu shell`` use :class:`InMemoryOrderStore`. ``orders_from_csv`` reads the demo's
orders.csv, whose dates are given as days before ``now``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Protocol


class OrderStatus:
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class OrderItem:
    product_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderRecord:
    order_id: str
    email: str
    items: tuple[OrderItem, ...]
    total_usd: Decimal
    status: str
    placed_at: datetime
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None

    def email_matches(self, email: str) -> bool:
        return self.email.strip().casefold() == email.strip().casefold()


class UnknownOrderError(KeyError):
    pass


class OrderStore(Protocol):
    async def get(self, order_id: str) -> OrderRecord | None:
        """The order, or None when no order has this ID (IDs compare case-insensitively)."""
        ...

    async def set_status(self, order_id: str, status: str) -> OrderRecord:
        """Change an order's status; raises UnknownOrderError for an unknown ID."""
        ...


class InMemoryOrderStore:
    """An OrderStore in a dict: for tests, ``kefu shell`` and ``kefu test stories``."""

    def __init__(self, orders: Iterable[OrderRecord] = ()) -> None:
        self._orders = {o.order_id.upper(): o for o in orders}

    async def get(self, order_id: str) -> OrderRecord | None:
        return self._orders.get(order_id.strip().upper())

    async def set_status(self, order_id: str, status: str) -> OrderRecord:
        key = order_id.strip().upper()
        if key not in self._orders:
            raise UnknownOrderError(order_id)
        self._orders[key] = replace(self._orders[key], status=status)
        return self._orders[key]


def parse_items(text: str) -> tuple[OrderItem, ...]:
    """``"P-101x1;P-108x2"`` -> items."""
    items = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        product_id, _, quantity = part.rpartition("x")
        items.append(OrderItem(product_id=product_id, quantity=int(quantity)))
    return tuple(items)


def orders_from_csv(path: Path, *, now: datetime) -> list[OrderRecord]:
    """Orders from the demo's orders.csv; ``*_days_ago`` columns become dates before ``now``."""

    def days_ago(value: str) -> datetime | None:
        return now - timedelta(days=int(value)) if value.strip() else None

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    orders = []
    for row in rows:
        placed = days_ago(row["placed_days_ago"])
        assert placed is not None, f"order {row['order_id']} has no placed_days_ago"
        orders.append(
            OrderRecord(
                order_id=row["order_id"],
                email=row["email"],
                items=parse_items(row["items"]),
                total_usd=Decimal(row["total_usd"]),
                status=row["status"],
                placed_at=placed,
                shipped_at=days_ago(row["shipped_days_ago"]),
                delivered_at=days_ago(row["delivered_days_ago"]),
                carrier=row["carrier"] or None,
                tracking_number=row["tracking_number"] or None,
            )
        )
    return orders
