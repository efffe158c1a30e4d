"""The agents' console: live conversation list, transcripts, take-over, replies, notes."""

from app.console.notifier import ConsoleNotifier

__all__ = ["ConsoleNotifier"]
