from __future__ import annotations

import json
from pathlib import Path

import pytest

from dialogue.exceptions import ModelError
from dialogue.nlu import (
    EntityTaggerConfig,
    IntentClassifierConfig,
    NLUConfig,
    NLUPipeline,
    train_nlu,
)
from dialogue.nlu.entity_tagger import EntityTagger, train_entity_tagger
from dialogue.nlu.gazetteer import Gazetteer, cross_fitted_features
from dialogue.nlu.pipeline import _listed_values
from dialogue.nlu.tokens import tokenize_with_offsets
from dialogue.training_data import parse_nlu_yaml

TYPES = ("city", "color", "product")


def _flags(gazetteer: Gazetteer, text: str) -> dict[str, list[str]]:
    """Per type, the flag of each token: B, I or '.'."""
    features = gazetteer.features([t.text for t in tokenize_with_offsets(text)])
    return {
        name: ["B" if row[2 * k] else "I" if row[2 * k + 1] else "." for row in features]
        for k, name in enumerate(gazetteer.types)
    }


def test_values_are_flagged_begin_and_inside_case_insensitively() -> None:
    gazetteer = Gazetteer.build(
        [(("New", "York"), "city"), (("york",), "city"), (("red",), "color"), (("x",), "moon")],
        TYPES,
    )
    flags = _flags(gazetteer, "from new YORK in red")
    assert flags["city"] == [".", "B", "B", ".", "."]  # "new york" and "york" both listed
    assert flags["color"] == [".", ".", ".", ".", "B"]
    assert flags["product"] == ["."] * 5
    # "new york": B on "new"; the I flag on "york" sits in the second column.
    features = gazetteer.features(["new", "york"])
    assert features[:, :2].tolist() == [[1.0, 0.0], [1.0, 1.0]]
    assert gazetteer.size == 6 and ("x",) not in gazetteer.entries  # unknown types dropped


def test_chinese_and_mixed_values_match_character_tokens() -> None:
    gazetteer = Gazetteer.build(
        [(("极", "光", "X2"), "product"), (("银", "色"), "color")],
        TYPES,
    )
    flags = _flags(gazetteer, "我要银色的极光X2")
    assert flags["color"] == [".", ".", "B", "I", ".", ".", ".", "."]
    assert flags["product"] == [".", ".", ".", ".", ".", "B", "I", "I"]
    assert _flags(gazetteer, "")["color"] == []


def test_json_round_trip_keeps_the_values() -> None:
    gazetteer = Gazetteer.build(
        [(("paris",), "city"), (("paris",), "color"), (("极", "光"), "product")], TYPES
    )
    again = Gazetteer.from_json(gazetteer.to_json(), TYPES)
    assert again == gazetteer
    assert again.entries[("paris",)] == frozenset({0, 1})


def test_cross_fitting_hides_a_message_s_own_values() -> None:
    words = [["to", "lima"], ["to", "oslo"], ["from", "oslo"], ["to", "rome"]]
    values = [[(("lima",), "city")], [(("oslo",), "city")], [(("oslo",), "city")], []]
    features = cross_fitted_features(words, values, [(("rome",), "city")], TYPES, folds=4, seed=0)
    city_begins = [row[:, 0].tolist() for row in features]
    assert city_begins[0] == [0.0, 0.0]  # lima is annotated only in its own message
    assert city_begins[1] == [0.0, 1.0]  # oslo is annotated in another message too
    assert city_begins[2] == [0.0, 1.0]
    assert city_begins[3] == [0.0, 1.0]  # lookup values are seen by every fold


LOOKUP = """
nlu:
- intent: inform
  examples: |
    - [paris](city)
    - [rome](city)
    - [oslo](city)
    - [berlin](city)
    - [madrid](city)
    - [vienna](city)
    - [red](color)
    - [blue](color)
    - [green](color)
    - [black](color)
    - [white](color)
    - [purple](color)
- lookup: city
  examples: |
    - paris
    - rome
    - oslo
    - berlin
    - madrid
    - vienna
    - lima
    - quito
- lookup: color
  examples: |
    - red
    - blue
    - green
    - black
    - white
    - purple
    - teal
    - ochre
"""


