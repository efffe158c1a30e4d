from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogue.exceptions import ProjectError, SourceError, TrainingDataError
from dialogue.project import Project

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize("name", ["formbot", "moodbot"])
def test_rasa_example_projects_load_unedited(name: str) -> None:
    root = FIXTURES / "rasa" / name
    project = Project.load(root)
    assert project.nlu_files == (root / "data" / "nlu.yml",)
    assert project.story_files == (root / "data" / "stories.yml",)
    assert project.rule_files == (root / "data" / "rules.yml",)
    assert project.config.language == "en" and project.config.pipeline == ()
    assert len(project.nlu.intents) >= 7
    assert set(project.nlu.intents) <= set(project.domain.intent_names)
    assert len(project.fingerprint()) == 64


def test_formbot_test_stories_are_collected() -> None:
    project = Project.load(FIXTURES / "rasa" / "formbot")
    assert [p.name for p in project.test_files] == ["test_stories.yml"]


def test_config_is_read() -> None:
    project = Project.load(FIXTURES / "shop")
    assert project.config.assistant_id == "test-shop"
    assert project.config.recipe == "default.v1"
    fallback = project.config.component("FallbackClassifier")
    assert fallback is not None and fallback["threshold"] == 0.3
    assert [p["name"] for p in project.config.policies] == ["RulePolicy"]


def test_fingerprint_is_stable_and_follows_content(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root)
    first = Project.load(root).fingerprint()
    assert Project.load(root).fingerprint() == first
    nlu = root / "data" / "nlu.yml"
    nlu.write_text(nlu.read_text(encoding="utf-8") + "\n- intent: greet\n  examples: |\n    - yo\n")
    second = Project.load(root).fingerprint()
    assert second != first
    (root / "config.yml").write_text("language: zh\n")
    assert Project.load(root).fingerprint() not in (first, second)
    # A file that moves changes the project even with the same bytes.
    (root / "data" / "nlu.yml").rename(root / "data" / "more.yml")
    assert Project.load(root).fingerprint() not in (first, second)


def test_missing_pieces_raise_project_errors(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="not a folder"):
        Project.load(tmp_path / "absent")
    with pytest.raises(ProjectError, match=r"no domain\.yml"):
        Project.load(tmp_path)


def test_malformed_config_and_data_name_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "shop", root)
    (root / "config.yml").write_text("language: en\npipeline:\n  - WhitespaceTokenizer\n")
    with pytest.raises(SourceError) as caught:
        Project.load(root)
    assert caught.value.path == root / "config.yml" and caught.value.line == 3
    (root / "config.yml").write_text("language: en\n")
    (root / "data" / "bad.yml").write_text("nlu:\n- intent: x\n  examples: |\n    - [a](b\n")
    with pytest.raises(TrainingDataError) as data_error:
        Project.load(root)
    assert data_error.value.path == root / "data" / "bad.yml" and data_error.value.line == 4
