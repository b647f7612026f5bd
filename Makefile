# BGC Analytics: `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install up test test-pg15 lint format typecheck bench clean

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

test: lint typecheck ## lint, type check and run every test (random order, coverage with a floor)
	$(BIN)/pytest --cov

test-pg15: $(STAMP) ## run the database tests against Debian's PostgreSQL 15 (installs it if needed)
	bash .ci/postgres15.sh

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
