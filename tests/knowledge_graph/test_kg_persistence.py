from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import networkx as nx
import pytest
from sqlalchemy import Engine, create_engine, text

from knowledge_graph import (
    DanglingEdgeError,
    Fact,
    FactNotFoundError,
    RevisionNotFoundError,
    VersionConflictError,
    graph_facts,
    same_graph,
)
from knowledge_graph.persistence import GraphStore, NodeEdit, metadata

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _sqlite(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'kg.db'}")
    yield engine
    engine.dispose()


def _postgres() -> Iterator[Engine]:
    schema = f"kg_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # no server: the test is skipped, not failed silently
        pytest.skip(f"PostgreSQL not reachable: {error}")
    engine = create_engine(PG_URL, execution_options={"schema_translate_map": {None: schema}})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[GraphStore]:  # type: ignore[no-untyped-def]
    engines = _sqlite(tmp_path) if request.param == "sqlite" else _postgres()
    engine = next(engines)
    graph_store = GraphStore(engine)
    graph_store.create_tables()
    yield graph_store
    next(engines, None)


PRICE = Fact("P-100", "price", "129.00", "USD")
CUT = Fact("P-100", "price", "119.00", "USD")


def test_tables_are_prefixed() -> None:
    assert all(name.startswith("kg_") for name in metadata.tables)


def test_import_rebuild_and_reimport(store: GraphStore, demo: nx.MultiDiGraph) -> None:
    assert store.head_revision() is None
    first = store.import_graph(demo, author="lead", message="demo")
    assert first is not None and first.id == 1
    assert graph_facts(store.graph_at()) == graph_facts(demo)
    assert store.graph_at().graph["revision"] == 1
    assert store.import_graph(demo, author="lead", message="same again") is None


def test_every_revision_can_be_rebuilt_diffed_and_reverted(
    store: GraphStore, demo: nx.MultiDiGraph
) -> None:
    base = store.import_graph(demo, author="lead", message="demo")
    assert base is not None
    version = store.node_version("P-100")
    cut = store.commit(
        [NodeEdit("P-100", version, add=(CUT,), remove=(PRICE,))], author="ann", message="price cut"
    )
    assert cut is not None and cut.id == 2
    new = store.commit(
        [
            NodeEdit(
                "P-200",
                0,
                add=(Fact("P-200", "type", "Product"), Fact("P-200", "name", "Nova", "en")),
            )
        ],
        author="bob",
        message="new product",
    )
    assert new is not None
    assert same_graph(store.graph_at(base.id), demo)
    at_cut = store.graph_at(cut.id)
    assert CUT in at_cut.nodes["P-100"]["facts"] and PRICE not in at_cut.nodes["P-100"]["facts"]
    assert "P-200" not in at_cut and "P-200" in store.graph_at()
    diff = store.diff(base.id, new.id)
    assert set(diff.added) == {
        CUT,
        Fact("P-200", "type", "Product"),
        Fact("P-200", "name", "Nova", "en"),
    }
    assert diff.removed == (PRICE,)
    assert set(diff.changed_nodes) == {"P-100", "P-200"}
    reverted = store.revert(base.id, author="lead")
    assert reverted is not None and reverted.reverted_to == base.id and reverted.id == 4
    assert graph_facts(store.graph_at()) == graph_facts(demo)  # order included
    assert store.diff(base.id, reverted.id).added == ()
    assert [r.author for r in store.revisions()] == ["lead", "ann", "bob", "lead"]
    with pytest.raises(RevisionNotFoundError):
        store.graph_at(99)


def test_a_stale_edit_raises_and_changes_nothing(store: GraphStore, demo: nx.MultiDiGraph) -> None:
    store.import_graph(demo, author="lead", message="demo")
    read = store.node_version("P-100")
    store.commit(
        [NodeEdit("P-100", read, add=(CUT,), remove=(PRICE,))], author="ann", message="first"
    )
    head = store.head_revision()
    with pytest.raises(VersionConflictError, match="reload it"):
        store.commit(
            [NodeEdit("P-100", read, add=(Fact("P-100", "price", "99.00", "USD"),))],
            author="bob",
            message="stale",
        )
    assert store.head_revision() == head
    with pytest.raises(VersionConflictError):
        store.commit([NodeEdit("P-100", 0, add=(PRICE,))], author="bob", message="create existing")


def test_edits_are_validated(store: GraphStore, demo: nx.MultiDiGraph) -> None:
    store.import_graph(demo, author="lead", message="demo")
    with pytest.raises(FactNotFoundError):
        store.commit([NodeEdit("P-100", None, remove=(CUT,))], author="x", message="bad")
    with pytest.raises(DanglingEdgeError):
        store.commit(
            [NodeEdit("cat:laptops", None, replace=True)], author="x", message="delete a category"
        )
    assert store.head_revision() == 1


def test_concurrent_editors_one_wins(store: GraphStore, demo: nx.MultiDiGraph) -> None:
    store.import_graph(demo, author="lead", message="demo")
    read = store.node_version("P-100")
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def edit(price: str) -> None:
        barrier.wait()
        try:
            store.commit(
                [
                    NodeEdit(
                        "P-100", read, add=(Fact("P-100", "price", price, "USD"),), remove=(PRICE,)
                    )
                ],
                author=price,
                message="race",
            )
            outcomes.append("ok")
        except VersionConflictError:
            outcomes.append("conflict")
        except Exception as error:  # SQLite may refuse a concurrent writer outright
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=edit, args=(f"{100 + i}.00",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1, outcomes
    assert store.node_version("P-100") == read + 1
