"""How many things of a kind: asked, answered and checked on graphs kefu was not written
for (a tea shop, a property manager), counted independently here from the CSV rows."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest

from dialogue.knowledge import KnowledgeAnswerer
from dialogue.knowledge.fakes import ScriptedChatModel
from knowledge_graph import check, load_graph
from knowledge_graph.checking import ClaimStatus, entails
from knowledge_graph.claims import ClaimKind
from knowledge_graph.grounding import grounded_text
from knowledge_graph.questions import asked_kind
from knowledge_graph.repair import repair

BUSINESSES = Path(__file__).resolve().parents[2] / "bench" / "data" / "businesses"


def rows(business: str) -> list[list[str]]:
    with (BUSINESSES / business / "graph.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def subjects_where(business: str, predicate: str, value: str) -> set[str]:
    return {r[0] for r in rows(business) if r[1:3] == [predicate, value]}


@pytest.fixture(scope="module")
def tea() -> nx.MultiDiGraph:
    return load_graph(BUSINESSES / "cloud-mist-tea" / "graph.csv")


@pytest.fixture(scope="module")
def homes() -> nx.MultiDiGraph:
    return load_graph(BUSINESSES / "metro-living" / "graph.csv")


async def answer(graph: nx.MultiDiGraph, question: str) -> str:
    reply = await KnowledgeAnswerer(None).answer(graph, question)
    assert all(c.status is ClaimStatus.SUPPORTED for c in check(graph, reply.text).checks), reply
    delivered, _ = grounded_text(graph, reply.text)
    assert delivered == reply.text, reply.text
    return reply.text


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many teas do you sell?", ("teas", "")),
        ("how many oolong teas do you have?", ("oolong teas", "")),
        ("How many apartments do you have in Santa Rosa?", ("apartments in Santa Rosa", "")),
        ("How many organic teas are there?", ("organic teas", "")),
        ("你们有多少款乌龙茶？", ("乌龙茶", "款")),
        ("乌龙茶有几种？", ("乌龙茶", "种")),
        ("How much is the Keemun?", None),
        # durations and times are asked, not things counted
        ("How many days do I have to return it?", None),
        ("退货期限是几天？", None),
        ("你们周六几点关门？", None),
    ],
)
def test_how_many_asks_for_a_kind(question: str, kind: tuple[str, str] | None) -> None:
    assert asked_kind(question) == kind


async def test_a_count_names_as_many_as_the_graph_holds(
    tea: nx.MultiDiGraph, homes: nx.MultiDiGraph
) -> None:
    teas = {r[0] for r in rows("cloud-mist-tea") if r[1:3] == ["type", "Tea"]}
    reply = await answer(tea, "How many teas do you sell?")
    assert reply.startswith(f"We have {len(teas)} teas, including ")
    oolong = await answer(tea, "how many oolong teas do you have?")
    assert oolong == "We have 2 oolong teas: Anxi Tieguanyin and Wuyi Da Hong Pao."
    assert await answer(tea, "你们有多少款乌龙茶？") == "我们有2款乌龙茶：安溪铁观音和武夷大红袍。"
    in_santa_rosa = subjects_where("metro-living", "area", "Santa Rosa")
    homes_reply = await answer(homes, "How many apartments do you have in Santa Rosa?")
    assert homes_reply.startswith(f"We have {len(in_santa_rosa)} apartments in Santa Rosa")
    pets = subjects_where("metro-living", "pets_allowed", "True")
    pet_reply = await answer(homes, "how many pet friendly apartments do you have?")
    assert pet_reply.startswith(f"We have {len(pets)} pet friendly apartments")


async def test_a_kind_the_graph_does_not_record_is_not_counted(tea: nx.MultiDiGraph) -> None:
    # No tea says whether it is vegan: "6 vegan teas" would be a guess.
    reply = await answer(tea, "How many vegan teas do you have?")
    assert "don't have that information" in reply
    assert await answer(tea, "How many apartments do you have?") != "We have 0 apartments."


def test_the_checker_counts_what_an_answer_says(tea: nx.MultiDiGraph) -> None:
    right = check(tea, "We have 2 oolong teas: Anxi Tieguanyin and Wuyi Da Hong Pao.")
    (claim,) = right.checks
    assert claim.claim.kind is ClaimKind.COUNT and claim.status is ClaimStatus.SUPPORTED
    assert entails(claim.facts, claim.claim)
    for wrong in (
        "We have 3 oolong teas.",
        "We have 2 oolong teas: Anxi Tieguanyin and West Lake Longjing.",  # not an oolong
        "We have no oolong teas.",
    ):
        (verdict,) = check(tea, wrong).checks
        assert verdict.status is ClaimStatus.CONTRADICTED, wrong
    # A kind the graph cannot read is no count claim; its number is unlicensed: dropped.
    for unread in ("We have 4 vegan teas.", "There are 3 ways to brew it."):
        assert not check(tea, unread).checks
        assert grounded_text(tea, unread)[0] == "", unread
    # "no" of one thing, or of something other than the business's own range, is no count.
    mondays = check(tea, "There is no tasting on Mondays.").checks
    assert all(c.claim.kind is not ClaimKind.COUNT for c in mondays)


def test_a_wrong_count_is_repaired_to_the_right_one(tea: nx.MultiDiGraph) -> None:
    fixed = repair(tea, "We have 5 oolong teas.")
    assert fixed.text == "We have 2 oolong teas: Anxi Tieguanyin and Wuyi Da Hong Pao."


async def test_a_count_is_counted_not_written_by_the_model(homes: nx.MultiDiGraph) -> None:
    # The model would list a few dentists (true, but no answer to "how many"); the count
    # comes from the graph and the model is not asked.
    model = ScriptedChatModel(["Dr. Farid Patel offers cosmetic services."])
    reply = await KnowledgeAnswerer(model).answer(
        homes, "how many dentists offer cosmetic services?"
    )
    cosmetic = subjects_where("metro-living", "offers_cosmetic_services", "True")
    assert reply.text.startswith(f"We have {len(cosmetic)} dentists that offer cosmetic services")
    assert model.calls == []
