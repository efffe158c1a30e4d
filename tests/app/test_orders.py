"""The orders table: demo loading and the SQL OrderStore, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.db import Database
from app.db.migrate import upgrade
from app.db.orders import SqlOrderStore, load_orders
from app.settings import DEMO_PROJECT
from dialogue.orders import InMemoryOrderStore, OrderItem, UnknownOrderError, orders_from_csv

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def demo_orders() -> list:
    return orders_from_csv(DEMO_PROJECT / "store" / "orders.csv", now=NOW)


def test_csv_dates_are_relative_to_now() -> None:
    orders = {o.order_id: o for o in demo_orders()}
    assert len(orders) == 12
    a1 = orders["A10001"]
    assert a1.delivered_at == NOW - timedelta(days=10)
    assert a1.items == (OrderItem("P-100", 1),) and a1.total_usd == Decimal("129.00")
    assert orders["A10004"].items == (OrderItem("P-101", 1), OrderItem("P-108", 1))
    assert orders["A10002"].shipped_at is None and orders["A10002"].status == "processing"


async def test_in_memory_store() -> None:
    store = InMemoryOrderStore(demo_orders())
    assert (await store.get("a10001")) is not None
    assert (await store.set_status("A10002", "cancelled")).status == "cancelled"
    with pytest.raises(UnknownOrderError):
        await store.set_status("A99999", "cancelled")


async def test_sql_store(database_url: str) -> None:
    upgrade(database_url)
    db = Database(database_url)
    try:
        async with db.session() as session:
            assert await load_orders(session, demo_orders()) == 12
        async with db.session() as session:
            assert await load_orders(session, demo_orders()) == 0, "loading twice adds nothing"
        store = SqlOrderStore(db)
        order = await store.get(" a10001 ")
        assert order is not None and order.email == "mia.chen@example.com"
        assert order.delivered_at == NOW - timedelta(days=10)
        assert order.email_matches("Mia.Chen@example.com ")
        assert await store.get("A99999") is None
        cancelled = await store.set_status("A10002", "cancelled")
        assert cancelled.status == "cancelled"
        assert (await store.get("A10002")).status == "cancelled"  # type: ignore[union-attr]
        with pytest.raises(UnknownOrderError):
            await store.set_status("nope", "cancelled")
    finally:
        await db.dispose()
