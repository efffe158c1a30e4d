"""A graph kefu was not written for (a tea shop's own types and predicate names): its
questions are read, answered and checked from the graph alone."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from dialogue.knowledge import KnowledgeAnswerer
from knowledge_graph import check, load_graph, parse_csv
from knowledge_graph.grounding import grounded_text
from knowledge_graph.index import graph_index
from knowledge_graph.questions import QuestionKind, analyse_question
from knowledge_graph.values import Flag, Quantity

TEA = Path(__file__).resolve().parents[2] / "bench" / "data" / "businesses" / "cloud-mist-tea"


@pytest.fixture(scope="module")
def tea() -> nx.MultiDiGraph:
    return load_graph(TEA / "graph.csv")


@pytest.mark.parametrize(
    ("question", "subjects", "predicates"),
    [
        ("How long should I steep the Keemun?", ("T-keemun",), ("steep_time",)),
        ("What temperature should I brew Longjing at?", ("T-longjing",), ("water_temperature",)),
        ("How much water does the kettle hold?", ("W-kettle",), ("capacity",)),
        ("How heavy is the Pu-erh cake?", ("T-puer",), ("package_size",)),
        ("Where is your tasting room?", ("POL-tasting",), ("address",)),
        ("铁观音是哪里产的？", ("T-tgy",), ("origin",)),
        # An attribute only one thing has names that thing.
        ("What discount do members get?", ("POL-members",), ("member_discount",)),
        ("退货期限是几天？", ("POL-returns",), ("return_window",)),
        (
            "How long does delivery take?",
            ("POL-shipping",),
            ("delivery_time_min", "delivery_time_max"),
        ),
    ],
)
def test_questions_reach_the_attribute_by_its_own_words(
    tea: nx.MultiDiGraph, question: str, subjects: tuple[str, ...], predicates: tuple[str, ...]
) -> None:
    q = analyse_question(tea, question)
    assert q.kind is QuestionKind.LOOKUP
    assert q.subjects == subjects, q
    assert set(q.predicates) == set(predicates), q


def test_a_question_about_nothing_the_graph_holds_names_nothing(tea: nx.MultiDiGraph) -> None:
    q = analyse_question(tea, "How much is the bamboo tray?")
    assert q.subjects == ()


def test_literals_without_a_unit_are_typed_by_their_look(tea: nx.MultiDiGraph) -> None:
    values = tea.nodes["T-longjing"]["values"]
    assert [v for _, v in values["organic"]] == [Flag(True)]
    (restock,) = [v for _, v in tea.nodes["T-dhp"]["values"]["restock_date"]]
    assert isinstance(restock, Quantity) and restock.unit == "date"
    (opens,) = [v for _, v in tea.nodes["POL-tasting"]["values"]["opens_at"]]
    assert isinstance(opens, Quantity) and opens.unit == "time"


async def answer(graph: nx.MultiDiGraph, question: str) -> str:
    reply = await KnowledgeAnswerer(None).answer(graph, question)
    # Whatever is composed passes the checker and the grounding gate.
    assert all(c.status.value == "supported" for c in check(graph, reply.text).checks), reply
    delivered, _ = grounded_text(graph, reply.text)
    assert delivered == reply.text
    return reply.text


async def test_sets_are_filtered_by_yes_no_attributes_and_ranked_by_levels(
    tea: nx.MultiDiGraph,
) -> None:
    organic = await answer(tea, "Which of your teas are organic?")
    assert "West Lake Longjing is organic" in organic and "Jasmine Silver Needle" in organic
    assert "Keemun" not in organic and "not organic" not in organic
    least = await answer(tea, "Which tea has the least caffeine?")
    assert least.startswith("Jasmine Silver Needle has low caffeine"), least


async def test_values_are_said_as_people_say_them(tea: nx.MultiDiGraph) -> None:
    stock = await answer(tea, "Do you have Da Hong Pao in stock?")
    assert "sold out" in stock and "sold_out" not in stock
    assert "February 10, 2027" in stock
    assert "售罄" in await answer(tea, "大红袍有货吗？")
    assert "not dishwasher safe" in await answer(tea, "Is the gaiwan dishwasher safe?")
    assert "Tasting room opens at 10:00" in await answer(tea, "When is the tasting room open?")
    assert "90 seconds" in await answer(tea, "How long should I steep the Keemun?")
    assert "60秒" in await answer(tea, "铁观音泡多久？")


CSV = """subject,predicate,object,unit
T-1,type,Tea,
T-1,name,Longjing,
T-1,steep_time,120,seconds
T-1,strength,medium,
T-1,vegan,yes,
T-2,type,Tea,
T-2,name,Keemun,
T-2,steep_time,90,seconds
T-2,strength,bold,
T-2,vegan,no,
@steep_time,label,Steeping time,
@steep_time,label,冲泡时间,
@steep_time,alias,how long to brew,
@strength,kind,light<medium<bold,
@vegan,kind,yes_no,
"""


async def test_predicates_described_with_at_rows() -> None:
    # ARCHITECTURE.md's CSV contract: @PREDICATE rows give labels, aliases and a kind.
    graph = parse_csv(CSV)
    info = graph_index(graph).attribute("strength")
    assert info.order == ("light", "medium", "bold")
    assert graph_index(graph).attribute("steep_time").names == {
        "en": "Steeping time",
        "zh": "冲泡时间",
    }
    assert "steeping time of Longjing is 120 seconds" in await answer(
        graph, "what is the steeping time of Longjing?"
    )
    assert "冲泡时间是120秒" in await answer(graph, "Longjing的冲泡时间是多少？")
    assert "Keemun" in (await answer(graph, "Which tea has the most strength?")).split(".")[0]


async def test_none_of_a_counted_attribute_is_a_limit_of_zero() -> None:
    plans = load_graph(TEA.parent / "lumo-mobile" / "graph.csv")
    reply = await answer(plans, "Which plans have no contract?")
    assert "Lumo Lite" in reply and "Lumo Max" not in reply, reply


async def test_a_superlative_ranks_by_what_the_set_has_and_says_the_top_one() -> None:
    plans = load_graph(TEA.parent / "lumo-mobile" / "graph.csv")
    reply = await answer(plans, "Which plan is the cheapest?")
    assert reply.startswith("The monthly fee of Lumo Student is €12"), reply


def test_an_opening_time_is_not_checked_against_the_closing_time(tea: nx.MultiDiGraph) -> None:
    # Seen from the default model over the websocket: "The tasting room is open at 20:00."
    # (20:00 is when it closes) passed as supported while opening and closing shared cues.
    (wrong,) = check(tea, "The tasting room is open at 20:00.").checks
    assert wrong.status.value == "contradicted" and wrong.claim.predicates == ("opens_at",)
    statuses = [
        c.status.value
        for c in check(
            tea, "It opens at 10:00 and closes at 20:00.", context=["POL-tasting"]
        ).checks
    ]
    assert statuses == ["supported", "supported"]
    asked = analyse_question(tea, "When is the tasting room open?").predicates
    assert set(asked) == {"opens_at", "closes_at"}
