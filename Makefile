# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP := $(VENV)/.installed-app
DEV := $(VENV)/.installed-dev
NATIVE := $(VENV)/.built-native
# The note reader, compiled with mypyc in place (tools/build_native.py);
# rebuilt whenever one of its sources changes.
READER := $(wildcard src/agentdeck/notes/importer/*.py)

.PHONY: demo test native lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo needs agentdeck, and pytest for the tests of the project it builds;
# agentdeck's own tests need their heavier tools (moto, aiosmtpd, ...).
# Byte-compile the editable sources once: where PYTHONDONTWRITEBYTECODE is set
# (as on some CI and agent machines) every command would otherwise recompile
# agentdeck from source, doubling its start-up.
$(APP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[native]' pytest
	$(BIN)/python -m compileall -q src >/dev/null
	touch $(APP)

$(DEV): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,dev,native]'
	$(BIN)/python -m compileall -q src >/dev/null
	touch $(APP) $(DEV)

# Without a C compiler this says so and agentdeck runs from its Python sources.
$(NATIVE): $(APP) $(READER) tools/build_native.py
	$(BIN)/python tools/build_native.py
	touch $(NATIVE)

native: $(NATIVE) ## Compile the note reader (make demo and make test do it).

demo: $(APP) $(NATIVE) ## Create the venv, install agentdeck, and run the guided tour.
	$(BIN)/agentdeck demo

test: $(DEV) $(NATIVE) ## Install the test dependencies and run the whole suite.
	$(BIN)/python -m pytest -n auto -q

lint: $(DEV)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

format: $(DEV)
	$(BIN)/ruff format src tests benchmarks tools
	$(BIN)/ruff check --fix src tests benchmarks tools

bench: $(DEV) ## Run every benchmark (slow: the better part of an hour; see BENCHMARKS.md).
	$(BIN)/python benchmarks/backlog.py
	$(BIN)/python benchmarks/session_end.py
	$(BIN)/python benchmarks/import_verify.py
	$(BIN)/python benchmarks/health.py health
	$(BIN)/python benchmarks/logs.py
	$(BIN)/python benchmarks/backup.py

clean:
	rm -rf $(VENV) .pytest_cache build dist
	rm -f src/agentdeck/notes/importer/*.so
