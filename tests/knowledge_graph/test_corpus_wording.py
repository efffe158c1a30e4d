"""Customers' own wording from a public dialogue corpus (bench/data/businesses/sgd-sample:
its hotels, restaurants and doctors, its users' turns): "tell me about X", initials for
places ("in NY"), a cuisine asked of a ``category``, two attributes in one question."""

from __future__ import annotations

import asyncio
from pathlib import Path

import networkx as nx
import pytest

from dialogue.knowledge import KnowledgeAnswerer
from dialogue.knowledge.conversation import ConversationKnowledge
from knowledge_graph import load_graph, parse_csv
from knowledge_graph.index import graph_index
from knowledge_graph.questions import analyse_question

SAMPLE = Path(__file__).resolve().parents[2] / "bench" / "data" / "businesses" / "sgd-sample"


@pytest.fixture(scope="module")
def corpus() -> nx.MultiDiGraph:
    return load_graph(SAMPLE / "graph.csv")


def answer(graph: nx.MultiDiGraph, question: str) -> str:
    return asyncio.run(KnowledgeAnswerer(None).answer(graph, question)).text


def test_initials_in_capitals_name_the_one_value_they_abbreviate(
    corpus: nx.MultiDiGraph,
) -> None:
    index = graph_index(corpus)
    assert index.spelled_out("a hotel in NY.") == "a hotel in New York."
    assert index.spelled_out("a hotel in ny") == "a hotel in ny"  # capitals only
    reply = answer(corpus, "Please help me find a hotel with one rooms in NY.")
    assert "Aka Times Square" in reply or "1 Hotel" in reply
    assert "Toronto" not in reply


def test_initials_two_values_share_abbreviate_neither() -> None:
    graph = parse_csv(
        "subject,predicate,object,unit\n"
        "a,type,Shop,\na,name,Alpha,\na,city,San Diego,\n"
        "b,type,Shop,\nb,name,Beta,\nb,city,Santa Dolores,\n"
        "c,type,Shop,\nc,name,Gamma,\nc,city,New York,\n"
    )
    index = graph_index(graph)
    assert index.spelled_out("shops in SD") == "shops in SD"
    assert index.spelled_out("shops in NY") == "shops in New York"


def test_a_place_value_is_not_a_word_of_a_things_name(corpus: nx.MultiDiGraph) -> None:
    q = analyse_question(corpus, "hotels in New York")
    assert not q.subjects  # not "Ac Hotel New York Times Square"
    assert ("location", "New York") in q.texts


def test_tell_me_about_a_named_thing_is_the_graphs_to_answer(corpus: nx.MultiDiGraph) -> None:
    knowledge = ConversationKnowledge(lambda: corpus, KnowledgeAnswerer(None))
    assert knowledge.covers("Tell me about Miramar Beach Restaurant", entities=[], slots={})
    assert knowledge.covers(
        "Tell me about Best Western Plus Toronto North York Hotel & Suites", entities=[], slots={}
    )
    assert not knowledge.covers("Tell me about your day", entities=[], slots={})


def test_a_cuisine_is_asked_of_a_category_of_cuisines(corpus: nx.MultiDiGraph) -> None:
    q = analyse_question(corpus, "What cuisine does Butterfly Restaurant offer?")
    assert q.predicates[:1] == ("category",)
    assert "Asian" in answer(corpus, "What cuisine does Butterfly Restaurant offer?")


def test_a_category_of_other_things_is_no_cuisine() -> None:
    graph = parse_csv(
        "subject,predicate,object,unit\n"
        "a,type,Attraction,\na,name,Old Fort,\na,category,Historical Landmark,\n"
        "b,type,Attraction,\nb,name,City Zoo,\nb,category,Park,\n"
    )
    assert "category" not in analyse_question(graph, "What cuisine is Old Fort?").predicates


def test_two_attributes_in_one_question_are_both_answered(corpus: nx.MultiDiGraph) -> None:
    reply = answer(
        corpus, "What is Miramar Beach Restaurant's address, and what's the user rating?"
    )
    assert "131 Mirada Road" in reply and "4.2" in reply
    reply = answer(
        corpus,
        "Tell me please if smoking is allowed at Best Western Plus Toronto North York Hotel"
        " & Suites and the price per night.",
    )
    assert "63" in reply and "not" in reply


def test_a_part_the_graph_has_nothing_on_is_said_not_skipped(corpus: nx.MultiDiGraph) -> None:
    reply = answer(corpus, "Where is Miramar Beach Restaurant located? Do they serve alcohol?")
    assert "131 Mirada Road" in reply
    assert reply.endswith("I don't have information on whether they serve alcohol.")
    reply = answer(corpus, "What's the phone number of Ace Hotel? Does it have a pool?")
    assert "212-679-2222" in reply and "whether it has a pool" in reply


def test_parts_only_where_something_is_unknown(corpus: nx.MultiDiGraph) -> None:
    from knowledge_graph.question_parts import unlinked_parts

    assert unlinked_parts(corpus, "Is Ace Hotel smoke free?") == ()  # one sentence: whole answer
    assert unlinked_parts(corpus, "Hi there. What's the phone number of Ace Hotel?") == ()
    assert unlinked_parts(corpus, "Tell me about Ace Hotel. Can I smoke there?") == ()
    parts = unlinked_parts(corpus, "Where is Ace Hotel? Do they have a spa?")
    assert [p.text for p in parts] == ["Do they have a spa?"]


