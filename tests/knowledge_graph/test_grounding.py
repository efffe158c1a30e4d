"""Every sentence that reaches a customer is grounded or one of a closed set of phrases."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from assistants.acme.knowledge import load_demo_graph
from knowledge_graph import load_graph
from knowledge_graph.grounding import Grounding, ground, grounded_text

VELO = Path(__file__).resolve().parents[2] / "bench" / "data" / "answers" / "velo_verde.csv"


@pytest.fixture(scope="module")
def demo() -> nx.MultiDiGraph:
    return load_demo_graph()


@pytest.fixture(scope="module")
def velo() -> nx.MultiDiGraph:
    return load_graph(VELO)


def verdict(graph: nx.MultiDiGraph, text: str, context: tuple[str, ...] = ()) -> Grounding:
    (only,) = ground(graph, text, context=context)
    return only.grounding


@pytest.mark.parametrize(
    "sentence",
    [
        "The Aurora X2 costs 129 USD and comes in silver and black.",
        "Express shipping costs 12.99 USD.",
        "极光X2的价格是129美元。",
        "You can return items within 30 days of delivery.",
        "The Lumen 4K Webcam is discontinued.",
    ],
)
def test_supported_sentences_are_grounded(demo: nx.MultiDiGraph, sentence: str) -> None:
    assert verdict(demo, sentence) is Grounding.GROUNDED


@pytest.mark.parametrize(
    "sentence",
    [
        # Seen delivered by a small model before grounding existed.
        "The smartwatch with the longest battery is the Apple Watch Series 1.",
        "It has a battery capacity of 1000mAh.",
        "The Nimbus Mini is available in a variety of formats, including MP3, WAV, and AAC.",
        "The warranty does not cover the cost of the product.",
        # A true claim does not carry an invented one beside it.
        "The Aurora X2 costs 129 USD and is great for music lovers.",
        "The Aurora X2 costs 129 USD and ships in 2 days.",
        "极光X2的价格是129美元，音质非常出色。",
    ],
)
def test_unsupported_sentences_are_not_grounded(demo: nx.MultiDiGraph, sentence: str) -> None:
    assert verdict(demo, sentence) is Grounding.UNGROUNDED


@pytest.mark.parametrize(
    "sentence",
    ["Hello!", "Let me know if you have any other questions.", "希望对您有帮助。", "谢谢！"],
)
def test_social_phrases_pass_as_whole_sentences_only(demo: nx.MultiDiGraph, sentence: str) -> None:
    assert verdict(demo, sentence) is Grounding.SOCIAL


def test_a_social_opening_does_not_license_a_claim(demo: nx.MultiDiGraph) -> None:
    assert verdict(demo, "Hello, we ship to Mars in 3 days.") is Grounding.UNGROUNDED


def test_grounded_text_keeps_only_delivered_sentences(demo: nx.MultiDiGraph) -> None:
    text, verdicts = grounded_text(
        demo,
        "The Aurora X2 costs 129 USD. It is the best headphone ever made. Hope this helps!",
    )
    assert text == "The Aurora X2 costs 129 USD. Hope this helps!"
    assert [v.grounding for v in verdicts] == [
        Grounding.GROUNDED,
        Grounding.UNGROUNDED,
        Grounding.SOCIAL,
    ]


def test_pronouns_ground_through_the_conversation(demo: nx.MultiDiGraph) -> None:
    assert verdict(demo, "It costs 129 USD.", ("P-100",)) is Grounding.GROUNDED
    assert verdict(demo, "It costs 129 USD.") is Grounding.UNGROUNDED


def test_another_business_graph(velo: nx.MultiDiGraph) -> None:
    assert verdict(velo, "The Metro 7 comes in sage green and black.") is Grounding.GROUNDED
    assert verdict(velo, "The Metro 7 comes in sage green and comes with fenders.") is (
        Grounding.UNGROUNDED
    )
