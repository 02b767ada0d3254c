# Quick start: `make demo` (validate the demo organisation), `make test` (the whole suite).
# Each target installs what it needs into .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/commlog: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The demo data is fixed in time, so its report is read as of a fixed moment.
DEMO_AS_OF ?= 2026-11-20 17:00

demo: $(BIN)/commlog
	$(BIN)/commlog validate
	$(BIN)/commlog fmt --check
	$(BIN)/commlog overdue --as-of "$(DEMO_AS_OF)"

test: $(BIN)/commlog
	$(BIN)/ruff check cli tests scripts
	$(BIN)/python -m pytest

bench: $(BIN)/commlog
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) site-build .pytest_cache
