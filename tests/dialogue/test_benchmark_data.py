from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue.training_data import (
    LookupTable,
    RegexFeature,
    Synonym,
    TrainingData,
    TrainingExample,
    parse_annotated_text,
    parse_nlu_yaml,
)
from dialogue.training_data.benchmarks import read_banking77_csv, read_snips
from dialogue.training_data.writer import to_nlu_yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "benchmarks"


def test_banking77_csv() -> None:
    data = read_banking77_csv(FIXTURES / "banking77.csv")
    assert [e.intent for e in data.examples] == ["card_arrival", "card_arrival", "top_up_failed"]
    assert data.examples[2].text == "Hi, how do I top up?"


def test_snips_json_with_latin1_bytes_and_surrogate_emoji() -> None:
    data = read_snips(FIXTURES / "snips_PlayMusic.json")
    first, second, weather = data.examples
    assert first.text == "play Gahé on deezer"  # double space collapsed, trailing space gone
    assert [(a.entity, first.text[a.start : a.end]) for a in first.entities] == [
        ("artist", "Gahé"),
        ("service", "deezer"),
    ]
    assert second.text == "I want to hear Pop Punk 🍕"
    assert second.entities[0].text == "Pop Punk 🍕"
    assert weather.intent == "GetWeather" and weather.entities[0].value == "paris"


def test_written_yaml_reads_back_the_same() -> None:
    data = read_snips(FIXTURES / "snips_PlayMusic.json").merge(
        TrainingData(
            (
                TrainingExample(
                    "银色 please",
                    "x",
                    parse_annotated_text(
                        '[银色]{"entity": "color", "value": "silver"} please'
                    ).entities,
                ),
            ),
            synonyms=(Synonym("silver", ("银色", "argent")),),
            regexes=(RegexFeature("order_id", (r"\bA\d{5}\b",)),),
            lookups=(LookupTable("color", ("red", "红色")),),
        )
    )
    back = parse_nlu_yaml(to_nlu_yaml(data))
    assert back.examples == data.examples
    assert (back.synonyms, back.regexes, back.lookups) == (
        data.synonyms,
        data.regexes,
        data.lookups,
    )


_word = st.text(alphabet=st.sampled_from(list("abcxyz银色你好0129-'.,?")), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_word, st.none() | st.sampled_from(["product", "color"]), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_round_trip_property(words: list[tuple[str, str | None, bool]]) -> None:
    annotated = []
    for word, entity, canonical in words:
        if entity is None:
            annotated.append(word)
        elif canonical:
            annotated.append(f'[{word}]{{"entity": "{entity}", "value": "v{word}"}}')
        else:
            annotated.append(f"[{word}]({entity})")
    parsed = parse_annotated_text(" ".join(annotated))
    data = TrainingData((TrainingExample(parsed.text, "intent", parsed.entities),))
    assert parse_nlu_yaml(to_nlu_yaml(data)).examples == data.examples
