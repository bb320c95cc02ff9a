# The README's two commands: `make run` and `make test`. Each creates .venv when missing and installs the project.
# The interpreter: the newest Python 3.11+ found that actually runs (pyenv shims for versions that are not
# selected are skipped). pyproject.toml keeps PySide6 6.12.0 away from Python < 3.12 (a binding defect).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench demo clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "No Python 3.11+ found: install one and retry (or: make PYTHON=/path/to/python3.12)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/tagdesk import projects/demo projects/demo/corpus.jsonl --quiet

run: demo
	$(BIN)/tagdesk open projects/demo

# Style and types first: CI runs `make test`, so it checks them too.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
