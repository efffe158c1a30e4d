"""The orders table behind business actions: an OrderStore over the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import Database
from app.db.models import Order, utcnow
from dialogue.orders import OrderItem, OrderRecord, UnknownOrderError


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def record_of(row: Order) -> OrderRecord:
    placed = _aware(row.placed_at)
    assert placed is not None
    return OrderRecord(
        order_id=row.order_id,
        email=row.email,
        items=tuple(OrderItem(i["product_id"], int(i["quantity"])) for i in row.items),
        total_usd=row.total_usd,
        status=row.status,
        placed_at=placed,
        shipped_at=_aware(row.shipped_at),
        delivered_at=_aware(row.delivered_at),
        carrier=row.carrier,
        tracking_number=row.tracking_number,
    )


class SqlOrderStore:
    """OrderStore over the app database (IDs compare case-insensitively)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, order_id: str) -> OrderRecord | None:
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(Order).where(func.upper(Order.order_id) == order_id.strip().upper())
                )
            ).scalar_one_or_none()
            return record_of(row) if row is not None else None

    async def set_status(self, order_id: str, status: str) -> OrderRecord:
        async with self.db.session() as session:
            row = (
                await session.execute(
                    update(Order)
                    .where(func.upper(Order.order_id) == order_id.strip().upper())
                    .values(status=status, updated_at=utcnow())
                    .returning(Order)
                )
            ).scalar_one_or_none()
            if row is None:
                raise UnknownOrderError(order_id)
            record = record_of(row)
            await session.commit()
            return record


async def load_orders(session: AsyncSession, orders: Iterable[OrderRecord]) -> int:
    """Insert the orders whose IDs are not stored yet; returns how many were added."""
    existing = set((await session.execute(select(Order.order_id))).scalars())
    added = 0
    for order in orders:
        if order.order_id in existing:
            continue
        session.add(
            Order(
                order_id=order.order_id,
                email=order.email,
                items=[{"product_id": i.product_id, "quantity": i.quantity} for i in order.items],
                total_usd=order.total_usd,
                status=order.status,
                placed_at=order.placed_at,
                shipped_at=order.shipped_at,
                delivered_at=order.delivered_at,
                carrier=order.carrier,
                tracking_number=order.tracking_number,
            )
        )
        added += 1
    await session.commit()
    return added
