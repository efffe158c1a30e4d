from __future__ import annotations

from pathlib import Path

import networkx as nx
from click.testing import CliRunner

from app.cli import main
from assistants.acme.knowledge import GRAPH_FILES
from knowledge_graph import graph_facts, load_graph, save_graph


def test_import_export_round_trip(tmp_path: Path, demo: nx.MultiDiGraph) -> None:
    runner = CliRunner()
    env = {"KEFU_DATABASE_URL": f"sqlite:///{tmp_path / 'kefu.db'}"}
    source = save_graph(demo, tmp_path / "demo.json")
    result = runner.invoke(main, ["kg", "import", str(source), "--author", "test"], env=env)
    assert result.exit_code == 0, result.output
    assert "revision 1" in result.output
    again = runner.invoke(main, ["kg", "import", str(source)], env=env)
    assert "nothing changed" in again.output
    for suffix in (".csv", ".graphml", ".json"):
        target = tmp_path / f"out{suffix}"
        exported = runner.invoke(main, ["kg", "export", str(target)], env=env)
        assert exported.exit_code == 0, exported.output
        assert graph_facts(load_graph(target)) == graph_facts(demo)
    log = runner.invoke(main, ["kg", "log"], env=env)
    assert "test" in log.output


def test_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["kg", "import", str(bad)],
        env={"KEFU_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}"},
    )
    assert result.exit_code != 0
    assert "subject,predicate,object,unit" in result.output
    assert len(GRAPH_FILES) == 5


def test_a_graph_imported_before_the_first_start_is_the_products_graph(tmp_path: Path) -> None:
    # A business loads its graph into a fresh data dir, then starts kefu: the schema came
    # from the migrations, so the start's own upgrade finds nothing to do, and the app
    # answers from the imported revision rather than seeding the demo's.
    from app.db.migrate import upgrade
    from app.knowledge import KnowledgeBase
    from app.settings import Settings

    url = f"sqlite:///{tmp_path / 'fresh' / 'kefu.db'}"
    tea = Path(__file__).parents[2] / "bench" / "data" / "businesses" / "cloud-mist-tea"
    result = CliRunner().invoke(
        main, ["kg", "import", str(tea / "graph.csv")], env={"KEFU_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    upgrade(url)  # what `kefu run` does first
    knowledge = KnowledgeBase(Settings(database_url=url, data_dir=tmp_path / "fresh"))
    try:
        snapshot = knowledge.load()
    finally:
        knowledge.close()
    assert snapshot.revision == 1
    assert "T-longjing" in snapshot.graph and "P-100" not in snapshot.graph
