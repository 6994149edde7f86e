# Self-documenting Makefile: `make` (or `make help`) lists the targets with their `##` comments.
# Every target runs inside the project's own virtual environment in .venv/, created and
# installed on first use and refreshed whenever pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN := $(BIN)/python -m analysis

.DEFAULT_GOAL := help
.PHONY: help venv reports data national lab test test-fast wheel-check lint format bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(RUN) kernel
	touch $(STAMP)

venv: $(STAMP) ## create or refresh the virtual environment in .venv/

data: $(STAMP) ## generate the demonstration region and build data/processed/
	$(RUN) demo
	$(RUN) ingest --demo || test $$? -eq 3  # 3: rows rejected, as planted in the demonstration data

reports: $(STAMP) ## build every report on the embedded sample data and reports/index.html
	$(RUN) demo
	$(RUN) build --demo

national: $(STAMP) ## generate the national demonstration (~400 clusters in 80 regions) and build every report
	$(RUN) demo --national
	$(RUN) build --demo

lab: $(STAMP) ## JupyterLab on 127.0.0.1:8888, project kernel by default (ARGS="--no-browser --port 9999")
	$(RUN) lab $(ARGS)

# Two pytest-xdist workers (one per core here); TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

test: $(STAMP) lint ## lint, then run the whole test suite (on TEST_WORKERS=2 processes)
	$(PYTEST)

wheel-check: $(STAMP) ## build the wheel, install it in a fresh venv outside the checkout, run demo/build/show/notebooks
	PYTHON=$(BIN)/python .ci/wheel-check

test-fast: $(STAMP) ## the tests that take no build, notebook, browser or JupyterLab (about a minute on two workers)
	$(PYTEST) -q -m "not slow and not browser and not lab"

lint: $(STAMP) ## ruff over the package, tests and notebooks; import-linter over the stages
	$(BIN)/ruff check src tests notebooks
	$(BIN)/ruff format --check src tests notebooks
	$(BIN)/lint-imports

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix src tests notebooks
	$(BIN)/ruff format src tests notebooks

bench: $(STAMP) ## measure the speed targets against their baselines (prints name: value lines)
	$(RUN) bench

clean: ## remove generated data, the demonstration region and reports (keeps .venv)
	if [ -f data/raw/.national-demo.json ] && [ -x $(BIN)/python ]; then $(RUN) demo --national --remove; fi
	rm -rf data/processed/* reports/* reports/.current reports/.site-* reports/.staging-* data/raw/submissions/demo-* data/raw/federal/demo-* data/raw/plans/federal/demo-*
	rm -f data/raw/clusters-demo.csv data/raw/participants-demo.csv data/raw/plans/demo-*
	touch data/processed/.gitkeep reports/.gitkeep
