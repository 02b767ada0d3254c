# Quick start: `make demo` (validate the demo organisation, print its overdue report, build
# its archive site), `make test` (the whole suite). Each installs what it needs on first use.
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
	$(BIN)/commlog site build --as-of "$(DEMO_AS_OF)"
	@echo "Open the archive: $(BIN)/python -m http.server -d site-build 8000, then http://127.0.0.1:8000/ (or: $(BIN)/commlog site serve)"

test: $(BIN)/commlog
	bash scripts/install-browser.sh
	$(BIN)/ruff check cli tests scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(BIN)/commlog
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) site-build test-output .pytest_cache .commlog-cache
