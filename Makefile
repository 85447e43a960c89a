# The two commands a new user runs (README.md): `make demo` and `make test`.
# Each one creates .venv and installs what it needs; nothing is assumed to be on the machine but
# Python >= 3.10 with venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# pip prints nothing but errors; CI logs stay readable.
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

EXAMPLE := examples/customer-analytics

.PHONY: demo test lint format bench install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Stamps re-run the install when pyproject.toml changes.
$(VENV)/.installed-core: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	@touch $@ $(VENV)/.installed-core

install: $(VENV)/.installed-core
dev: $(VENV)/.installed-dev

# The main job: build the example pipeline for every environment, with the matrix of which
# profile resolves where; compiled artifacts land in target/<env>/.
demo: install
	$(BIN)/floec check $(EXAMPLE)
	$(BIN)/floec build $(EXAMPLE) --all-envs
	@echo "outputs: target/<env>/compiled_artifacts.json; try: $(BIN)/floec secrets list --env prod $(EXAMPLE)"

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

format: dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/check_bench.py
	$(BIN)/python bench/build_bench.py
	$(BIN)/python bench/lint_bench.py

clean:
	rm -rf $(VENV) target build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
