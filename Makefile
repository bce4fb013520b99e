# Every target creates .venv/ when it is missing, so `make run` and `make test`
# are the only commands a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast lint format clean bench

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bankbridge serve --demo

test: $(STAMP)
	$(BIN)/pytest

# Everything but the tests that drive Chromium (marked `browser`).
test-fast: $(STAMP)
	$(BIN)/pytest -m "not browser"

# Never part of `make test` or CI: ~12 minutes on 2 cores (see BENCHMARKS.md).
bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } \
	  || echo "bench: wrk is not installed and cannot be installed here (need root for apt-get)"
	@if command -v npm >/dev/null; then \
	  [ bench/node_modules/.package-lock.json -nt bench/package.json ] \
	  || (cd bench && npm install --no-audit --no-fund --loglevel=error) \
	  || echo "bench: npm install failed; Prism will be left out"; \
	else echo "bench: npm not found; Prism will be left out"; fi
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
