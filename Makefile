# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

demo: $(STAMP) ## Create the venv, install, and run the guided tour.
	$(BIN)/agentdeck demo

test: $(STAMP) ## Install the test dependencies and run the whole suite.
	$(BIN)/python -m pytest -n auto -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP) ## Run every benchmark (slow: about half an hour; see BENCHMARKS.md).
	$(BIN)/python benchmarks/backlog.py
	$(BIN)/python benchmarks/session_end.py
	$(BIN)/python benchmarks/import_verify.py
	$(BIN)/python benchmarks/logs.py
	$(BIN)/python benchmarks/backup.py
	$(BIN)/python benchmarks/health.py health

clean:
	rm -rf $(VENV) .pytest_cache build dist
