from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogue.exceptions import TrainingDataError
from dialogue.training_data import (
    EntityAnnotation,
    parse_annotated_text,
    parse_nlu_yaml,
    read_nlu_file,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RASA_EXAMPLES = FIXTURES / "rasa"
SHOP = FIXTURES / "shop"


def test_formbot_nlu_loads_unedited() -> None:
    data = read_nlu_file(RASA_EXAMPLES / "formbot" / "data" / "nlu.yml")
    assert "request_restaurant" in data.intents and "inform" in data.intents
    assert set(data.entities) == {"cuisine", "feedback", "seating"}
    first = data.examples[0]
    assert (first.text, first.intent) == ("Hi", "greet")
    assert first.source is not None and first.source.line == 4
    # The Rasa 1/2 shorthand [text](entity:value) gives a canonical value.
    pub = next(e for e in data.examples if e.text == "serving gastro pub")
    assert pub.entities == (
        EntityAnnotation(start=8, end=18, entity="cuisine", value="gastropub", text="gastro pub"),
    )
    assert data.entity_synonyms()["gastro pub"] == "gastropub"


def test_moodbot_nlu_with_dash_markers_loads() -> None:
    data = read_nlu_file(RASA_EXAMPLES / "moodbot" / "data" / "nlu.yml")
    assert data.intents == (
        "affirm", "bot_challenge", "deny", "goodbye", "greet", "mood_great", "mood_unhappy",
    )  # fmt: skip
    assert all(not e.text.startswith("-") for e in data.examples)


def test_shop_sections_synonyms_regex_lookup_and_chinese_spans() -> None:
    data = read_nlu_file(SHOP / "data" / "nlu.yml")
    assert [r.name for r in data.regexes] == ["order_id", "email"]
    assert data.lookups[0].name == "color" and "银色" in data.lookups[0].elements
    assert data.synonyms[0].value == "Aurora X2" and "极光X2" in data.synonyms[0].examples
    mixed = next(e for e in data.examples if e.text == "Aurora X2 有银色的吗?")
    product, color = mixed.entities
    assert mixed.text[product.start : product.end] == "Aurora X2"
    assert mixed.text[color.start : color.end] == "银色" and color.value == "silver"
    synonyms = data.entity_synonyms()
    assert synonyms["极光 x2"] == "Aurora X2" and synonyms["银色"] == "silver"


def test_annotation_forms() -> None:
    parsed = parse_annotated_text(
        'fly from [Berlin]{"entity": "city", "role": "from"} to '
        '[NYC][{"entity": "city", "role": "to", "group": "1"}, {"entity": "place"}]'
    )
    assert parsed.text == "fly from Berlin to NYC"
    berlin, nyc, place = parsed.entities
    assert (berlin.role, berlin.value, berlin.start, berlin.end) == ("from", "Berlin", 9, 15)
    assert (nyc.role, nyc.group, nyc.entity) == ("to", "1", "city")
    assert (place.start, place.end, place.entity) == (19, 22, "place")


def test_examples_as_list_with_metadata() -> None:
    data = parse_nlu_yaml(
        "nlu:\n- intent: greet\n  metadata: {sentiment: neutral}\n  examples:\n"
        "  - text: |\n      hi\n    metadata: {lang: en}\n  - text: hello\n"
    )
    assert [e.text for e in data.examples] == ["hi", "hello"]
    assert data.examples[0].metadata == {"lang": "en"}
    assert data.examples[1].metadata == {"sentiment": "neutral"}


def test_empty_documents_and_other_sections_give_no_examples() -> None:
    assert parse_nlu_yaml("").examples == ()
    assert parse_nlu_yaml('version: "3.1"\nstories:\n- story: x\n  steps: []\n').examples == ()


MALFORMED = [
    # (file content, line the error must name, words the message must contain)
    (
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n'
        '    - I want [red]{"entity": color}\n',
        6,
        "not valid JSON",
    ),
    ("nlu:\n- intent: greet\n  examples: |\n    - hi\n    - [red](color\n", 5, "unfinished"),
    ('nlu:\n- intent: x\n  examples: |\n    - [a]{"value": "b"}\n', 4, '"entity"'),
    ("nlu:\n- intent: greet\n- intent: bye\n  examples: |\n    - bye\n", 2, "no examples"),
    ("nlu:\n- intent: greet\n  exmples: |\n    - hi\n", 3, "unknown key"),
    ("nlu:\n- intent: greet\n  synonym: x\n  examples: |\n    - hi\n", 2, "exactly one"),
    ("nlu:\n- just a string\n", 2, "mapping"),
    ('version: "1.0"\nnlu: []\n', 1, "unsupported"),
    ("nlu:\n- intent: greet\n  examples: |\n    - hi\n  - bad indent\n", None, "invalid YAML"),
    ("nlu: {intent: greet}\n", 1, "list"),
    ("nlu:\n- intent: greet\n  examples: 3\n", 3, "block of lines"),
]


@pytest.mark.parametrize(("content", "line", "words"), MALFORMED)
def test_malformed_data_names_file_and_line(
    tmp_path: Path, content: str, line: int | None, words: str
) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrainingDataError) as caught:
        read_nlu_file(path)
    error = caught.value
    assert error.path == path
    assert words in str(error)
    if line is not None:
        assert error.line == line
        assert str(error).startswith(f"{path}:{line}: ")
    else:
        assert error.line is not None


_surface = st.text(
    alphabet=st.sampled_from(list("abcXYZ 01银色极光-")), min_size=1, max_size=8
).filter(lambda s: s.strip() == s and s != "")
_plain = st.text(alphabet=st.sampled_from(list("abc de 你好?!")), max_size=6)


@given(
    st.lists(st.tuples(_plain, _surface, st.sampled_from(["product", "color"])), max_size=4), _plain
)
def test_annotation_offsets_point_at_their_surface(
    parts: list[tuple[str, str, str]], tail: str
) -> None:
    annotated = (
        "".join(f"{before}[{surface}]({entity})" for before, surface, entity in parts) + tail
    )
    parsed = parse_annotated_text(annotated)
    assert parsed.text == "".join(before + surface for before, surface, _ in parts) + tail
    assert [(a.text, a.entity) for a in parsed.entities] == [(s, e) for _, s, e in parts]
    for annotation in parsed.entities:
        assert parsed.text[annotation.start : annotation.end] == annotation.text
