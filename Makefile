# BGC Analytics: `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
IMAGE  ?= bgc-analytics:0.1.0
# e2e files are left out: each of their tests starts its own processes in its own folders,
# and they take minutes (CI stays under 30 minutes).
TESTS_ALONE = $(wildcard tests/unit/test_*.py tests/integration/test_*.py)

.PHONY: help install up browser test test-order test-pg15 image test-image lint format typecheck bench clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools (locked versions)

up: $(STAMP) ## run everything locally (embedded PostgreSQL, Dagster, API) and load data_samples/
	$(BIN)/bgc up

browser: ## install Debian's chromium and chromium-driver for the dashboard's browser tests (root)
	@bash .ci/ensure-chromium.sh

test: lint typecheck browser ## lint, type check and run every test (random order, coverage with a floor)
	$(BIN)/pytest --cov -m "not image"

test-order: $(STAMP) ## one more random order, then every unit and integration test file on its own
	@seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	  echo "== another random order: --randomly-seed=$$seed"; \
	  $(BIN)/pytest -q -m "not e2e and not image" -p randomly --randomly-seed=$$seed
	@for file in $(TESTS_ALONE); do \
	  echo "== $$file alone"; $(BIN)/pytest -q -p no:randomly $$file || exit 1; \
	done

# The second server runs the SQL again: files whose subject is parsing, the CLI, the
# sensor or the embedded server's start-up ran on the embedded server in `make test` and
# ask nothing of PostgreSQL 15 that the others do not (CI stays under 30 minutes).
PG15_SKIP = test_ingest_failures test_ingest_spellings test_ingest_workbooks \
            test_ingest_line_numbers test_generate_sample test_cli test_dagster_sensor \
            test_dagster_automation test_embedded_start test_api_health test_api_outage

test-pg15: $(STAMP) ## run the database tests against Debian's PostgreSQL 15 (installs it if needed)
	bash .ci/with-postgres15.sh $(BIN)/pytest -q -m integration \
	  $(foreach name,$(PG15_SKIP),--ignore=tests/integration/$(name).py)

image: ## build the container image (Docker daemon needed)
	docker build --network host -t $(IMAGE) .

test-image: $(STAMP) ## build the image and run it as in production (starts dockerd and PostgreSQL 15 when needed)
	bash .ci/ensure-docker.sh
	bash .ci/with-postgres15.sh $(BIN)/pytest -v -rs -m image

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP) ## mypy over the packages
	$(BIN)/mypy bgc_core bgc_pipeline bgc_api bgc_cli

bench: $(STAMP) ## run the benchmarks (ratios against baselines measured in the same run)
	$(BIN)/python -m bench

clean: ## remove the virtual environment and local data (.bgc/)
	rm -rf $(VENV) .bgc .pytest_cache .mypy_cache .ruff_cache
