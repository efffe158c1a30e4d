"""Storage: the SQLAlchemy engine, the ORM tables and the data functions over them."""

from app.db.engine import Database, async_url, sync_url
from app.db.models import Base, Conversation, ConversationStatus, Message, Role, TrackerEvent, User

__all__ = [
    "Base",
    "Conversation",
    "ConversationStatus",
    "Database",
    "Message",
    "Role",
    "TrackerEvent",
    "User",
    "async_url",
    "sync_url",
]
