"""What each predicate means is decided once (knowledge_graph.schema) and read the same
by the bot's index and the editor: kinds declared in either spelling, measures, plain
numbers, orders and names."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.admin.validation import check_fact
from knowledge_graph import Fact, GraphFormatError, load_graph, parse_csv
from knowledge_graph.index import graph_index
from knowledge_graph.kinds import DeclaredKind, ValueKind, read_kind
from knowledge_graph.schema import graph_schema

BUSINESSES = Path(__file__).resolve().parents[2] / "bench" / "data" / "businesses"

CSV = """subject,predicate,object,unit
K-1,type,Kettle,
K-1,name,Glass Kettle,
K-1,capacity,1.2,l
K-1,rating,4.6,
K-1,strength,medium,
K-1,vegan,yes,
K-1,phone_number,+65 6123 4567,
K-2,type,Kettle,
K-2,name,Clay Kettle,
K-2,capacity,800,ml
K-2,rating,4.1,
K-2,strength,bold,
K-2,vegan,no,
@strength,kind,light<medium<bold,
@vegan,kind,yes_no,
"""


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("yes_no", DeclaredKind(ValueKind.BOOLEAN)),
        ("Yes/No", DeclaredKind(ValueKind.BOOLEAN)),
        ("boolean", DeclaredKind(ValueKind.BOOLEAN)),
        ("money", DeclaredKind(ValueKind.MONEY)),
        ("number", DeclaredKind(ValueKind.NUMBER)),
        ("low < Medium < high", DeclaredKind(ValueKind.ORDERED, ("low", "medium", "high"))),
        ("weight-ish", None),
        ("low<", None),  # an order of one value orders nothing
    ],
)
def test_one_vocabulary_of_kinds(text: str, declared: DeclaredKind | None) -> None:
    assert read_kind(text) == declared


def test_the_schema_reads_measures_numbers_orders_and_flags() -> None:
    schema = graph_schema(parse_csv(CSV))
    capacity, rating = schema.get("capacity"), schema.get("rating")
    strength, vegan = schema.get("strength"), schema.get("vegan")
    assert capacity is not None and capacity.kind is ValueKind.MEASURE
    assert {"l", "ml"} <= set(capacity.units) and "g" not in capacity.units
    assert capacity.numeric
    assert rating is not None and rating.kind is ValueKind.NUMBER and "" in rating.units
    assert strength is not None and strength.kind is ValueKind.ORDERED
    assert strength.order == ("light", "medium", "bold") and strength.source == "attribute"
    assert vegan is not None and vegan.kind is ValueKind.BOOLEAN


def test_the_bot_and_the_editor_name_and_order_a_predicate_alike() -> None:
    graph = parse_csv(CSV)
    schema, index = graph_schema(graph), graph_index(graph)
    for predicate in ("capacity", "rating", "strength", "phone_number"):
        spec = schema.get(predicate)
        assert spec is not None
        assert index.attribute(predicate).names == dict(spec.names), predicate
        assert index.attribute(predicate).order == spec.order, predicate
    assert schema.get("phone_number").names["zh"] == "联系方式"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fact", "accepted"),
    [
        (Fact("K-1", "capacity", "1.5", "l"), Fact("K-1", "capacity", "1.5", "l")),
        (Fact("K-1", "capacity", "900", "ML"), Fact("K-1", "capacity", "900", "ml")),
        (Fact("K-1", "capacity", "2", "kg"), None),  # a capacity is no mass
        (Fact("K-1", "rating", "4.8", ""), Fact("K-1", "rating", "4.8", "")),
        (Fact("K-1", "rating", "great", ""), None),
        (Fact("K-1", "strength", "Light", ""), Fact("K-1", "strength", "Light", "")),
        (Fact("K-1", "strength", "mediumm", ""), None),  # not on the declared order
        (Fact("K-1", "vegan", "false", "bool"), Fact("K-1", "vegan", "false", "bool")),
    ],
)
def test_the_editor_checks_values_against_the_schema(fact: Fact, accepted: Fact | None) -> None:
    graph = parse_csv(CSV)
    result = check_fact(
        graph_schema(graph),
        fact,
        subject_types=("Kettle",),
        target_types=lambda node: tuple(graph.nodes[node]["types"]) if node in graph else None,
    )
    if accepted is None:
        assert not isinstance(result, Fact), result
        assert fact.predicate in (result.predicate,)
    else:
        assert result == accepted


def test_the_editor_accepts_kinds_as_the_csv_writes_them() -> None:
    graph = parse_csv(CSV)
    for text in ("yes_no", "low<medium<high", "number", "measure"):
        result = check_fact(
            graph_schema(graph),
            Fact("vegan", "kind", text),
            subject_types=("Attribute",),
            target_types=lambda node: None,
        )
        assert isinstance(result, Fact), text


def test_an_unknown_kind_in_a_csv_is_a_clear_error() -> None:
    with pytest.raises(GraphFormatError, match="'heavyish' is not a kind"):
        parse_csv(CSV + "@capacity,kind,heavyish,\n")


@pytest.mark.parametrize("business", sorted(p.name for p in BUSINESSES.iterdir() if p.is_dir()))
def test_every_business_graph_has_a_schema(business: str) -> None:
    # Graphs exported by other systems hold volumes, lengths and plain numbers: each
    # predicate gets a kind and the editor's schema never fails on them.
    schema = graph_schema(load_graph(BUSINESSES / business / "graph.csv"))
    assert schema.predicates
    assert all(spec.names.get("en") for spec in schema.predicates.values())
