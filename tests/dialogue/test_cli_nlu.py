from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture()
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path / "data"))
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root)
    # Fewer epochs: these tests check the command's outputs, not model quality.
    config = root / "config.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("epochs: 30", "epochs: 10")
        + "  - name: EntityTagger\n    epochs: 8\n",
        encoding="utf-8",
    )
    return root


def _check_report(directory: Path, n: int) -> dict[str, object]:
    report = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    assert set(report) == {"n", "intent", "entities"}
    assert report["n"] == n
    assert set(report["intent"]) == {"accuracy", "macro_f1", "per_intent"}
    assert set(report["entities"]) == {"micro_f1", "per_entity"}
    assert all(isinstance(report["intent"][k], float) for k in ("accuracy", "macro_f1"))
    assert isinstance(report["entities"]["micro_f1"], float)
    for scores in report["intent"]["per_intent"].values():
        assert set(scores) == {"precision", "recall", "f1", "support"}
    assert isinstance(json.loads((directory / "errors.json").read_text(encoding="utf-8")), list)
    assert (directory / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return report


def test_test_nlu_writes_the_report(shop: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "report"
    result = runner.invoke(
        main,
        [
            "test",
            "nlu",
            "--project",
            str(shop),
            "--data",
            str(FIXTURES / "benchmarks" / "shop_test.yml"),
            "--report",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = _check_report(out, 8)
    assert report["intent"]["accuracy"] >= 0.6  # type: ignore[index]
    assert "order_id" in report["entities"]["per_entity"]  # type: ignore[index]


def test_test_nlu_with_train_file_and_cross_validation(shop: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    train_file = shop / "data" / "nlu.yml"
    out = tmp_path / "trained"
    result = runner.invoke(
        main,
        [
            "test", "nlu", "--project", str(shop), "--train", str(train_file),
            "--data", str(FIXTURES / "benchmarks" / "shop_test.yml"), "--report", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    _check_report(out, 8)
    cv = tmp_path / "cv"
    result = runner.invoke(
        main,
        ["test", "nlu", "--project", str(shop), "--cross-validation", "2", "--report", str(cv)],
    )
    assert result.exit_code == 0, result.output
    _check_report(cv, 72)
    missing = runner.invoke(main, ["test", "nlu", "--project", str(shop), "--report", str(cv)])
    assert missing.exit_code != 0 and "--data" in missing.output


def test_nlu_parse_prints_json(shop: Path) -> None:
    result = CliRunner().invoke(
        main, ["nlu", "parse", "Aurora X2 有银色的吗?", "--project", str(shop)]
    )
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert parsed["text"] == "Aurora X2 有银色的吗?" and parsed["language"] == "zh"
    assert parsed["intent"]["name"] == "product_colors"
    assert {"entity": "color", "value": "silver"}.items() <= parsed["entities"][-1].items()


def test_data_convert(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "snips.yml"
    result = runner.invoke(
        main,
        [
            "data",
            "convert",
            "--format",
            "snips",
            str(FIXTURES / "benchmarks" / "snips_PlayMusic.json"),
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 examples, 2 intents, 4 entity annotations" in result.output
    assert "[Gahé](artist)" in out.read_text(encoding="utf-8")
    out = tmp_path / "b77.yml"
    result = runner.invoke(
        main,
        [
            "data",
            "convert",
            "--format",
            "banking77",
            str(FIXTURES / "benchmarks" / "banking77.csv"),
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert '- intent: "card_arrival"' in out.read_text(encoding="utf-8")
