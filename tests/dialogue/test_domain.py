from __future__ import annotations

import random
from pathlib import Path

import pytest

from dialogue.domain import (
    Button,
    Domain,
    MappingCondition,
    MappingType,
    SessionConfig,
)
from dialogue.exceptions import DomainError, UnknownResponseError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def shop() -> Domain:
    return Domain.load(FIXTURES / "shop" / "domain.yml")


def test_formbot_domain_2_0_is_migrated_like_rasa_3() -> None:
    domain = Domain.load(FIXTURES / "rasa" / "formbot" / "domain.yml")
    assert domain.version == "2.0"
    form = domain.form("restaurant_form")
    assert form is not None
    assert form.required_slots == (
        "cuisine", "num_people", "outdoor_seating", "preferences", "feedback",
    )  # fmt: skip
    cuisine = domain.slot("cuisine")
    assert cuisine is not None and cuisine.type == "text" and not cuisine.influence_conversation
    (mapping,) = cuisine.mappings
    assert mapping.type is MappingType.FROM_ENTITY and mapping.not_intent == ("chitchat",)
    # from_entity keeps working for any slot while the form runs ...
    assert mapping.conditions == (MappingCondition("restaurant_form", None),)
    seating = domain.slot("outdoor_seating")
    assert seating is not None
    affirm = seating.mappings[1]
    # ... other mappings only when the form asks for that slot.
    assert (affirm.type, affirm.intent, affirm.value) == (
        MappingType.FROM_INTENT,
        ("affirm",),
        True,
    )
    assert affirm.conditions == (MappingCondition("restaurant_form", "outdoor_seating"),)
    assert affirm.accepts_state("restaurant_form", "outdoor_seating")
    assert not affirm.accepts_state("restaurant_form", "cuisine")
    assert domain.entities_for_intent("request_restaurant") == frozenset()
    assert domain.entities_for_intent("inform") == {"cuisine", "number", "feedback", "seating"}
    assert domain.actions == ("validate_restaurant_form",)
    assert "restaurant_form" in domain.action_names and "utter_greet" in domain.action_names


def test_moodbot_domain_buttons_and_image() -> None:
    domain = Domain.load(FIXTURES / "rasa" / "moodbot" / "domain.yml")
    (greet,) = domain.responses["utter_greet"]
    assert greet.buttons[0] == Button("great", "/mood_great")
    (cheer,) = domain.responses["utter_cheer_up"]
    assert cheer.image == "https://i.imgur.com/iPa8HCj.jpeg"
    assert domain.session_config == SessionConfig(60.0, True)


def test_intents_entities_slots_forms_actions(shop: Domain) -> None:
    assert shop.entities_for_intent("product_price") == {"product"}
    assert shop.entities_for_intent("product_colors") == {"product", "color", "city"}
    assert shop.entities_for_intent("greet") == {"product", "color", "order_id", "email", "city"}
    city = next(e for e in shop.entities if e.name == "city")
    assert city.roles == ("from", "to")
    order_id = shop.slot("order_id")
    assert order_id is not None
    by_entity, by_text = order_id.mappings
    assert by_entity.accepts_intent("order_status") and not by_entity.accepts_intent("greet")
    assert by_text.type is MappingType.FROM_TEXT and not by_text.accepts_intent("greet")
    assert by_text.conditions == (MappingCondition("order_form", "order_id"),)
    language = shop.slot("language")
    assert language is not None and language.values == ("en", "zh")
    wants_help = shop.slot("wants_help")
    assert wants_help is not None and wants_help.initial_value is False
    assert wants_help.mappings[1].type is MappingType.FROM_TRIGGER_INTENT
    form = shop.form("order_form")
    assert form is not None and form.ignored_intents == ("greet",)
    assert shop.actions == ("action_order_status", "action_check_return")
    assert shop.session_config == SessionConfig(30.0, False)
    (ask,) = shop.responses["utter_ask_order_id"]
    assert ask.metadata == {"rephrase": True} and ask.buttons[0].payload == "/goodbye"
    (card,) = shop.responses["utter_card"]
    assert card.custom == {"kind": "card"} and card.text is None


