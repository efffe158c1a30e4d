"""The demo graph holds the store's facts exactly."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest

from assistants.acme.knowledge import build
from knowledge_graph import Fact, edge_facts, literal_facts, same_value
from knowledge_graph.values import Flag, Quantity

STORE = Path(build.STORE_PRODUCTS)


def test_products_csv_is_the_generator_output() -> None:
    assert build.OUTPUT.read_text(encoding="utf-8") == build.build()


def test_store_copy_matches_shared_catalogue() -> None:
    shared = Path("/work/shared/demo-store/products.csv")
    if not shared.exists():
        pytest.skip("shared demo-store not present")
    assert STORE.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")


def value(graph: nx.MultiDiGraph, node: str, predicate: str) -> object:
    pairs = literal_facts(graph, node, predicate)
    assert len(pairs) == 1, (node, predicate, pairs)
    return pairs[0][1]


def test_every_product_fact(demo: nx.MultiDiGraph) -> None:
    with STORE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pid = row["product_id"]
            assert demo.nodes[pid]["labels"][0].text == row["name"]
            assert any(label.text == row["name_zh"] for label in demo.nodes[pid]["labels"])
            assert value(demo, pid, "price") == Quantity(
                Decimal(row["price_usd"]), Decimal(row["price_usd"]), "USD"
            )
            colors = [f.object for f in edge_facts(demo, pid, "color")]
            assert colors == ["color:" + c.replace(" ", "_") for c in row["colors"].split("|")]
            assert [f.object for f in edge_facts(demo, pid, "category")] == [
                "cat:" + row["category"]
            ]
            assert [f.object for f in edge_facts(demo, pid, "stock_status")] == [
                "status:" + row["stock_status"]
            ]
            warranty = value(demo, pid, "warranty")
            assert (
                isinstance(warranty, Quantity)
                and warranty.low == int(row["warranty_months"])
                and warranty.unit == "months"
            )
            assert value(demo, pid, "weight") == Quantity(
                Decimal(row["weight_g"]), Decimal(row["weight_g"]), "g"
            )
            if row["battery_hours"]:
                assert value(demo, pid, "battery_life") == Quantity(
                    Decimal(row["battery_hours"]), Decimal(row["battery_hours"]), "hours"
                )
            else:
                assert not literal_facts(demo, pid, "battery_life")
            assert bool(row["restock_date"]) == bool(literal_facts(demo, pid, "restock_date"))


@pytest.mark.parametrize(
    ("node", "predicate", "obj", "unit"),
    [
        ("policy:returns", "return_window", "30", "days"),
        ("policy:restocking_fee", "restocking_rate", "10", "%"),
        ("policy:refund", "refund_time", "5-7", "business days"),
        ("policy:return_shipping", "return_shipping_fee", "6.99", "USD"),
        ("policy:exchange", "exchange_window", "30", "days"),
        ("policy:standard_shipping", "delivery_time", "3-5", "business days"),
        ("policy:standard_shipping", "shipping_fee", "4.99", "USD"),
        ("policy:standard_shipping", "free_shipping_from", "50", "USD"),
        ("policy:express_shipping", "delivery_time", "1-2", "business days"),
        ("policy:express_shipping", "shipping_fee", "12.99", "USD"),
        ("policy:international_shipping", "countries", "18", "countries"),
        ("policy:international_shipping", "delivery_time", "7-14", "business days"),
        ("policy:international_shipping", "shipping_fee", "19.99", "USD"),
        ("policy:dispatch", "dispatch_cutoff", "14:00 UTC+8", "time"),
        ("policy:care_plus", "warranty_extension", "24", "months"),
        ("policy:care_plus", "care_plus_rate", "15", "%"),
        ("policy:care_plus", "care_plus_window", "60", "days"),
        ("policy:price_match", "price_match_window", "14", "days"),
        ("policy:price_match", "price_match_limit", "1", "times"),
        ("policy:support", "support_hours", "09:00-18:00 UTC+8", "time"),
        ("policy:support", "offline_reply_time", "1", "business days"),
    ],
)
def test_policy_facts(
    demo: nx.MultiDiGraph, node: str, predicate: str, obj: str, unit: str
) -> None:
    assert same_value(value(demo, node, predicate), Fact(node, predicate, obj, unit).value)  # type: ignore[arg-type]


def test_policy_sets_and_flags(demo: nx.MultiDiGraph) -> None:
    methods = [
        demo.nodes[f.object]["labels"][0].text
        for f in edge_facts(demo, "policy:payment", "payment_method")
    ]
    assert methods == ["Visa", "Mastercard", "American Express", "PayPal", "Alipay", "WeChat Pay"]
    assert value(demo, "policy:payment", "sales_tax_included") == Flag(False)
    assert value(demo, "policy:dispatch", "weekend_dispatch") == Flag(False)
    assert [f.object for f in edge_facts(demo, "policy:restocking_fee", "applies_to")] == [
        "cat:laptops"
    ]
