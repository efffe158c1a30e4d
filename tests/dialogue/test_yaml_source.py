from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.exceptions import SourceError, TrainingDataError
from dialogue.training_data.yaml_source import YamlMap, YamlStr, line_of, load_yaml


def test_values_follow_yaml_1_2_like_rasa() -> None:
    doc = load_yaml("a: yes\nb: 1:30\nc: 2026-12-15\nd: 010\ne: on\nf: true\ng: 0x1F\nh: ~\n")
    assert doc == {
        "a": "yes",
        "b": "1:30",
        "c": "2026-12-15",
        "d": 10,
        "e": "on",
        "f": True,
        "g": 31,
        "h": None,
    }


def test_lines_are_remembered() -> None:
    doc = load_yaml("top:\n  - first\n  - key: value\nblock: |\n  one\n  two\n")
    assert isinstance(doc, YamlMap)
    assert doc.line_of_key("block") == 4
    assert doc["top"].item_lines == [2, 3]
    assert line_of(doc["top"][1]) == 3
    block = doc["block"]
    assert isinstance(block, YamlStr) and block.style == "|" and block.line == 4


def test_syntax_errors_name_file_and_line() -> None:
    with pytest.raises(TrainingDataError) as caught:
        load_yaml("a: 1\nb: [unclosed\nc: 2\n", path=Path("x.yml"), error=TrainingDataError)
    assert caught.value.path == Path("x.yml")
    assert caught.value.line is not None and caught.value.line >= 2
    assert str(caught.value).startswith("x.yml:")
    assert isinstance(caught.value, SourceError)
