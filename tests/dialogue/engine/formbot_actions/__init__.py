"""Custom actions for Rasa's formbot example (tests/dialogue/fixtures/rasa/formbot), which
ships without them: the restaurant form's validation and the restaurant search."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

CUISINES = (
    "afghan",
    "caribbean",
    "chinese",
    "french",
    "greek",
    "indian",
    "italian",
    "japanese",
    "mediterranean",
    "mexican",
    "spanish",
    "swedish",
    "thai",
    "turkish",
    "vietnamese",
)


class ValidateRestaurantForm(FormValidationAction):
    def name(self) -> str:
        return "validate_restaurant_form"

    def validate_cuisine(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        if isinstance(value, str) and value.lower() in CUISINES:
            return {"cuisine": value.lower()}
        dispatcher.utter_message(response="utter_wrong_cuisine")
        return {"cuisine": None}

    def validate_num_people(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        try:
            number = int(str(value).strip())
        except ValueError:
            number = 0
        if number > 0:
            return {"num_people": number}
        dispatcher.utter_message(response="utter_wrong_num_people")
        return {"num_people": None}

    def validate_outdoor_seating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"outdoor_seating": value}
        text = str(value).lower()
        if "out" in text:
            return {"outdoor_seating": True}
        if "in" in text:
            return {"outdoor_seating": False}
        dispatcher.utter_message(response="utter_wrong_outdoor_seating")
        return {"outdoor_seating": None}


class ActionRestaurant(Action):
    """Books nothing: says which search it would run (there is no restaurant database)."""

    def name(self) -> str:
        return "action_restaurant"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_submit")
        dispatcher.utter_message(response="utter_slots_values")
        return []
