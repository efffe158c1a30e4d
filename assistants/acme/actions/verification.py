"""Order IDs, emails and the privacy rule: an order is revealed only to the customer who
gives its ID together with the email it was placed with. An unknown ID and a wrong email
get the same answer, so that a stranger cannot learn which IDs exist."""

from __future__ import annotations

import re
from typing import Any

from dialogue.orders import OrderRecord, OrderStore

__all__ = ["normalise_email", "normalise_order_id", "verified_order"]

_ORDER_ID = re.compile(r"^\s*([Aa])\s*-?\s*(\d{5})\s*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_order_id(value: Any) -> str | None:
    """``A10001`` (upper case) for an order ID in the store's format, else None."""
    match = _ORDER_ID.match(str(value)) if value is not None else None
    return f"A{match.group(2)}" if match else None


def normalise_email(value: Any) -> str | None:
    """The email address, trimmed and lower case, or None when it is not one."""
    text = str(value).strip().lower() if value is not None else ""
    return text if _EMAIL.match(text) else None


async def verified_order(orders: OrderStore, order_id: Any, email: Any) -> OrderRecord | None:
    """The order when ``order_id`` exists and ``email`` is its email; otherwise None."""
    key, address = normalise_order_id(order_id), normalise_email(email)
    if key is None or address is None:
        return None
    order = await orders.get(key)
    if order is None or not order.email_matches(address):
        return None
    return order
