from __future__ import annotations

import networkx as nx
import pytest

from knowledge_graph import link, surface_forms
from knowledge_graph.index import MatchKind


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("AURORA X2 HEADPHONES", "P-100"),
        ("the aurora x2", "P-100"),
        ("X2", "P-100"),
        ("极光 X2 头戴耳机", "P-100"),
        ("Vector 14", "P-104"),
        ("矢量 16 Pro", "P-105"),
        ("vector16pro", "P-105"),
        ("Aurura X2", "P-100"),
        ("Pulse Watch 3", "P-106"),
        ("支付宝", "pay:alipay"),
        ("Amex", "pay:amex"),
        ("银色", "color:silver"),
        ("space gray", "color:space_grey"),
        ("Care+", "policy:care_plus"),
    ],
)
def test_mentions_link_to_their_node(demo: nx.MultiDiGraph, text: str, node: str) -> None:
    mentions = link(demo, f"Tell me about {text} please")
    assert any(m.best.node == node for m in mentions), mentions


def test_scores_rank_exact_above_short_above_fuzzy(demo: nx.MultiDiGraph) -> None:
    full = link(demo, "Aurora X2 Headphones")[0].best
    short = link(demo, "Aurora X2")[0].best
    fuzzy = link(demo, "Aurura X2")[0].best
    assert full.score > short.score > fuzzy.score
    assert fuzzy.kind is MatchKind.FUZZY


def test_ambiguous_short_name_keeps_every_candidate(demo: nx.MultiDiGraph) -> None:
    (mention,) = link(demo, "Nimbus")
    assert set(mention.nodes) == {"P-102", "P-103"}


def test_words_inside_other_words_do_not_link(demo: nx.MultiDiGraph) -> None:
    assert link(demo, "X20 and the arrangement of ranges") == []
    assert all(m.text != "Vector 14" for m in link(demo, "Vector 140"))


def test_offsets_point_into_the_text(demo: nx.MultiDiGraph) -> None:
    text = "Aurora X2 有银色的吗?"
    for mention in link(demo, text):
        assert text[mention.start : mention.end] == mention.text


def test_surface_forms_for_the_entity_extractor(demo: nx.MultiDiGraph) -> None:
    forms = surface_forms(demo)
    assert forms["Aurora X2 Headphones"] == ("product", "P-100")
    assert forms["极光 X2 头戴耳机"] == ("product", "P-100")
    assert forms["Vector 14"] == ("product", "P-104")
    assert forms["银色"] == ("color", "color:silver")
    assert forms["out of stock"] == ("stock_status", "status:out_of_stock")
    assert "Nimbus" not in forms  # ambiguous forms are left to the caller
    assert "price" not in forms  # attributes are not entities