def test_a_list_says_how_many_and_names_the_first(corpus: nx.MultiDiGraph) -> None:
    reply = answer(corpus, "I want to find a hotel in Toronto, Canada.I will need 1 room.")
    assert reply.startswith("We have 10 hotels in Toronto, including ")
    assert reply.count("Toronto") >= 2 and "New York" not in reply
    assert answer(corpus, "I would like to see a general practitioner.") == (
        "We have 2 general practitioners: Alchemy John MD and Bastoni Kelly A MD."
    )


def test_the_kind_of_a_list_reads_back_as_the_same_set(corpus: nx.MultiDiGraph) -> None:
    from knowledge_graph.counting import kind_of
    from knowledge_graph.selection import select

    q = analyse_question(corpus, "Find me an Italian restaurant in Corte Madera")
    members = select(corpus, q).members
    assert kind_of(corpus, q, members) == ("Italian restaurants in Corte Madera", "")
    assert kind_of(corpus, q, ("hotel-001",)) is None  # another set: not said as this one
    bounded = analyse_question(corpus, "hotels in Toronto under $100 a night")
    assert kind_of(corpus, bounded, select(corpus, bounded).members) is None


def test_an_unknown_part_never_says_the_customers_numbers_or_claims_back(
    corpus: nx.MultiDiGraph,
) -> None:
    reply = answer(corpus, "What's the phone number of Ace Hotel? Is the spa $1 a night?")
    assert "$1 " not in reply and "$1." not in reply
    reply = answer(corpus, "What's the phone number of Ace Hotel? Is the spa open 24 hours?")
    assert "24" not in reply
    assert reply.endswith("I don't have information on the rest of your question.")
    reply = answer(
        corpus,
        "What's the phone number of Ace Hotel? Do they give every guest a free luxury car?",
    )
    assert "luxury car" not in reply


def test_a_place_named_in_chinese_is_the_graphs_english_value() -> None:
    graph = load_graph(SAMPLE.parent / "city-stays" / "graph.csv")
    assert graph_index(graph).spelled_out("丹佛有哪些酒店？") == "Denver有哪些酒店？"
    q = analyse_question(graph, "丹佛有哪些酒店？")
    assert any(value == "Denver" for _, value in q.texts)
    reply = answer(graph, "丹佛有哪些酒店？")
    assert reply.startswith("我们有25家Denver的酒店，包括") and "Seattle" not in reply
    # A Chinese name of a place the graph does not hold adds nothing.
    assert graph_index(graph).spelled_out("旧金山有哪些酒店？") == "旧金山有哪些酒店？"


def test_a_chinese_name_of_two_held_places_reads_as_neither() -> None:
    graph = parse_csv(
        "subject,predicate,object,unit\n"
        "a,type,Shop,\na,name,Alpha,\na,city,Oakland,\n"
        "b,type,Shop,\nb,name,Beta,\nb,city,Auckland,\n"
        "c,type,Shop,\nc,name,Gamma,\nc,city,Denver,\n"
    )
    index = graph_index(graph)
    assert index.spelled_out("奥克兰有哪些店？") == "奥克兰有哪些店？"
    assert index.spelled_out("丹佛有哪些店？") == "Denver有哪些店？"


def test_what_people_call_a_place_is_the_graphs_place() -> None:
    graph = load_graph(SAMPLE.parent / "city-stays" / "graph.csv")
    index = graph_index(graph)
    assert index.spelled_out("hotels in Chi-town") == "hotels in Chicago"
    assert index.spelled_out("a hotel in chi town please") == "a hotel in Chicago please"
    assert index.spelled_out("salons in Philly") == "salons in Philly"  # not held: unchanged
    reply = answer(graph, "any hotels in Chi-town?")
    assert "Chicago" in reply and "Denver" not in reply
    short = graph_index(
        parse_csv(
            "subject,predicate,object,unit\n"
            "a,type,Hotel,\na,name,Alpha,\na,city,Los Angeles,\n"
            "b,type,Hotel,\nb,name,Beta,\nb,city,Denver,\n"
        )
    )
    assert short.spelled_out("hotels in LA") == "hotels in Los Angeles"
    assert short.spelled_out("tra la la") == "tra la la"  # two letters: capitals only


def test_a_category_value_names_the_list() -> None:
    graph = load_graph(SAMPLE.parent / "city-stays" / "graph.csv")
    assert answer(graph, "I'd like to find a museum in Chicago.").startswith(
        "We have 2 museums in Chicago: "
    )
    assert answer(graph, "Are there any parks in Portland?").startswith(
        "We have 1 park in Portland: Portland Riverfront Park"
    )


def test_a_clause_after_a_comma_is_a_part_but_a_condition_is_not() -> None:
    from knowledge_graph.question_parts import unlinked_parts

    graph = load_graph(SAMPLE.parent / "city-stays" / "graph.csv")
    parts = unlinked_parts(graph, "I need a hotel in Chicago for 2 nights, any with a pool?")
    assert [p.text for p in parts] == ["any with a pool?"]
    assert not unlinked_parts(graph, "If the spa is closed, do I get the difference?")
