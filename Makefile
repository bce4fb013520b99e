# Every target creates .venv/ when it is missing, so `make run` and `make test`
# are the only commands a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Swagger UI for the /docs page: npm's swagger-ui-dist, pinned by docs-assets/package-lock.json,
# copied into the package (never fetched at run time).
DOCS_UI := src/bankbridge/api/static/swagger-ui
DOCS_STAMP := $(DOCS_UI)/.installed
STAMPS := $(STAMP) $(DOCS_STAMP)

.PHONY: install run test test-fast lint format clean bench

install: $(STAMPS)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# --ignore-scripts: a dependency's install script would phone home (analytics).
$(DOCS_STAMP): docs-assets/package-lock.json
	@command -v npm >/dev/null || { echo "make: npm is needed for the /docs page (apt-get install nodejs npm)"; exit 1; }
	cd docs-assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(DOCS_UI)
	for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do \
	  cp docs-assets/node_modules/swagger-ui-dist/$$f $(DOCS_UI)/; done
	touch $@

run: $(STAMPS)
	$(BIN)/bankbridge serve --demo

test: $(STAMPS)
	$(BIN)/pytest

# Everything but the tests that drive Chromium (marked `browser`).
test-fast: $(STAMPS)
	$(BIN)/pytest -m "not browser"

# Never part of `make test` or CI: ~12 minutes on 2 cores (see BENCHMARKS.md).
bench: $(STAMPS)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } \
	  || echo "bench: wrk is not installed and cannot be installed here (need root for apt-get)"
	@if command -v npm >/dev/null; then \
	  [ bench/node_modules/.package-lock.json -nt bench/package.json ] \
	  || (cd bench && npm install --no-audit --no-fund --loglevel=error) \
	  || echo "bench: npm install failed; Prism will be left out"; \
	else echo "bench: npm not found; Prism will be left out"; fi
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMPS)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMPS)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(DOCS_UI) docs-assets/node_modules