def test_pick_response_prefers_matching_conditions(shop: Domain) -> None:
    zh = shop.pick_response("utter_greet", {"language": "zh"}, rng=random.Random(0))
    assert zh is not None and zh.text == "您好！有什么可以帮您？"
    # Strings compare case-insensitively, as in Rasa.
    upper = shop.pick_response("utter_greet", {"language": "ZH"})
    assert upper is not None and upper.text == zh.text
    en = shop.pick_response("utter_greet", {"language": "en"})
    assert en is not None and en.text == "Hello! How can I help?"
    assert shop.pick_response("utter_greet", {}) == en
    assert shop.pick_response("utter_only_zh", {"language": "en"}) is None


def test_pick_response_channel_and_rng(shop: Domain) -> None:
    web = shop.pick_response("utter_goodbye", {}, channel="socketio")
    assert web is not None and web.text == "Bye!"
    other = shop.pick_response("utter_goodbye", {}, channel="rest")
    assert other is not None and other.text == "Goodbye!"
    domain = Domain.from_yaml("responses:\n  utter_x:\n  - text: a\n  - text: b\n  - text: c\n")
    picks = {
        seed: [domain.pick_response("utter_x", {}, rng=random.Random(seed)) for _ in range(1)]
        for seed in range(20)
    }
    texts = {p[0].text for p in picks.values() if p[0] is not None}
    assert texts == {"a", "b", "c"}
    first = domain.pick_response("utter_x", {}, rng=random.Random(5))
    assert first == domain.pick_response("utter_x", {}, rng=random.Random(5))


def test_unknown_response(shop: Domain) -> None:
    with pytest.raises(UnknownResponseError):
        shop.pick_response("utter_nothing", {})


def test_domain_folder_is_merged(tmp_path: Path) -> None:
    folder = tmp_path / "domain"
    folder.mkdir()
    (folder / "a.yml").write_text('version: "3.1"\nintents: [greet]\nentities: [product]\n')
    (folder / "b.yml").write_text(
        "intents: [bye]\nresponses:\n  utter_bye:\n  - text: bye\n"
        "slots:\n  product:\n    type: text\n    mappings:\n    - type: from_entity\n      entity: product\n"
    )
    domain = Domain.load(folder)
    assert domain.intent_names == ("greet", "bye")
    assert domain.slot("product") is not None and "utter_bye" in domain.responses


MALFORMED = [
    ("slots:\n  x:\n    type: textual\n", 3, "type 'textual'"),
    (
        "slots:\n  x:\n    type: text\n    mappings:\n    - type: from_somewhere\n",
        5,
        "mapping type",
    ),
    ("slots:\n  x:\n    type: text\n    mappings:\n    - type: from_entity\n", 5, "needs entity"),
    ("responses:\n  utter_a:\n  - texts: hi\n", 3, "no text"),
    ("intents:\n- greet:\n    use_entities: [a]\n    ignore_entities: [b]\n", 3, "both"),
    ("intent:\n- greet\n", 1, "unknown domain key"),
    ("forms:\n  f:\n    x:\n    - type: from_text\n", 1, "not declared"),
    (
        "responses:\n  utter_a:\n  - text: hi\n    condition:\n    - type: active_loop\n      name: f\n",
        5,
        "not supported",
    ),
    ("session_config:\n  session_expiration_time: soon\n", 1, "session_expiration_time"),
    ('version: "4.0"\n', 1, "unsupported domain version"),
]


@pytest.mark.parametrize(("content", "line", "words"), MALFORMED)
def test_malformed_domain_names_file_and_line(
    tmp_path: Path, content: str, line: int, words: str
) -> None:
    path = tmp_path / "domain.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        Domain.load(path)
    assert caught.value.path == path and caught.value.line == line
    assert words in str(caught.value)
