from __future__ import annotations

import threading

import networkx as nx
import pytest
from sqlalchemy import create_engine

from knowledge_graph import Fact, LiveGraph, Snapshot, build_graph
from knowledge_graph.persistence import GraphStore, NodeEdit


def generation(n: int, size: int = 50) -> Snapshot:
    facts = [Fact(f"n{i}", "generation", str(n), "count") for i in range(size)]
    facts += [Fact(f"n{i}", "next", f"n{(i + 1) % size}", "", True) for i in range(size)]
    return Snapshot(build_graph(facts, revision=n), n)


def test_readers_never_see_half_an_edit() -> None:
    live = LiveGraph(generation(0))
    stop = threading.Event()
    errors: list[str] = []
    seen: set[int] = set()

    def reader() -> None:
        while not stop.is_set():
            snapshot = live.current
            values = {str(d["facts"][0].object) for _, d in snapshot.graph.nodes(data=True)}
            if values != {str(snapshot.revision)} or snapshot.graph.number_of_edges() != 50:
                errors.append(f"mixed snapshot {values} at {snapshot.revision}")
            seen.add(int(snapshot.revision or 0))

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    for n in range(1, 200):
        assert live.publish(generation(n))
    stop.set()
    for thread in readers:
        thread.join()
    assert not errors
    assert len(seen) > 1
    assert not live.publish(generation(5))  # an older snapshot never replaces a newer one
    assert live.current.revision == 199


def test_only_frozen_graphs_are_published() -> None:
    with pytest.raises(ValueError, match="frozen"):
        LiveGraph(Snapshot(nx.MultiDiGraph(), None))


def test_refresh_follows_the_store(tmp_path, demo: nx.MultiDiGraph) -> None:  # type: ignore[no-untyped-def]
    store = GraphStore(create_engine(f"sqlite:///{tmp_path / 'kg.db'}"))
    store.create_tables()
    store.import_graph(demo, author="lead", message="demo")
    live = LiveGraph(Snapshot(store.graph_at(), store.head_revision()))
    old = live.current
    store.commit(
        [
            NodeEdit(
                "P-100",
                store.node_version("P-100"),
                add=(Fact("P-100", "price", "119.00", "USD"),),
                remove=(Fact("P-100", "price", "129.00", "USD"),),
            )
        ],
        author="ann",
        message="cut",
    )
    new = live.refresh(store)
    assert new.revision == 2 and old.revision == 1
    assert (
        Fact("P-100", "price", "129.00", "USD") in old.graph.nodes["P-100"]["facts"]
    )  # old readers unaffected
    assert Fact("P-100", "price", "119.00", "USD") in new.graph.nodes["P-100"]["facts"]
