"""A list the conversation goes through: "something else you can find?" shows the next
ones, "look for one in SD." narrows the list before it (customers' turns from a public
dialogue corpus, bench/data/businesses/sgd-sample), through the whole assistant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from dialogue.knowledge.listing import asks_for_more, continuation
from knowledge_graph import load_graph

SAMPLE = Path(__file__).resolve().parents[3] / "bench" / "data" / "businesses" / "sgd-sample"


def play(tmp_path: Path, *turns: str) -> list[str]:
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"id": "c", "turns": list(turns)}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "ask",
            "--questions",
            str(questions),
            "--kg",
            str(SAMPLE / "graph.csv"),
            "--model",
            "none",
        ],
    )
    assert result.exit_code == 0, result.output
    return [
        json.loads(line)["reply"] for line in result.output.splitlines() if line.startswith("{")
    ]


def test_something_else_shows_the_next_ones_then_how_many_there_are(tmp_path: Path) -> None:
    first, second, third, fourth = play(
        tmp_path,
        "I want to find a hotel in Toronto, Canada.I will need 1 room.",
        "Something else you can find?",
        "Can you find anyone else?",
        "any others?",
    )
    assert first.startswith("We have 10 hotels in Toronto, including Best Western Plus")
    assert "Cambridge Suites Toronto" in second and "Bisha" not in second
    assert "Crowne Plaza Toronto Airport" in third and "Cambridge" not in third
    assert fourth == "We have 10 hotels in Toronto."  # all ten were shown


def test_a_later_turn_narrows_the_list(tmp_path: Path) -> None:
    _, narrowed = play(tmp_path, "I'd like a three star hotel.", "Look for one in SD.")
    assert "Bahia Resort Hotel" in narrowed and "Hacienda" in narrowed
    assert "11 Howard" not in narrowed and "Toronto" not in narrowed


def test_a_question_about_one_of_them_is_no_narrowing(tmp_path: Path) -> None:
    _, about_one, more = play(
        tmp_path, "hotels in Toronto", "Is Bisha Hotel Toronto smoke free?", "anything else?"
    )
    assert about_one.startswith("Yes, Bisha Hotel Toronto allows smoking")
    assert "Cambridge Suites Toronto" in more  # the list is still the one going on


@pytest.mark.parametrize(
    ("text", "more"),
    [
        ("Something else you can find?", True),
        ("Can you find anyone else?", True),
        ("How about something else?", True),
        ("还有别的吗？", True),
        ("What is the address?", False),
        ("Is it expensive?", False),
    ],
)
def test_asks_for_more(text: str, more: bool) -> None:
    assert asks_for_more(text) is more


def test_nothing_continues_without_a_list_before() -> None:
    graph = load_graph(SAMPLE / "graph.csv")
    assert continuation(graph, "Something else you can find?", {}) is None
    slots = {"set_question": "hotels in Toronto", "set_shown": ["hotel-014"]}
    found = continuation(graph, "Something else you can find?", slots)
    assert found is not None and found.skip == ("hotel-014",)
    assert continuation(graph, "Is it smoke free?", slots) is None
    assert continuation(graph, "What is the phone number of Ace Hotel?", slots) is None