def test_listed_values_steer_the_tagger_and_survive_a_round_trip() -> None:
    data = parse_nlu_yaml(LOOKUP)
    config = EntityTaggerConfig(epochs=40, seed=3)
    tagger = train_entity_tagger(data.intent_examples, config, listed=_listed_values(data))
    assert tagger is not None and tagger.gazetteer is not None
    # Never annotated, only listed: the flags say which type each word is.
    for word, label in [("lima", "city"), ("quito", "city"), ("teal", "color"), ("ochre", "color")]:
        assert [s.label for s in tagger.tag(word, "inform")] == [label], word
    tensors, meta = tagger.state()
    again = EntityTagger.from_state(tensors, meta)
    assert again.gazetteer == tagger.gazetteer
    for word in ("lima", "ochre", "paris"):
        assert again.tag(word, "inform") == tagger.tag(word, "inform")


def test_the_gazetteer_can_be_switched_off() -> None:
    data = parse_nlu_yaml(LOOKUP)
    on = train_entity_tagger(data.intent_examples, EntityTaggerConfig(epochs=1))
    off = train_entity_tagger(data.intent_examples, EntityTaggerConfig(epochs=1, gazetteer=False))
    assert on is not None and off is not None
    assert on.gazetteer is not None and off.gazetteer is None
    # B and I flags of city and color are four more inputs per token.
    assert on.net.lstm.input_size - off.net.lstm.input_size == 4
    assert off.tag("paris", "inform") == EntityTagger.from_state(*off.state()).tag(
        "paris", "inform"
    )


def test_the_pipeline_lists_lookup_elements_and_synonyms(tmp_path: Path) -> None:
    data = parse_nlu_yaml(
        LOOKUP
        + "- intent: greet\n  examples: |\n    - hi\n    - hello\n"
        + "- synonym: paris\n  examples: |\n    - city of light\n"
    )
    pipeline = train_nlu(
        data,
        NLUConfig(intent=IntentClassifierConfig(epochs=3), entities=EntityTaggerConfig(epochs=3)),
    )
    assert pipeline.tagger is not None and pipeline.tagger.gazetteer is not None
    entries = pipeline.tagger.gazetteer.entries
    city = pipeline.tagger.gazetteer.types.index("city")
    color = pipeline.tagger.gazetteer.types.index("color")
    assert entries[("lima",)] == {city}  # a lookup element, never annotated
    assert entries[("city", "of", "light")] == {city}  # a synonym of an annotated city
    assert entries[("teal",)] == {color}
    pipeline.save(tmp_path / "nlu")
    again = NLUPipeline.load(tmp_path / "nlu")
    assert again.tagger is not None and again.tagger.gazetteer == pipeline.tagger.gazetteer
    assert again.entities("quito", "inform") == pipeline.entities("quito", "inform")


def test_a_damaged_gazetteer_in_a_stored_model_is_a_clear_error(tmp_path: Path) -> None:
    data = parse_nlu_yaml(LOOKUP + "- intent: greet\n  examples: |\n    - hi\n    - hello\n")
    pipeline = train_nlu(
        data,
        NLUConfig(intent=IntentClassifierConfig(epochs=2), entities=EntityTaggerConfig(epochs=1)),
    )
    pipeline.save(tmp_path / "nlu")
    meta_file = tmp_path / "nlu" / "nlu.json"
    for damaged in ([["paris"]], [["paris", "city"]], "paris"):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        meta["tagger"]["gazetteer"]["values"] = damaged
        meta_file.write_text(json.dumps(meta), encoding="utf-8")
        with pytest.raises(ModelError, match="cannot read the NLU model"):
            NLUPipeline.load(tmp_path / "nlu")
