from __future__ import annotations

import networkx as nx
import pytest

from knowledge_graph import ClaimKind, ClaimStatus, check, entails, supporting_facts

S, C, U = ClaimStatus.SUPPORTED, ClaimStatus.CONTRADICTED, ClaimStatus.UNVERIFIABLE


def statuses(graph: nx.MultiDiGraph, text: str, context: tuple[str, ...] = ()) -> list[ClaimStatus]:
    return [c.status for c in check(graph, text, context=context).checks]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Aurora X2 Headphones cost $129.00 and come with a 12-month warranty.", [S, C]),
        ("极光 X2 头戴耳机的价格是129美元，保修期为两年。", [S, S]),
        ("The Aurora X2 comes in silver.", [S]),
        ("The Aurora X2 comes in red.", [C]),
        ("The Aurora X2 does not come in red.", [S]),
        ("The Aurora X2 doesn't come in silver.", [C]),
        ("Aurora X2 有银色。", [S]),
        ("The Vector 14 is lighter than the Vector 16 Pro.", [S]),
        ("The Vector 16 Pro is lighter than the Vector 14.", [C]),
        ("矢量 14 比矢量 16 Pro 轻。", [S]),
        ("The Vector 14 is 750 g lighter than the Vector 16 Pro.", [S]),
        ("The Vector 14 is 500 g lighter than the Vector 16 Pro.", [C]),
        ("The Aurora Buds are cheaper than the Aurora X2.", [S]),
        ("The Pulse Band lasts longer than the Pulse Watch 3.", [S]),
        ("Your order was delivered 10 days ago, so you can still return it.", [S]),
        ("Your order was delivered 45 days ago, so you can still return it.", [C]),
        ("It was delivered 45 days ago, so it can no longer be returned.", [S]),
        ("您的订单10天前签收，仍然可以退货。", [S]),
        ("您的订单45天前签收，仍然可以退货。", [C]),
        ("Refunds take 5–7 business days.", [S]),
        ("Refunds take 5-7 days.", [C]),
        ("Refunds arrive within 7 business days.", [S]),
        (
            "Standard shipping takes 3–5 business days and costs 4.99 USD; it is free for orders of 50 USD or more.",
            [S, S, S],
        ),
        ("Express shipping costs $9.99.", [C]),
        ("International shipping reaches 18 countries.", [S]),
        ("国际配送可送达20个国家。", [C]),
        ("Acme Care+ extends the warranty by 2 years.", [S]),
        ("Prices include no sales tax.", [S]),
        ("Prices include sales tax.", [C]),
        ("The Nimbus Smart Speaker is out of stock until December 15, 2026.", [S, S]),
        ("The Nimbus Smart Speaker is in stock.", [C]),
        ("The Pulse Watch 3 was released in 2024.", [C]),
        ("We accept Visa and PayPal.", [S, S]),
        ("Orders placed before 2 pm (UTC+8) ship the same day.", [S]),
        ("Opened laptops carry a 15% restocking fee.", [S, C]),
    ],
)
def test_claims_from_the_store(
    demo: nx.MultiDiGraph, text: str, expected: list[ClaimStatus]
) -> None:
    assert statuses(demo, text) == expected


def test_pronouns_use_the_context(demo: nx.MultiDiGraph) -> None:
    assert statuses(demo, "It costs $129.", ("P-100",)) == [S]
    assert statuses(demo, "It costs $79.", ("P-100",)) == [C]
    assert statuses(demo, "The Aurora Buds cost $79. It weighs 5 g.") == [S, S]


def test_unverifiable_when_the_graph_has_no_such_attribute(demo: nx.MultiDiGraph) -> None:
    report = check(demo, "The Orbit 65W Charger has a battery life of 10 hours.")
    assert [c.status for c in report.checks] == [U]


def test_verdicts_cite_the_deciding_facts(demo: nx.MultiDiGraph) -> None:
    report = check(
        demo, "The Aurora X2 comes in red. The Vector 14 is lighter than the Vector 16 Pro."
    )
    red, lighter = report.checks
    assert {f.object for f in red.facts} == {"color:black", "color:silver"}
    assert [f.subject for f in lighter.facts] == ["P-104", "P-105"]
    assert lighter.claim.kind is ClaimKind.COMPARISON
    assert supporting_facts(demo, lighter.claim) == lighter.facts
    assert supporting_facts(demo, red.claim) == ()
    assert entails(lighter.facts, lighter.claim)
    assert not entails(red.facts, red.claim)


def test_sentences_keep_decimals_whole(demo: nx.MultiDiGraph) -> None:
    report = check(demo, "It costs $129.00. 保修期为两年。Thanks!")
    assert [s.text for s in report.sentences] == ["It costs $129.00.", "保修期为两年。", "Thanks!"]
