# Anagen: `make demo` serves a seeded demo clinic; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SUM := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Two stamps: the demo needs only the application's own dependencies; the test extras (pytest,
# Playwright, linters, local test servers) are installed by `make test` and `make install`.
STAMP := $(VENV)/.installed-$(SUM)
DEMO_STAMP := $(VENV)/.installed-demo-$(SUM)

.PHONY: demo test test-core lint bench install messages clean-venv chromium pdftotext wrk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP) $(DEMO_STAMP)

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-demo-*
	touch $(DEMO_STAMP)

# The translation catalogues: each .po compiled to the .mo Django reads (only those changed since).
# polib is an application dependency, so the demo's own install is enough.
messages: $(DEMO_STAMP)
	$(BIN)/python -m anagen.ui.catalogs

install: $(STAMP) messages

demo: $(DEMO_STAMP) messages
	$(BIN)/anagen demo --port $(PORT)

# The browser tests drive Debian's Chromium (never a downloaded browser): install it if missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$ANAGEN_CHROMIUM" ] || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The tests of the Hindi and Marathi PDFs read them back with poppler's pdftotext (an extractor
# independent of the writer): install Debian's poppler-utils if missing.
pdftotext:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing Debian's poppler-utils for the PDF tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

test: $(STAMP) messages chromium pdftotext
	$(BIN)/python -m pytest

test-core: $(STAMP)
	$(BIN)/python -m pytest tests/core -p no:django -q -W ignore::pytest.PytestConfigWarning

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# `make bench` drives the server with Debian's wrk (a compiled load generator: a Python client would
# cost more CPU than the cheapest page, on the same cores): install it if missing.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the benchmarks"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

# The bench extra (the profiler, benchmarks/profile_page.py) on top of the test extras.
$(VENV)/.bench-installed: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@

bench: $(VENV)/.bench-installed wrk
	$(BIN)/python benchmarks/run.py

clean-venv:
	rm -rf $(VENV)
