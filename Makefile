# Every task in one place. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat constraints.txt pyproject.toml | cksum | cut -d' ' -f1)
PIP_VERSION := 26.3
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --pretty=%ct 2>/dev/null)
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help setup site serve test lint format gold schema messages lock browser-deps bench lighthouse clean

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/pip install -q -c constraints.txt -e . --group dev
	rm -f $(VENV)/.installed-*; touch $@

setup: $(STAMP) ## Create .venv with the pinned dependencies (every other task does this first)

site: $(STAMP) ## Set up .venv and build the bilingual site into site/ (SITE_URL=... to publish elsewhere)
	$(BIN)/gpu-year build $(if $(SITE_URL),--site-url $(SITE_URL))

serve: $(STAMP) ## Live preview on http://127.0.0.1:8000/gpu-year/ (rebuilds when data/ or templates/ change)
	$(BIN)/gpu-year serve

test: $(STAMP) browser-deps lint ## Set up .venv (and Chromium where possible), lint, run the tests
	$(BIN)/gpu-year schema --check
	$(BIN)/pytest

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

gold: $(STAMP) ## Rewrite the golden pages in tests/gold/ (review the diff before committing)
	$(BIN)/pytest -q tests/test_gold.py --update-gold

schema: $(STAMP) ## Regenerate data/schema/*.schema.json from the data models
	$(BIN)/gpu-year schema

messages: $(STAMP) ## Extract the strings and merge them into every language's catalog (generator/locale/)
	$(BIN)/pybabel extract -F babel.cfg --no-wrap --no-location --sort-output --project gpu-year \
		--copyright-holder "gpu-year contributors" -o generator/locale/messages.pot .
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-obsolete -i generator/locale/messages.pot -d generator/locale

browser-deps: ## Install Debian's Chromium and the pinned axe-core for the browser tests
	@bash .ci/browser-deps

bench: $(STAMP) ## Benchmarks: cold/no-op/one-value builds, a ×1/×4/×16 scale series, calculator speed
	$(BIN)/python benchmarks/build_bench.py
	$(BIN)/python benchmarks/calculator_bench.py

lighthouse: $(STAMP) ## Lighthouse scores and page weight of a few pages (needs Chromium and npm)
	$(BIN)/python benchmarks/lighthouse.py

lock: ## Re-resolve the newest allowed versions into constraints.txt
	rm -rf /tmp/gpu-year-lock && $(PYTHON) -m venv /tmp/gpu-year-lock
	/tmp/gpu-year-lock/bin/pip install -q pip==$(PIP_VERSION)
	/tmp/gpu-year-lock/bin/pip install -q -e . --group dev
	/tmp/gpu-year-lock/bin/pip freeze --exclude-editable | grep -v '^gpu-year' > constraints.txt

clean: ## Remove build output and caches (not .venv)
	rm -rf site build .cache .pytest_cache tests/actual
