"""The knowledge-graph editor's API: roles, search, node pages, typed edits with version
checks, delete, revisions (diff, revert), import preview/apply, export, "try it".

The API tests run the real routes, sign-in, ``KnowledgeBase`` and database (SQLite and
PostgreSQL) in-process over ASGI; one slow test drives a real ``kefu run`` server (the
page, its CSP, the bundled graph library, a save the next answer uses) and one two
replicas on PostgreSQL + Redis (a save on one is answered from on the other).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.admin import (
    ImportMode,
    InvalidValueError,
    api_router,
    apply_edits,
    check_fact,
    page_router,
    plan_import,
    read_upload,
    search_nodes,
)
from app.admin.imports import ImportFormat
from app.auth import routes as auth_routes
from app.auth.throttle import InProcessThrottle
from app.db import Database
from app.knowledge import GraphAnswers, KnowledgeBase
from app.realtime import InProcessHub
from app.settings import Settings
from dialogue.knowledge import KnowledgeAnswerer
from dialogue.knowledge.conversation import project_graph_files
from knowledge_graph import Fact, build_graph, load_graph, parse_csv, parse_json, same_graph
from knowledge_graph.persistence import NodeEdit
from knowledge_graph.schema import ValueKind, graph_schema
from tests.console_client import Agent, create_account
from tests.servers import ServerProcess, postgres_database

PASSWORD = "a long enough password"
API = "/api/v1/admin/kg"


# --- pure parts: no database ----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_graph() -> Any:
    return load_graph(*project_graph_files(Settings().project_dir))


def types_of(graph: Any) -> Any:
    return lambda node: tuple(graph.nodes[node]["types"]) if node in graph else None


def test_schema_is_inferred_from_the_graphs_values(demo_graph: Any) -> None:
    schema = graph_schema(demo_graph)
    expected = {
        "price": (ValueKind.MONEY, "USD"),
        "warranty": (ValueKind.DURATION, "months"),
        "weight": (ValueKind.MASS, "g"),
        "released": (ValueKind.DATE, "date"),
        "sales_tax_included": (ValueKind.BOOLEAN, "bool"),
        "countries": (ValueKind.COUNT, "countries"),
        "care_plus_rate": (ValueKind.PERCENT, "%"),
        "support_hours": (ValueKind.TIME, "time"),
    }
    for predicate, (kind, unit) in expected.items():
        described = schema.get(predicate)
        assert described is not None and described.kind is kind, predicate
        assert described.units[0] == unit, predicate
    color = schema.get("color")
    assert color is not None and color.kind is ValueKind.LINK and color.target_types == ("Color",)
    assert schema.get("warranty").units[:4] == ("months", "days", "weeks", "years")  # type: ignore[union-attr]
    assert "Product" in schema.types


def test_an_attribute_node_may_declare_its_kind_and_unit() -> None:
    graph = build_graph(
        [
            Fact("fee", "type", "Attribute"),
            Fact("fee", "kind", "money"),
            Fact("fee", "unit", "CNY"),
            Fact("box", "type", "Thing"),
            Fact("box", "name", "Box", "en"),
            Fact("box", "size", "3", "kg"),
            Fact("box", "size", "small"),  # two kinds in use: anything readable goes
            Fact("box", "shade", "red"),
            Fact("crate", "type", "Thing"),
            Fact("crate", "shade", "red"),  # a repeated text value: an enumeration
        ]
    )
    schema = graph_schema(graph)
    assert schema.get("fee").kind is ValueKind.MONEY  # type: ignore[union-attr]
    assert schema.get("fee").units == ("CNY",)  # type: ignore[union-attr]
    assert schema.get("size").kind is ValueKind.ANY  # type: ignore[union-attr]
    assert schema.get("shade").kind is ValueKind.ENUMERATION  # type: ignore[union-attr]
    assert schema.get("shade").choices == ("red",)  # type: ignore[union-attr]
    check = check_fact(
        schema,
        Fact("box", "fee", "12", "USD"),
        subject_types=("Thing",),
        target_types=types_of(graph),
    )
    assert not isinstance(check, Fact) and "CNY" in check.message


def test_attribute_nodes_hold_words_and_unused_predicates_stay_open() -> None:
    graph = build_graph(
        [
            Fact("size", "type", "Attribute"),
            Fact("size", "name", "size", "en"),
            Fact("box", "type", "Thing"),
            Fact("box", "name", "Box", "en"),
        ]
    )
    schema = graph_schema(graph)
    assert schema.get("size") is None, "no values and no declared kind: not guessed"
    size = check_fact(
        schema,
        Fact("box", "size", "3", "kg"),
        subject_types=("Thing",),
        target_types=types_of(graph),
    )
    assert size == Fact("box", "size", "3", "kg")
    phrase = check_fact(
        schema,
        Fact("size", "phrase", "{subject} measures {value}.", ""),
        subject_types=("Attribute",),
        target_types=types_of(graph),
    )
    assert phrase == Fact("size", "phrase", "{subject} measures {value}.", "en")
    kind = check_fact(
        schema,
        Fact("size", "kind", "weight-ish"),
        subject_types=("Attribute",),
        target_types=types_of(graph),
    )
    assert not isinstance(kind, Fact) and "not a kind" in kind.message


@pytest.mark.parametrize(
    ("fact", "normal"),
    [
        (Fact("P-100", "price", "119", "USD"), Fact("P-100", "price", "119.00", "USD")),
        (Fact("P-100", "price", "0", "usd"), Fact("P-100", "price", "0.00", "USD")),
        (Fact("P-100", "warranty", "2", "Years"), Fact("P-100", "warranty", "2", "years")),
        (Fact("P-100", "weight", "0.3", "kg"), Fact("P-100", "weight", "0.3", "kg")),
        (Fact("P-100", "released", "2026-02-28", "date"), None),
        (
            Fact("P-100", "battery_life", "5 - 7", "hours"),
            Fact("P-100", "battery_life", "5-7", "hours"),
        ),
        (Fact("P-100", "color", "color:red", ""), Fact("P-100", "color", "color:red", "", True)),
        (Fact("P-100", "alias", "极光耳机", ""), Fact("P-100", "alias", "极光耳机", "zh")),
        (Fact("policy:payment", "sales_tax_included", "TRUE", "bool"), None),
        (Fact("P-100", "brand_new_measure", "3", "kg"), None),
    ],
)
def test_valid_values_are_normalised(demo_graph: Any, fact: Fact, normal: Fact | None) -> None:
    result = check_fact(
        graph_schema(demo_graph),
        fact,
        subject_types=("Product",),
        target_types=types_of(demo_graph),
    )
    assert isinstance(result, Fact), result
    if normal is not None:
        assert result == normal
    if fact.predicate == "sales_tax_included":
        assert result.object == "true"


@pytest.mark.parametrize(
    ("fact", "says"),
    [
        (Fact("P-100", "price", "-5", "USD"), "non-negative amount"),
        (Fact("P-100", "price", "abc", "USD"), "non-negative amount"),
        (Fact("P-100", "price", "12.345", "USD"), "two decimals"),
        (Fact("P-100", "price", "12", "CNY"), "must be USD"),
        (Fact("P-100", "warranty", "2", "kg"), "is a duration"),
        (Fact("P-100", "warranty", "two", "months"), "non-negative number"),
        (Fact("P-100", "weight", "0", "g"), "positive number"),
        (Fact("P-100", "released", "2026-13-01", "date"), "not a real date"),
        (Fact("P-100", "released", "15/12/2026", "date"), "ISO date"),
        (Fact("P-100", "color", "P-101", "", True), "links to a Color node"),
        (Fact("P-100", "color", "red", ""), "links to a Color node"),
        (Fact("P-100", "category", "nowhere", "", True), "no node 'nowhere'"),
        (Fact("P-100", "price", "color:red", "", True), "not a link"),
        (Fact("P-100", "countries", "2.5", "countries"), "whole number"),
        (Fact("P-100", "care_plus_rate", "150", "%"), "between 0 and 100"),
        (Fact("P-100", "refund_method", "card", "USD"), "leave the unit empty"),
        (Fact("P-100", "bad predicate", "x", ""), "one word"),
        (Fact("P-100", "price", "  ", "USD"), "empty"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(
    demo_graph: Any, fact: Fact, says: str
) -> None:
    result = check_fact(
        graph_schema(demo_graph),
        fact,
        subject_types=("Product",),
        target_types=types_of(demo_graph),
    )
    assert not isinstance(result, Fact)
    assert result.node == "P-100" and result.predicate == fact.predicate.strip()
    assert says in result.message, result.message


def test_flags_take_true_or_false_only(demo_graph: Any) -> None:
    result = check_fact(
        graph_schema(demo_graph),
        Fact("policy:payment", "sales_tax_included", "yes", "bool"),
        subject_types=("Policy",),
        target_types=types_of(demo_graph),
    )
    assert not isinstance(result, Fact) and "true or false" in result.message


def test_search_in_any_language_case_and_typos(demo_graph: Any) -> None:
    for query in (
        "Aurora X2",
        "aurora-x2",
        "AURORA X2 HEADPHONES",
        "极光 X2",
        "Aurura X2",
        "p-100",
    ):
        hits = search_nodes(demo_graph, query)
        assert hits and hits[0].node == "P-100", (query, hits[:3])
    assert search_nodes(demo_graph, "headphones")[0].node == "cat:headphones"
    only_products = search_nodes(demo_graph, "aurora", types=["Product"])
    assert {h.node for h in only_products} == {"P-100", "P-101"}
    assert search_nodes(demo_graph, "zzzz-nothing") == []
    browse = search_nodes(demo_graph, "", limit=5)
    assert len(browse) == 5


def test_drafts_apply_in_memory_and_refuse_dangling_edges(demo_graph: Any) -> None:
    before = demo_graph.nodes["P-100"]["facts"]
    price = next(f for f in before if f.predicate == "price")
    draft = apply_edits(
        demo_graph,
        [NodeEdit("P-100", None, (Fact("P-100", "price", "99", "USD"),), (price,))],
    )
    assert demo_graph.nodes["P-100"]["facts"] == before, "the saved graph is untouched"
    assert draft.graph is not None
    assert Fact("P-100", "price", "99.00", "USD") in draft.graph.nodes["P-100"]["facts"]
    (change,) = draft.changes
    assert change.added == (Fact("P-100", "price", "99.00", "USD"),) and change.removed == (price,)
    with pytest.raises(InvalidValueError) as refused:
        apply_edits(demo_graph, [NodeEdit("color:black", None, (), replace=True)])
    assert any(
        p.predicate == "color" and "color:black" in p.message for p in refused.value.problems
    )
    unchanged = apply_edits(demo_graph, [NodeEdit("P-100", None, before, replace=True)])
    assert not unchanged.changed


def test_import_plans_merge_and_replace(demo_graph: Any) -> None:
    text = "subject,predicate,object,unit\nP-900,type,Product,\nP-900,name,Test Lamp,en\nP-900,category,cat:speakers,\n"
    facts = read_upload(text, ImportFormat.CSV, known_nodes=demo_graph.nodes)
    assert Fact("P-900", "category", "cat:speakers", "", True) in facts, "an edge to a known node"
    merge = plan_import(demo_graph, facts, ImportMode.MERGE, versions={})
    assert [c.node for c in merge.changes] == ["P-900"] and merge.changes[0].created
    replace = plan_import(
        demo_graph,
        read_upload(text.replace("P-900,category,cat:speakers,\n", ""), ImportFormat.CSV),
        ImportMode.REPLACE,
        versions={},
    )
    assert len([c for c in replace.changes if c.deleted]) == demo_graph.number_of_nodes()


# --- the API, in-process, on SQLite and PostgreSQL ----------------------------------------------


@dataclass(eq=False)
class EditorServices:
    """The parts of ``app.services.Services`` that sign-in and the editor use."""

    settings: Settings
    db: Database
    hub: InProcessHub
    knowledge: KnowledgeBase
    answers: GraphAnswers
    login_throttle: InProcessThrottle = field(default_factory=lambda: InProcessThrottle(50, 300.0))
    address_throttle: InProcessThrottle = field(
        default_factory=lambda: InProcessThrottle(500, 300.0)
    )


@pytest.fixture(scope="module")
def editor_settings(shared_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    create_account(shared_database_url, "root", PASSWORD, "admin", "Root")
    create_account(shared_database_url, "ada", PASSWORD, "admin", "Ada")
    create_account(shared_database_url, "ana", PASSWORD, "agent", "Ana")
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("kg-admin"),
        database_url=shared_database_url,
        model_enabled=False,
    )
    seeding = KnowledgeBase(settings)
    seeding.load()  # the demo graph, imported once as revision 1
    seeding.close()
    return settings


@pytest.fixture
async def editor(editor_settings: Settings) -> AsyncIterator[EditorServices]:
    knowledge = KnowledgeBase(editor_settings)
    knowledge.load()
    services = EditorServices(
        settings=editor_settings,
        db=Database(editor_settings.resolved_database_url),
        hub=InProcessHub(),
        knowledge=knowledge,
        answers=GraphAnswers(knowledge, KnowledgeAnswerer(None)),
    )
    try:
        yield services
    finally:
        knowledge.close()
        await services.db.dispose()


class Client:
    """A signed-in (or anonymous) browser of the API, with the CSRF header on writes."""

    def __init__(self, app: FastAPI) -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        self.csrf = ""

    async def login(self, username: str) -> Client:
        response = await self.http.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.csrf = response.json()["csrf_token"]
        return self

    def _headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def post(
        self, path: str, body: Any = None, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        sent = {**self._headers(), **(headers or {})}
        if "content" in kwargs:
            return await self.http.post(path, headers=sent, **kwargs)
        return await self.http.post(path, json=body, headers=sent, **kwargs)

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.http.patch(path, json=body, headers=self._headers())

    async def delete(self, path: str) -> httpx.Response:
        return await self.http.delete(path, headers=self._headers())


@pytest.fixture
async def app(editor: EditorServices) -> FastAPI:
    application = FastAPI()
    application.include_router(auth_routes.router)
    application.include_router(api_router)
    application.include_router(page_router)
    application.state.services = editor
    return application


@pytest.fixture
async def admin(app: FastAPI) -> AsyncIterator[Client]:
    client = await Client(app).login("root")
    yield client
    await client.http.aclose()


async def node(client: Client, node_id: str) -> dict[str, Any]:
    response = await client.get(f"{API}/nodes/{node_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def fact_in(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("predicate", "object", "unit", "edge")}


def value_of(view: dict[str, Any], predicate: str) -> tuple[str, str]:
    (row,) = [f for f in view["facts"] if f["predicate"] == predicate]
    return row["object"], row["unit"]


async def set_price(
    client: Client, node_id: str, price: str, *, version: int | None = None
) -> httpx.Response:
    view = await node(client, node_id)
    old = next(f for f in view["facts"] if f["predicate"] == "price")
    return await client.patch(
        f"{API}/nodes/{node_id}",
        {
            "expected_version": view["version"] if version is None else version,
            "add": [{"predicate": "price", "object": price, "unit": "USD"}],
            "remove": [fact_in(old)],
            "message": f"price of {node_id} to {price}",
        },
    )


async def test_roles_and_csrf(app: FastAPI, admin: Client) -> None:
    anonymous = Client(app)
    agent = await Client(app).login("ana")
    reads = [
        f"{API}/nodes?q=aurora",
        f"{API}/nodes/P-100",
        f"{API}/schema",
        f"{API}/revisions",
        f"{API}/export",
    ]
    for path in reads:
        assert (await anonymous.get(path)).status_code == 401, path
        assert (await agent.get(path)).status_code == 403, path
        assert (await admin.get(path)).status_code == 200, path
    edit = {"expected_version": 1, "add": [], "message": "x"}
    assert (await anonymous.patch(f"{API}/nodes/P-100", edit)).status_code == 401
    assert (await agent.patch(f"{API}/nodes/P-100", edit)).status_code == 403
    assert (await agent.post(f"{API}/try", {"question": "price?"})).status_code == 403
    no_csrf = await admin.http.patch(f"{API}/nodes/P-100", json=edit)
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.json()["detail"]
    await anonymous.http.aclose()
    await agent.http.aclose()


async def test_search_and_node_page(admin: Client) -> None:
    found = (await admin.get(f"{API}/nodes", params={"q": "极光 X2"})).json()["results"]
    assert found[0]["id"] == "P-100" and found[0]["name"] == "Aurora X2 Headphones"
    assert (await admin.get(f"{API}/nodes", params={"q": "aurora x2 HEADPHONES"})).json()[
        "results"
    ][0]["id"] == "P-100"
    typed = (await admin.get(f"{API}/nodes", params={"q": "aurora", "type": "Category"})).json()
    assert typed["results"] == []

    view = await node(admin, "P-100")
    assert view["types"] == ["Product"] and view["version"] >= 1
    rows = {f["predicate"]: f for f in view["facts"] if f["section"] == "attribute"}
    assert (rows["price"]["kind"], rows["price"]["unit"]) == ("money", "USD")
    assert (rows["warranty"]["kind"], rows["warranty"]["unit"]) == ("duration", "months")
    assert (rows["weight"]["kind"], rows["released"]["kind"]) == ("mass", "date")
    labels = [
        (f["predicate"], f["object"], f["unit"]) for f in view["facts"] if f["section"] == "label"
    ]
    assert ("name", "极光 X2 头戴耳机", "zh") in labels
    edges = [(f["predicate"], f["object"], f["target_name"]) for f in view["facts"] if f["edge"]]
    assert ("category", "cat:headphones", "headphones") in edges
    category = await node(admin, "cat:headphones")
    assert {
        "subject": "P-100",
        "subject_name": "Aurora X2 Headphones",
        "subject_types": ["Product"],
        "predicate": "category",
    } in category["incoming"]

    missing = await admin.get(f"{API}/nodes/P-404")
    assert missing.status_code == 404 and "P-404" in missing.json()["detail"]
    assert (await admin.get(f"{API}/nodes/P-404/neighbourhood")).status_code == 404

    around = (await admin.get(f"{API}/nodes/P-100/neighbourhood")).json()
    ids = {n["id"] for n in around["nodes"]}
    assert {"P-100", "cat:headphones", "color:black", "color:silver"} <= ids
    assert any(n["literal"] and n["label"] == "129.00 USD" for n in around["nodes"]) or any(
        n["literal"] and "USD" in n["label"] for n in around["nodes"]
    )
    assert {"source": "P-100", "target": "cat:headphones", "predicate": "category"}.items() <= next(
        e for e in around["edges"] if e["target"] == "cat:headphones"
    ).items()

    schema = (await admin.get(f"{API}/schema")).json()
    by_predicate = {p["predicate"]: p for p in schema["predicates"]}
    assert by_predicate["price"]["kind"] == "money" and by_predicate["price"]["units"] == ["USD"]
    assert by_predicate["color"]["target_types"] == ["Color"]


async def test_edit_saves_a_revision_the_next_answer_uses(
    admin: Client, editor: EditorServices
) -> None:
    saved = await set_price(admin, "P-104", "59")
    assert saved.status_code == 200, saved.text
    body = saved.json()
    revision = body["revision"]
    assert revision["author"] == "root" and revision["message"] == "price of P-104 to 59"
    assert value_of(body["node"], "price") == ("59.00", "USD"), "normalised to two decimals"
    assert body["changes"][0]["added"][0]["object"] == "59.00"
    # This replica answers from it at once (KnowledgeBase.saved).
    live = editor.knowledge.live.current
    assert live.revision == revision["id"]
    assert Fact("P-104", "price", "59.00", "USD") in live.graph.nodes["P-104"]["facts"]
    name = body["node"]["name"]
    answer = (await admin.post(f"{API}/try", {"question": f"How much is the {name}?"})).json()
    assert "59" in answer["saved"]["text"], answer["saved"]
    # Saving the same thing again changes nothing and makes no revision.
    again = await admin.patch(
        f"{API}/nodes/P-104",
        {"expected_version": body["node"]["version"], "add": [], "message": "nothing"},
    )
    assert again.status_code == 200 and again.json()["revision"] is None


async def test_stale_version_is_a_409_and_nothing_is_overwritten(
    admin: Client, app: FastAPI
) -> None:
    ada = await Client(app).login("ada")
    view = await node(admin, "P-105")
    first = await set_price(ada, "P-105", "10", version=view["version"])
    assert first.status_code == 200
    stale = await set_price(admin, "P-105", "20", version=view["version"])
    assert stale.status_code == 409
    detail = stale.json()
    assert (
        "changed by someone else" in detail["detail"] and detail["version"] == view["version"] + 1
    )
    assert value_of(await node(admin, "P-105"), "price") == ("10.00", "USD")
    await ada.http.aclose()


async def test_concurrent_edits_of_one_node_one_wins(admin: Client, app: FastAPI) -> None:
    ada = await Client(app).login("ada")
    view = await node(admin, "P-106")
    old = fact_in(next(f for f in view["facts"] if f["predicate"] == "price"))

    def edit(price: str) -> dict[str, Any]:
        return {
            "expected_version": view["version"],
            "add": [{"predicate": "price", "object": price, "unit": "USD"}],
            "remove": [old],
            "message": f"to {price}",
        }

    results = await asyncio.gather(
        admin.patch(f"{API}/nodes/P-106", edit("11")), ada.patch(f"{API}/nodes/P-106", edit("22"))
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.text for r in results]
    winner = next(r for r in results if r.status_code == 200).json()
    assert value_of(await node(admin, "P-106"), "price") == value_of(winner["node"], "price")
    await ada.http.aclose()


async def test_invalid_values_are_422_naming_node_and_predicate(
    admin: Client, editor: EditorServices
) -> None:
    head = editor.knowledge.store.head_revision()
    view = await node(admin, "P-107")
    cases = [
        ("price", "-5", "USD", False, "non-negative"),
        ("price", "12", "CNY", False, "USD"),
        ("warranty", "2", "kg", False, "duration"),
        ("released", "2026-13-01", "date", False, "date"),
        ("color", "P-100", "", True, "Color"),
        ("color", "color:nope", "", True, "no node"),
    ]
    for predicate, obj, unit, edge, says in cases:
        response = await admin.patch(
            f"{API}/nodes/P-107",
            {
                "expected_version": view["version"],
                "add": [{"predicate": predicate, "object": obj, "unit": unit, "edge": edge}],
                "message": "bad",
            },
        )
        assert response.status_code == 422, (predicate, obj, response.text)
        body = response.json()
        assert body["detail"].startswith(f"P-107 {predicate}:") and says in body["detail"], body
        assert body["errors"][0]["node"] == "P-107" and body["errors"][0]["predicate"] == predicate
    flag = await node(admin, "policy:payment")
    refused = await admin.patch(
        f"{API}/nodes/policy:payment",
        {
            "expected_version": flag["version"],
            "add": [{"predicate": "sales_tax_included", "object": "maybe", "unit": "bool"}],
        },
    )
    assert refused.status_code == 422 and "true or false" in refused.json()["detail"]
    gone = await admin.patch(
        f"{API}/nodes/P-107",
        {
            "expected_version": view["version"],
            "remove": [{"predicate": "price", "object": "1", "unit": "USD"}],
        },
    )
    assert gone.status_code == 422 and "no such fact" in gone.json()["detail"]
    assert editor.knowledge.store.head_revision() == head, "nothing was saved"
    unknown = await admin.patch(f"{API}/nodes/P-404", {"expected_version": 1, "add": []})
    assert unknown.status_code == 404


async def test_create_and_delete_nodes(admin: Client, editor: EditorServices) -> None:
    created = await admin.post(
        f"{API}/nodes",
        {
            "type": "Category",
            "name": "Test lamps",
            "facts": [{"predicate": "alias", "object": "测试台灯", "unit": ""}],
        },
    )
    assert created.status_code == 201, created.text
    category = created.json()["node"]
    assert category["id"] == "category:test-lamps" and category["version"] == 1
    product = await admin.post(
        f"{API}/nodes",
        {
            "id": "P-950",
            "type": "Product",
            "name": "Test Lamp",
            "message": "a lamp",
            "facts": [
                {"predicate": "price", "object": "25", "unit": "USD"},
                {"predicate": "category", "object": "category:test-lamps", "edge": True},
            ],
        },
    )
    assert product.status_code == 201, product.text
    assert value_of(product.json()["node"], "price") == ("25.00", "USD")
    assert (
        await admin.post(f"{API}/nodes", {"id": "P-950", "type": "Product", "name": "x"})
    ).status_code == 409
    chinese = await admin.post(f"{API}/nodes", {"type": "Product", "name": "台灯"})
    assert chinese.status_code == 422 and "give an id" in chinese.json()["detail"]
    slash = await admin.post(f"{API}/nodes", {"id": "a/b", "type": "Product", "name": "x"})
    assert slash.status_code == 422

    version = category["version"]
    refused = await admin.delete(f"{API}/nodes/category:test-lamps?expected_version={version}")
    assert refused.status_code == 409
    assert refused.json()["incoming"] == [{"subject": "P-950", "predicate": "category"}]
    assert "P-950 category" in refused.json()["detail"]
    stale = await admin.delete(
        f"{API}/nodes/category:test-lamps?expected_version={version + 5}&detach=true"
    )
    assert stale.status_code == 409
    deleted = await admin.delete(
        f"{API}/nodes/category:test-lamps?expected_version={version}&detach=true&message=no+more+lamps"
    )
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["revision"]["message"] == "no more lamps"
    assert (await admin.get(f"{API}/nodes/category:test-lamps")).status_code == 404
    lamp = await node(admin, "P-950")
    assert not [f for f in lamp["facts"] if f["edge"]], "the edge went with it"
    # A deleted id can be used again.
    again = await admin.post(
        f"{API}/nodes", {"id": "category:test-lamps", "type": "Category", "name": "Lamps"}
    )
    assert again.status_code == 201 and again.json()["node"]["version"] > version
    lamp = await node(admin, "P-950")
    assert (
        await admin.delete(f"{API}/nodes/P-950?expected_version={lamp['version']}")
    ).status_code == 200
    assert (await admin.delete(f"{API}/nodes/P-950?expected_version=1")).status_code == 404


async def test_history_diff_and_revert_round_trip(admin: Client, editor: EditorServices) -> None:
    store = editor.knowledge.store
    before = store.head_revision()
    assert before is not None
    original = value_of(await node(admin, "P-102"), "price")
    edited = await set_price(admin, "P-102", "89.50")
    assert edited.status_code == 200
    rev = edited.json()["revision"]["id"]

    listed = (await admin.get(f"{API}/revisions", params={"limit": 3})).json()
    newest = listed["revisions"][0]
    assert listed["head"] == rev and newest["id"] == rev
    assert (newest["author"], newest["added"], newest["removed"], newest["nodes"]) == (
        "root",
        1,
        1,
        1,
    )
    assert newest["message"] == "price of P-102 to 89.50" and newest["created_at"]

    diff = (await admin.get(f"{API}/revisions/{rev}")).json()
    assert diff["removed"] == [
        {
            "subject": "P-102",
            "predicate": "price",
            "object": original[0],
            "unit": "USD",
            "edge": False,
        }
    ]
    assert diff["added"] == [
        {"subject": "P-102", "predicate": "price", "object": "89.50", "unit": "USD", "edge": False}
    ]
    assert (
        diff["changes"][0]["node"] == "P-102"
        and diff["changes"][0]["name"] == "Nimbus Smart Speaker"
    )

    reverted = await admin.post(f"{API}/revisions/{before}/revert", {"message": "undo the price"})
    assert reverted.status_code == 200, reverted.text
    back = reverted.json()["revision"]
    assert (
        back["author"] == "root"
        and back["reverted_to"] == before
        and back["message"] == "undo the price"
    )
    assert value_of(await node(admin, "P-102"), "price") == original
    assert same_graph(store.graph_at(before), store.graph_at(back["id"]))
    assert editor.knowledge.live.current.revision == back["id"], "the live graph follows"
    undo = (await admin.get(f"{API}/revisions/{back['id']}")).json()
    assert undo["added"] == diff["removed"] and undo["removed"] == diff["added"]
    history = (await admin.get(f"{API}/revisions", params={"node": "P-102"})).json()["revisions"]
    assert [r["id"] for r in history[:2]] == [back["id"], rev]
    nothing = await admin.post(f"{API}/revisions/{back['id']}/revert")
    assert nothing.status_code == 200 and nothing.json()["revision"] is None
    assert (await admin.get(f"{API}/revisions/999999")).status_code == 404
    assert (await admin.post(f"{API}/revisions/999999/revert")).status_code == 404
    assert (await admin.post(f"{API}/revisions/0/revert")).status_code == 404


async def test_import_preview_then_apply(admin: Client, editor: EditorServices) -> None:
    warranty = value_of(await node(admin, "P-108"), "warranty")
    new_warranty = str(int(warranty[0]) + 6)
    text = (
        "subject,predicate,object,unit\n"
        "P-960,type,Product,\n"
        "P-960,name,Imported Speaker,en\n"
        "P-960,alias,导入音箱,zh\n"
        "P-960,category,cat:speakers,\n"
        "P-960,price,49.00,USD\n"
    )
    view = await node(admin, "P-108")
    lines = [
        f"P-108,{f['predicate']},{f['object']},{f['unit']}"
        if f["predicate"] != "warranty"
        else f"P-108,warranty,{new_warranty},months"
        for f in view["facts"]
    ]
    text += "\n".join(lines) + "\n"
    preview = await admin.post(
        f"{API}/import/preview", content=text.encode(), params={"format": "csv"}
    )
    assert preview.status_code == 200, preview.text
    plan = preview.json()
    assert plan["created"] == ["P-960"] and plan["changed"] == ["P-108"] and plan["deleted"] == []
    assert plan["added"] == 6 and plan["removed"] == 1
    changed = next(c for c in plan["changes"] if c["node"] == "P-108")
    assert (
        changed["added"][0]["object"] == new_warranty
        and changed["removed"][0]["object"] == warranty[0]
    )
    assert editor.knowledge.store.head_revision() == plan["revision"], "a preview saves nothing"

    other = text.replace("49.00", "48.00").encode()
    mismatch = await admin.post(
        f"{API}/import/apply", content=other, params={"format": "csv", "token": plan["token"]}
    )
    assert mismatch.status_code == 422 and "not the one previewed" in mismatch.json()["detail"]
    applied = await admin.post(
        f"{API}/import/apply",
        content=text.encode(),
        params={"format": "csv", "token": plan["token"], "message": "spring catalogue"},
    )
    assert applied.status_code == 200, applied.text
    assert applied.json()["revision"]["message"] == "spring catalogue"
    imported = await node(admin, "P-960")
    assert ("category", "cat:speakers") in [
        (f["predicate"], f["object"]) for f in imported["facts"] if f["edge"]
    ]
    assert value_of(await node(admin, "P-108"), "warranty") == (new_warranty, "months")

    # A preview is bound to its revision: a save in between makes applying it a 409.
    second = text.replace("49.00", "47.00").encode()
    stale_plan = (
        await admin.post(f"{API}/import/preview", content=second, params={"format": "csv"})
    ).json()
    assert stale_plan["changed"] == ["P-960"]
    assert (await set_price(admin, "P-109", "66")).status_code == 200
    stale = await admin.post(
        f"{API}/import/apply",
        content=second,
        params={"format": "csv", "token": stale_plan["token"]},
    )
    assert stale.status_code == 409 and "preview the file again" in stale.json()["detail"]
    assert value_of(await node(admin, "P-960"), "price") == ("49.00", "USD")

    bad = text.replace("49.00,USD", "49.00,CNY").encode()
    refused = await admin.post(f"{API}/import/preview", content=bad, params={"format": "csv"})
    assert refused.status_code == 422 and refused.json()["errors"][0] == {
        "node": "P-960",
        "predicate": "price",
        "message": refused.json()["errors"][0]["message"],
    }
    unreadable = await admin.post(
        f"{API}/import/preview", content=b"not,a,graph\n", params={"format": "csv"}
    )
    assert (
        unreadable.status_code == 422
        and "subject,predicate,object,unit" in unreadable.json()["detail"]
    )
    broken_json = await admin.post(
        f"{API}/import/preview", content=b"{", headers={"content-type": "application/json"}
    )
    assert broken_json.status_code == 422 and "invalid JSON" in broken_json.json()["detail"]


async def test_export_round_trips_through_import(admin: Client, editor: EditorServices) -> None:
    store = editor.knowledge.store
    exported = await admin.get(f"{API}/export", params={"format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["subject", "predicate", "object", "unit"]
    assert same_graph(parse_csv(exported.text), store.graph_at())
    as_json = await admin.get(f"{API}/export", params={"format": "json"})
    assert json.loads(as_json.text)["revision"] == store.head_revision()
    assert same_graph(parse_json(as_json.text), store.graph_at())
    for fmt, body in (("csv", exported.text), ("json", as_json.text)):
        plan = await admin.post(
            f"{API}/import/preview",
            content=body.encode(),
            params={"format": fmt, "mode": "replace"},
        )
        assert plan.status_code == 200, plan.text
        assert plan.json()["changes"] == [], f"{fmt}: exporting then importing changes nothing"
    old = await admin.get(f"{API}/export", params={"format": "csv", "revision": 1})
    assert same_graph(parse_csv(old.text), store.graph_at(1))


async def test_replace_import_and_revert_restore_everything(
    admin: Client, editor: EditorServices
) -> None:
    store = editor.knowledge.store
    start = store.head_revision()
    assert start is not None
    small = "subject,predicate,object,unit\nP-100,type,Product,\nP-100,name,Aurora X2 Headphones,en\nP-100,price,1.00,USD\n"
    plan = (
        await admin.post(
            f"{API}/import/preview", content=small.encode(), params={"mode": "replace"}
        )
    ).json()
    assert len(plan["deleted"]) > 50 and plan["changed"] == ["P-100"]
    applied = await admin.post(
        f"{API}/import/apply",
        content=small.encode(),
        params={"mode": "replace", "token": plan["token"]},
    )
    assert applied.status_code == 200, applied.text
    assert set(editor.knowledge.live.current.graph.nodes) == {"P-100"}
    restored = await admin.post(f"{API}/revisions/{start}/revert")
    assert restored.status_code == 200
    assert same_graph(store.graph_at(), store.graph_at(start))


async def test_try_it_answers_the_draft_and_the_saved_graph(
    admin: Client, editor: EditorServices
) -> None:
    head = editor.knowledge.store.head_revision()
    view = await node(admin, "P-100")
    saved_price = value_of(view, "price")[0]
    facts = [
        fact_in(f)
        if f["predicate"] != "price"
        else {"predicate": "price", "object": "111", "unit": "USD", "edge": False}
        for f in view["facts"]
    ]
    response = await admin.post(
        f"{API}/try",
        {
            "question": "How much are the Aurora X2 Headphones?",
            "edits": [{"node": "P-100", "replace": True, "add": facts}],
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert "111" in result["draft"]["text"] and saved_price.split(".")[0] in result["saved"]["text"]
    draft_claims = result["draft"]["claims"]
    assert draft_claims and all(c["status"] == "supported" for c in draft_claims)
    assert {"subject": "P-100", "predicate": "price", "object": "111.00", "unit": "USD"} in result[
        "draft"
    ]["sources"]
    assert result["changes"][0]["added"][0]["object"] == "111.00"
    assert editor.knowledge.store.head_revision() == head, "a draft is never saved"
    assert value_of(await node(admin, "P-100"), "price")[0] == saved_price

    refused = await admin.post(
        f"{API}/try",
        {
            "question": "price?",
            "edits": [
                {"node": "P-100", "add": [{"predicate": "price", "object": "cheap", "unit": "USD"}]}
            ],
        },
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["predicate"] == "price"


async def test_the_page_and_its_static_files(admin: Client, app: FastAPI) -> None:
    page = await admin.get("/admin/kg")
    assert page.status_code == 200 and 'src="/admin/kg/static/vendor/cytoscape.min.js"' in page.text
    assert "<script>" not in page.text, "no inline scripts (CSP script-src 'self')"
    library = await admin.get("/admin/kg/static/vendor/cytoscape.min.js")
    assert library.status_code == 200 and "cytoscape" in library.text[:2000].lower()
    assert (await admin.get("/admin/kg/static/kg.js")).status_code == 200
    assert (await admin.get("/admin/kg/static/../routes.py")).status_code == 404
    assert (await admin.get("/admin/kg/static/vendor/other.js")).status_code == 404


# --- a real server, and two replicas -----------------------------------------------------------


@pytest.fixture(scope="module")
def kg_server(
    trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    url = f"sqlite:///{tmp_path_factory.mktemp('kg-server') / 'kefu.db'}"
    create_account(url, "root", PASSWORD, "admin", "Root")
    create_account(url, "ana", PASSWORD, "agent", "Ana")
    process = ServerProcess(data_dir=trained_data_dir, database_url=url).start()
    try:
        yield process
    finally:
        process.stop()


def sync_price(agent: Agent, node_id: str, price: str) -> httpx.Response:
    view = agent.get(f"{API}/nodes/{node_id}").json()
    old = next(f for f in view["facts"] if f["predicate"] == "price")
    return agent.http.patch(
        f"{API}/nodes/{node_id}",
        json={
            "expected_version": view["version"],
            "add": [{"predicate": "price", "object": price, "unit": "USD"}],
            "remove": [fact_in(old)],
            "message": "price",
        },
        headers={"X-CSRF-Token": agent.csrf},
    )


@pytest.mark.slow
def test_the_running_app_serves_the_editor(kg_server: ServerProcess) -> None:
    page = httpx.get(kg_server.http_url + "/admin/kg")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert httpx.get(kg_server.http_url + f"{API}/nodes?q=x").status_code == 401
    agent = Agent(kg_server.http_url)
    assert agent.login("ana", PASSWORD).status_code == 200
    assert agent.get(f"{API}/nodes?q=x").status_code == 403
    admin = Agent(kg_server.http_url)
    assert admin.login("root", PASSWORD).status_code == 200
    assert sync_price(admin, "P-110", "42").status_code == 200
    name = admin.get(f"{API}/nodes/P-110").json()["name"]
    answer = admin.post(f"{API}/try", {"question": f"How much is the {name}?"}).json()
    assert "42" in answer["saved"]["text"], answer["saved"]


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_a_save_on_one_replica_is_answered_from_on_the_other(trained_data_dir: Path) -> None:
    with postgres_database() as url:
        create_account(url, "root", PASSWORD, "admin", "Root")
        env = {
            "KEFU_REDIS_URL": "redis://127.0.0.1:6379/14",
            "KEFU_CELERY_BROKER_URL": "memory://",
            # Polling is the fallback for lost notifications; make it too slow to matter here.
            "KEFU_MODEL_WATCH_SECONDS": "600",
        }
        first = ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
        second = ServerProcess(data_dir=trained_data_dir, database_url=url, env=env).start()
        try:
            one, two = Agent(first.http_url), Agent(second.http_url)
            assert one.login("root", PASSWORD).status_code == 200
            assert two.login("root", PASSWORD).status_code == 200
            name = one.get(f"{API}/nodes/P-111").json()["name"]
            question = {"question": f"How much is the {name}?"}
            assert "77" not in two.post(f"{API}/try", question).json()["saved"]["text"]
            assert sync_price(one, "P-111", "77").status_code == 200
            deadline = time.monotonic() + 10
            while "77" not in two.post(f"{API}/try", question).json()["saved"]["text"]:
                assert time.monotonic() < deadline, "the other replica never loaded the revision"
                time.sleep(0.1)
        finally:
            first.stop()
            second.stop()
