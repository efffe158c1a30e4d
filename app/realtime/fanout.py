"""Where each kind of event goes.

Two kinds of channel: ``conversation:<id>`` (the customer's widget, and nobody else's
business) and ``console`` (every agent console). A stored message goes to both: the
customer gets the public frame; agents get it with its private fields (NLU parse, claim
statuses) and the conversation id.
"""

from __future__ import annotations

from typing import Any

from app.chat.protocol import message_frame
from app.db.conversations import StoredMessage
from app.realtime.hub import Hub, conversation_channel

CONSOLE_CHANNEL = "console"


def agent_message_frame(message: StoredMessage) -> dict[str, Any]:
    """The message as agents see it: every stored field."""
    return {
        "type": "message",
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "role": message.role,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
        "client_id": message.client_id,
        **{k: v for k, v in message.extra.items() if k not in ("type", "seq", "role", "text")},
    }


def customer_message_frame(message: StoredMessage) -> dict[str, Any]:
    return message_frame(
        seq=message.seq,
        role=message.role,
        text=message.text,
        created_at=message.created_at,
        client_id=message.client_id,
        extra=message.extra,
    )


async def publish_message(hub: Hub, message: StoredMessage) -> None:
    await hub.publish(
        conversation_channel(message.conversation_id),
        {"audience": "all", "frame": customer_message_frame(message)},
    )
    await hub.publish(CONSOLE_CHANNEL, agent_message_frame(message))


async def to_customer(hub: Hub, conversation_id: str, frame: dict[str, Any]) -> None:
    """A frame for the customer's widget (typing, status, read receipts)."""
    await hub.publish(conversation_channel(conversation_id), {"audience": "all", "frame": frame})


# Not for agents' eyes: tells every console socket of ``user_id`` to close (deactivated,
# a new role or password), on every replica.
SIGNED_OUT = "signed_out"


async def sign_out_consoles(hub: Hub, user_id: int) -> None:
    """Close every open console socket of ``user_id`` now, whichever replica holds it."""
    await hub.publish(CONSOLE_CHANNEL, {"type": SIGNED_OUT, "user_id": user_id})


async def to_agents(hub: Hub, conversation_id: str, frame: dict[str, Any]) -> None:
    """A frame for agent consoles only; ``conversation_id`` is added."""
    await hub.publish(CONSOLE_CHANNEL, {**frame, "conversation_id": conversation_id})
