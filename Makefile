# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP := $(VENV)/.installed-app
DEV := $(VENV)/.installed-dev

.PHONY: demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo needs agentdeck, and pytest for the tests of the project it builds;
# agentdeck's own tests need their heavier tools (moto, aiosmtpd, ...).
# Byte-compile the editable sources once: where PYTHONDONTWRITEBYTECODE is set
# (as on some CI and agent machines) every command would otherwise recompile
# agentdeck from source, doubling its start-up.
$(APP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e . pytest
	$(BIN)/python -m compileall -q src >/dev/null
	touch $(APP)

$(DEV): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	$(BIN)/python -m compileall -q src >/dev/null
	touch $(APP) $(DEV)

demo: $(APP) ## Create the venv, install agentdeck, and run the guided tour.
	$(BIN)/agentdeck demo

test: $(DEV) ## Install the test dependencies and run the whole suite.
	$(BIN)/python -m pytest -n auto -q

lint: $(DEV)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(DEV)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(DEV) ## Run every benchmark (slow: the better part of an hour; see BENCHMARKS.md).
	$(BIN)/python benchmarks/backlog.py
	$(BIN)/python benchmarks/session_end.py
	$(BIN)/python benchmarks/import_verify.py
	$(BIN)/python benchmarks/health.py health
	$(BIN)/python benchmarks/logs.py
	$(BIN)/python benchmarks/backup.py

clean:
	rm -rf $(VENV) .pytest_cache build dist
