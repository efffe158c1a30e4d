from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dialogue.project import Project
from dialogue.training import load_trained, train_project

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture()
def shop_copy(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root)
    return root


def test_train_once_then_reuse(shop_copy: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    project = Project.load(shop_copy)
    calls: list[str] = []
    path = train_project(project, models, progress=lambda stage, done, total: calls.append(stage))
    assert path == models / project.fingerprint() and calls
    metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["fingerprint"] == project.fingerprint()
    assert metadata["intents"] == sorted(project.nlu.intents)
    assert metadata["kefu_version"] and metadata["created_at"]
    assert [p.name for p in models.iterdir()] == [project.fingerprint()]  # no staging left

    calls.clear()
    assert (
        train_project(Project.load(shop_copy), models, progress=lambda *a: calls.append("x"))
        == path
    )
    assert calls == []
    train_project(project, models, force=True, progress=lambda *a: calls.append("x"))
    assert calls

    trained = load_trained(models, project)
    assert trained is not None and trained.path == path
    assert trained.metadata.fingerprint == project.fingerprint()
    assert trained.domain == project.domain
    assert trained.nlu.parse("我的订单到哪了").intent.name == "order_status"


def test_changed_project_needs_training(shop_copy: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    train_project(Project.load(shop_copy), models)
    (shop_copy / "config.yml").write_text("language: en\n")
    changed = Project.load(shop_copy)
    assert load_trained(models, changed) is None
    assert train_project(changed, models) == models / changed.fingerprint()
    assert len(list(models.iterdir())) == 2


def test_cli_train(shop_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import main

    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    result = runner.invoke(main, ["train", "--project", str(shop_copy)])
    assert result.exit_code == 0, result.output
    fingerprint = Project.load(shop_copy).fingerprint()
    expected = tmp_path / "data" / "models" / fingerprint
    assert f"model: {expected}" in result.output
    assert (expected / "metadata.json").is_file()
    again = runner.invoke(main, ["train", "--project", str(shop_copy)])
    assert again.exit_code == 0 and f"model: {expected}" in again.output

    (shop_copy / "data" / "nlu.yml").write_text("nlu:\n- intent: x\n  examples: |\n    - [a](b\n")
    broken = runner.invoke(main, ["train", "--project", str(shop_copy)])
    assert broken.exit_code == 1
    assert f"{shop_copy / 'data' / 'nlu.yml'}:4:" in broken.output
