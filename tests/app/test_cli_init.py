"""``kefu init``: a business starts its own assistant from its graph, and ``kefu run
--project`` serves it; nothing of the demo shop reaches its customers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from app.cli import main
from tests.chat_client import ChatClient
from tests.servers import REPO, ServerProcess

TEA = REPO / "bench" / "data" / "businesses" / "cloud-mist-tea" / "graph.csv"
DEMO_ONLY = re.compile(r"Acme|Aurora|Vector|Nimbus|US dollars|极光")


def init(directory: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["init", str(directory), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_init_writes_a_project_with_the_business_graph_and_name(tmp_path: Path) -> None:
    project = tmp_path / "tea"
    output = init(project, "--kg", str(TEA), "--name", "Cloud Mist Tea House", "--language", "zh")
    assert "17 nodes, 149 facts" in output
    assert (project / "knowledge" / "graph.csv").read_bytes() == TEA.read_bytes()
    config = (project / "config.yml").read_text(encoding="utf-8")
    assert 'assistant_name: "Cloud Mist Tea House"' in config and "language: zh" in config
    for name in ("domain.yml", "data/nlu.yml", "data/rules.yml"):
        assert not DEMO_ONLY.search((project / name).read_text(encoding="utf-8")), name


def test_init_refuses_a_bad_graph_or_a_used_directory_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("subject,predicate\nT-1,name\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "a"), "--kg", str(broken)])
    assert result.exit_code != 0 and "broken.csv" in result.output
    assert not (tmp_path / "a").exists()
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(used)])
    assert result.exit_code != 0 and "not empty" in result.output
    assert sorted(p.name for p in used.iterdir()) == ["notes.txt"]


def test_the_new_project_answers_from_its_graph(tmp_path: Path) -> None:
    project = tmp_path / "tea"
    init(project, "--kg", str(TEA), "--name", "Cloud Mist Tea House")
    questions = tmp_path / "q.jsonl"
    conversations = [
        ["hello", "How much is the West Lake Longjing?", "where does it come from?"],
        ["When is the tasting room open?"],
        ["大红袍多少钱？"],
        ["Do you sell coffee?"],
    ]
    questions.write_text(
        "\n".join(json.dumps({"id": str(i), "turns": c}) for i, c in enumerate(conversations)),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["ask", "--questions", str(questions), "--project", str(project), "--model", "none"]
    )
    assert result.exit_code == 0, result.output
    replies = [json.loads(line)["reply"] for line in result.output.splitlines() if line[:1] == "{"]
    greeting, price, origin, hours, chinese, coffee = replies
    assert "virtual assistant" in greeting
    assert "168" in price and "Hangzhou" in origin
    assert "10:00" in hours and "20:00" in hours
    assert "298" in chinese
    assert "don't have that information" in coffee
    for reply in replies:
        assert not DEMO_ONLY.search(reply), reply


@pytest.mark.slow
async def test_kefu_run_serves_the_project(tmp_path: Path) -> None:
    project = tmp_path / "tea"
    init(project, "--kg", str(TEA), "--name", "Cloud Mist Tea House")
    data = tmp_path / "data"
    data.mkdir()
    server = ServerProcess(
        data_dir=data,
        database_url=f"sqlite:///{data / 'kefu.db'}",
        env={"KEFU_PROJECT_DIR": str(project), "KEFU_DEMO_ACCOUNTS": "false"},
    ).start(timeout=240)
    try:
        page = httpx.get(server.http_url + "/", timeout=10).text
        assert "Cloud Mist Tea House" in page and "Acme" not in page
        client = await ChatClient.connect(server.ws_url)
        await client.hello()
        ack = await client.say("How much water does the kettle hold?")
        reply = await client.bot_reply(ack["seq"])
        assert "800" in reply["text"] and reply.get("sources"), reply
        await client.close()
    finally:
        server.stop()
