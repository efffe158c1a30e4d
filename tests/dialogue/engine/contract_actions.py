"""Actions for the webhook-contract tests, served in-process and by a real rasa-sdk server
(``python -m rasa_sdk --actions tests.dialogue.engine.contract_actions``)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

# rasa-sdk serves every Action subclass it can see: the demo's actions come along.
import assistants.acme.actions  # noqa: F401


class ActionReport(Action):
    """Says what it was given, so a test can compare both transports."""

    def name(self) -> str:
        return "action_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        seen = {
            "sender": tracker.sender_id,
            "intent": tracker.get_intent_of_latest_message(),
            "entities": [e["value"] for e in tracker.latest_message.get("entities", [])],
            "number": tracker.get_slot("number"),
            "unset": tracker.get_slot("name"),
            "loop": tracker.active_loop_name,
            "events": sorted({e["event"] for e in tracker.events}),
            "forms": sorted(domain["forms"]),
            "responses": len(domain["responses"]),
        }
        dispatcher.utter_message(text=json.dumps(seen, sort_keys=True))
        dispatcher.utter_message(response="utter_reported", count=len(tracker.events))
        return [SlotSet("name", "reported")]


class ActionRaise(Action):
    def name(self) -> str:
        return "action_raise"

    async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[dict[str, Any]]:
        raise RuntimeError("the database is on fire")


class ActionSlow(Action):
    def name(self) -> str:
        return "action_slow"

    async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[dict[str, Any]]:
        await asyncio.sleep(30)
        return []
