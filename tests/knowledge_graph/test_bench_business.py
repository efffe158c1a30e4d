"""bench.business: how a business folder's replies are scored (a benchmark that cannot
fail is no measure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.business import (
    foreign_names,
    graph_numbers,
    read_business,
    regex_right,
    set_sizes,
    unsupported_numbers,
)

ROWS = [
    ("T-1", "price", "168.00", "CNY"),
    ("T-1", "steep_time", "120", "seconds"),
    ("W-1", "capacity", "800", "ml"),
    ("W-1", "warranty", "12", "months"),
    ("P-1", "opens_at", "20:00", ""),
    ("P-1", "restock_date", "2027-02-10", ""),
    ("P-1", "has_5g", "yes", ""),
]


def test_numbers_the_graph_holds_include_simple_conversions() -> None:
    allowed = graph_numbers(ROWS)
    for number in ("168", "120", "2", "800", "0.8", "12", "1", "20", "8", "2027", "10", "5"):
        assert number in allowed, number
    reply = "It costs 168 CNY, steep it 2 minutes; the kettle holds 0.8 l and 7 cups."
    assert unsupported_numbers(reply, "How much?", allowed) == ["7"]
    assert unsupported_numbers("It is 7.", "Is it 7 cm?", allowed) == []


def test_a_count_said_as_a_count_is_one_of_the_graphs_set_sizes() -> None:
    rows = [
        ("A-1", "type", "Flat", ""),
        ("A-1", "area", "Fresno", ""),
        ("A-2", "type", "Flat", ""),
        ("A-2", "area", "Fresno", ""),
        ("A-3", "type", "Flat", ""),
        ("A-3", "area", "Reno", ""),
    ]
    sizes = set_sizes(rows)
    assert {"3", "2", "1"} <= sizes
    # 2 flats in Fresno is a count; a bare 2 elsewhere is no value of the graph.
    assert unsupported_numbers("We have 2 flats in Fresno.", "How many?", set(), sizes) == []
    assert unsupported_numbers("It has 2 bedrooms.", "Bedrooms?", set(), sizes) == ["2"]
    assert unsupported_numbers("We have 5 flats.", "How many?", set(), sizes) == ["5"]


def test_a_turn_is_right_on_every_expect_and_no_forbid() -> None:
    assert regex_right("Yes, it is organic.", [r"(yes|is organic)"], [r"\bnot organic\b"])
    assert not regex_right("It is not organic.", [r"organic"], [r"\bnot organic\b"])
    assert not regex_right("It costs 12.", ["12", "199"], [])


def test_other_business_names_are_found_as_words() -> None:
    names = ["Aurora X2 Headphones", "Acme", "极光 X2 头戴耳机"]
    assert foreign_names("Try the Aurora X2 Headphones at Acme!", names) == names[:2]
    assert foreign_names("Acmex and 极光 X2 头戴耳机", names) == ["极光 X2 头戴耳机"]


def test_a_malformed_business_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"graph\.csv and conversations\.json"):
        read_business(tmp_path)
    (tmp_path / "graph.csv").write_text("subject,predicate,object,unit\n", encoding="utf-8")
    (tmp_path / "conversations.json").write_text(json.dumps({"talks": []}), encoding="utf-8")
    with pytest.raises(SystemExit, match="not a conversations file"):
        read_business(tmp_path)


def test_the_shipped_business_folders_read() -> None:
    folder = Path(__file__).resolve().parents[2] / "bench" / "data" / "businesses"
    for business in ("cloud-mist-tea", "bright-smile-dental", "lumo-mobile"):
        assert read_business(folder / business).conversations
