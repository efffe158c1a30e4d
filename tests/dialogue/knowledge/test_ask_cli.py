from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from app.cli import main


def test_ask_json_on_the_demo_graph() -> None:
    result = CliRunner().invoke(main, ["ask", "--json", "Does the Aurora X2 come in red?"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert data["text"] == "No, Aurora X2 Headphones come in black and silver."
    assert {c["status"] for c in data["claims"]} == {"supported"}
    assert data["claims"][0]["facts"][0]["subject"] == "P-100"
    assert data["sampling"]["dynamic_temperature"]["t_max"] == 0.3
    assert isinstance(data["latency_ms"], float)


def test_ask_on_any_csv_graph(tmp_path: Path) -> None:
    graph = tmp_path / "shop.csv"
    graph.write_text(
        "subject,predicate,object,unit\n"
        "w1,type,Product,\nw1,name,Widget Pro,en\nw1,price,12.50,USD\nw1,weight,80,g\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["ask", "--kg", str(graph), "--json", "How much is the Widget Pro?"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert "$12.50" in data["text"]
    assert data["claims"][0]["status"] == "supported"


def test_ask_plain_output() -> None:
    result = CliRunner().invoke(main, ["ask", "矢量 14 多少钱？"])
    assert result.exit_code == 0
    assert "1099.00美元" in result.output
