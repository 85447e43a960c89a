# The two commands a new user runs (README.md): `make demo` and `make test`.
# Each one creates .venv and installs what it needs; nothing is assumed to be on the machine but
# Python >= 3.10 with venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# pip prints nothing but errors; CI logs stay readable.
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

EXAMPLE := examples/customer-analytics

.PHONY: demo test lint format bench bench-lsp install dev clean fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Stamps re-run the install when pyproject.toml changes.
$(VENV)/.installed-core: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

# What the demo runs: the compiler and the runtime (Dagster, dagster-dbt, dbt-core, dbt-duckdb,
# pyiceberg), without the dev tools.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[runtime]'
	@touch $@ $(VENV)/.installed-core

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	@touch $@ $(VENV)/.installed-core $(VENV)/.installed-run

install: $(VENV)/.installed-core
dev: $(VENV)/.installed-dev

# The main job: build the example pipeline for every environment (with the matrix of which
# profile resolves where) into target/<env>/, then run the local one, in-process, with no server
# and no secret: the Python bronze assets load the raw files into Iceberg (a pyiceberg SQL catalog
# on sqlite, target/local/catalog.db), dbt builds silver and gold from those tables into Iceberg
# (DuckDB computes). The other environments are built, not run. Dagster's instance (run history)
# is target/local/dagster/, its log target/local/run.log.
LOCAL_HOME := $(CURDIR)/target/local/dagster
ARTIFACTS  := target/local/compiled_artifacts.json
demo: $(VENV)/.installed-run
	$(BIN)/floec check $(EXAMPLE)
	$(BIN)/floec build $(EXAMPLE) --all-envs
	@echo "== running the local pipeline (dagster asset materialize, log: target/local/run.log)"
	@DAGSTER_HOME=$(LOCAL_HOME) DBT_SEND_ANONYMOUS_USAGE_STATS=false \
	  $(BIN)/dagster asset materialize -f target/local/dagster/definitions.py --select '*' \
	  > target/local/run.log 2>&1 || { tail -40 target/local/run.log; exit 1; }
	@echo "== what Dagster loaded from the artifacts"
	@$(BIN)/python -W ignore -m floec.runtime.summary target/local/dagster/definitions.py
	@echo "== the Iceberg tables of the local catalog"
	@$(BIN)/python -m floec.runtime.list_tables $(ARTIFACTS)
	@echo "== done; the other environments' files are in target/<env>/. Look at them:"
	@echo "  DAGSTER_HOME=$(LOCAL_HOME) $(BIN)/dagster dev -f target/local/dagster/definitions.py   # then http://127.0.0.1:3000: assets, lineage, jobs, schedule, sensor"
	@echo "  $(BIN)/python -m floec.runtime.list_tables $(ARTIFACTS)"
	@echo "  $(BIN)/floec secrets list --env prod $(EXAMPLE)   # what prod would need at run time"
	@$(BIN)/python -m floec.runtime.observability target/local

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The OCI registry tests run the real registry (Debian's docker-registry) and htpasswd: the
# script installs them with apt-get when they are missing.
test: lint
	bash scripts/ensure-registry.sh
	$(BIN)/pytest -q

# A longer fuzz run than the one in `make test`: `make fuzz COUNT=20000`; replay a failure with the
# seed it printed: `FLOEC_FUZZ_SEED=<seed> make fuzz COUNT=<n>`.
COUNT ?= 10000
fuzz: dev
	FLOEC_FUZZ_COUNT=$(COUNT) $(BIN)/pytest -q -s -p no:cacheprovider tests/test_fuzz.py

format: dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every speed target as a ratio to `python -c pass` measured in the same run, and the scaling of
# check with the size of a platform.yaml. BENCH_BASELINE=<another checkout> measures it beside.
bench: install
	$(BIN)/python bench/speed_bench.py
	$(BIN)/python bench/lint_bench.py
	$(BIN)/python bench/grammars_bench.py
	$(BIN)/python bench/hostile_bench.py

# The editor server needs floec[lsp] (installed with the test extra).
bench-lsp: dev
	$(BIN)/python bench/lsp_bench.py

clean:
	rm -rf $(VENV) target build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
