# Two commands: `make run` (set up everything and serve) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app trainer
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install translations db content demo lint format bench bench-turns clean screenshots

# uv installs the same packages from the same indexes (pip's settings, see .ci/uv_install.py)
# in seconds instead of about two minutes; plain pip is the fallback if uv cannot.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python .ci/uv_install.py -e '.[dev]' \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(FLASK) translate compile

db: install
	$(FLASK) db upgrade

content: db
	$(FLASK) content sync

demo: content
	$(FLASK) seed-demo

# Debug mode (reloader, debugger) is on only here, for local development on 127.0.0.1.
# A job worker (`flask worker`, see docs/jobs.md) runs alongside and stops with the server.
run: demo
	@echo "Serving on http://$(HOST):$(PORT) with a job worker  (demo logins above)"
	@$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

# The whole suite in one pytest run over one xdist worker per core plus one: browser tests and
# the others share the workers, so the cores keep busy while a browser test waits on Chromium
# or a queue test on its worker process (each worker has its own template database, on
# PostgreSQL its own databases, and its own Chromium). Idle 2-core machine: 246 s with 3
# workers, 283 s with 2, 298 s with the browser tests run alongside as a second pytest.
# Compiled modules are kept under .venv even where PYTHONDONTWRITEBYTECODE is set: each pytest
# process and xdist worker otherwise compiled every module it imports again (collecting the
# suite took 12.8 s of CPU in each worker, 4.5 s with the compiled modules).
PYTEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")
TEST_ENV := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(abspath $(VENV))/pycache
test: install
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# Each role's main pages at 375 px and 1280 px into docs/screenshots/ (fresh demo database,
# Debian's Chromium); commit the PNGs when the pages change.
screenshots: install
	$(BIN)/python scripts/screenshots.py docs/screenshots

bench: install
	$(BIN)/python -m bench

# Turn 2 vs turn 40 of a scripted chat (SQLite, no PostgreSQL needed); fails above +20%.
# Then CPU, wall time and queries per role-play turn and per drill turn (bench/drill_turns.py).
bench-turns: install
	$(BIN)/python -m bench.turn_cost
	$(BIN)/python -m bench.drill_turns

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
