from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge_graph import (
    Fact,
    GraphFormatError,
    build_graph,
    dump_csv,
    dump_graphml,
    dump_json,
    graph_facts,
    load_graph,
    parse_csv,
    parse_graphml,
    parse_json,
    same_graph,
    save_graph,
)


def test_csv_rules() -> None:
    graph = parse_csv(
        "subject,predicate,object,unit\n"
        "p1,type,Product,\np1,name,Widget,\np1,alias,小部件,\np1,color,red,\np1,color,blue,\n"
        "p1,price,9.50,USD\np1,category,c1,\nc1,type,Category,\nc1,name,gadgets,en\n"
    )
    facts = graph_facts(graph)
    assert Fact("p1", "category", "c1", "", True) in facts  # object names a node: an edge
    assert Fact("p1", "color", "red") in facts and Fact("p1", "color", "blue") in facts  # repeated
    assert Fact("p1", "alias", "小部件", "zh") in facts  # language filled in
    assert graph.has_edge("p1", "c1", key="category")
    assert nx.is_frozen(graph)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("s,p,o\n", "first row"),
        ("subject,predicate,object,unit\na,price,cheap,USD\n", "not a number"),
        ("subject,predicate,object,unit\na,b,c,d,e\n", "4 fields"),
        ("subject,predicate,object,unit\n,b,c,\n", "required"),
    ],
)
def test_csv_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(GraphFormatError, match=message):
        parse_csv(text)


def test_json_edge_to_missing_node() -> None:
    document = '{"format": "kefu-knowledge-graph", "version": 1, "nodes": [{"id": "a", "facts": [{"predicate": "x", "node": "b"}]}]}'
    with pytest.raises(GraphFormatError, match="no facts"):
        parse_json(document)


def test_demo_graph_round_trips(demo: nx.MultiDiGraph, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for dump, parse in (
        (dump_csv, parse_csv),
        (dump_json, parse_json),
        (dump_graphml, parse_graphml),
    ):
        again = parse(dump(demo))
        assert same_graph(again, demo)
        assert graph_facts(again) == graph_facts(demo)
    for suffix in (".csv", ".json", ".graphml"):
        path = save_graph(demo, tmp_path / f"g{suffix}")
        assert graph_facts(load_graph(path)) == graph_facts(demo)
    with pytest.raises(GraphFormatError, match="unknown graph format"):
        save_graph(demo, tmp_path / "g.txt")


_text = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
_ids = st.text(alphabet="abcdefghij", min_size=1, max_size=4).map(lambda s: "n:" + s)


@st.composite
def graphs(draw: st.DrawFn) -> nx.MultiDiGraph:
    nodes = draw(st.lists(_ids, min_size=1, max_size=6, unique=True))
    facts: list[Fact] = []
    for node in nodes:
        facts.append(Fact(node, "type", draw(st.sampled_from(["Product", "Policy", "Thing"]))))
        facts.append(Fact(node, "name", draw(_text), draw(st.sampled_from(["en", "zh"]))))
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["money", "text", "edge", "range", "date", "bool"]))
            if kind == "money":
                facts.append(
                    Fact(
                        node,
                        "price",
                        f"{draw(st.integers(0, 10**6))}.{draw(st.integers(10, 99))}",
                        "USD",
                    )
                )
            elif kind == "range":
                low = draw(st.integers(0, 50))
                facts.append(
                    Fact(node, "time", f"{low}-{low + draw(st.integers(0, 9))}", "business days")
                )
            elif kind == "date":
                facts.append(
                    Fact(
                        node,
                        "since",
                        f"20{draw(st.integers(10, 40))}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}",
                        "date",
                    )
                )
            elif kind == "bool":
                facts.append(Fact(node, "flag", draw(st.sampled_from(["true", "false"])), "bool"))
            elif kind == "edge":
                target = draw(st.sampled_from(nodes))
                facts.append(Fact(node, "rel", target, "", True))
            else:
                text = draw(_text)
                if text not in nodes:
                    facts.append(Fact(node, "note", text))
    return build_graph(facts)


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_round_trips_are_lossless(graph: nx.MultiDiGraph) -> None:
    for dump, parse in (
        (dump_csv, parse_csv),
        (dump_json, parse_json),
        (dump_graphml, parse_graphml),
    ):
        assert graph_facts(parse(dump(graph))) == graph_facts(graph)
