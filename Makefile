# The same tasks for those who type make: see tasks.py, which needs only Python.
PYTHON ?= python3

.PHONY: demo test bench clean

demo test bench:
	$(PYTHON) tasks.py $@

clean:
	rm -rf .venv .tools site-build test-output .pytest_cache .commlog-cache
