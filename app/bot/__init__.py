"""Runs the dialogue engine over stored conversations and stores what it says."""

from app.bot.assistant import AssistantHolder, ensure_trained
from app.bot.runner import BotRunner

__all__ = ["AssistantHolder", "BotRunner", "ensure_trained"]
