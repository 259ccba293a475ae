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

# Non-browser tests spread over one pytest-xdist worker per core (each worker has its own
# template database, and on PostgreSQL its own databases); the browser tests, spread the same
# way, run alongside them (each test serves its own app and database; each worker drives its
# own Chromium): they mostly wait on Chromium and the served pages, and sequentially they left
# the cores idle about half their time. Their report follows the others'; `make test` fails if
# either run fails.
# Compiled modules are kept under .venv even where PYTHONDONTWRITEBYTECODE is set: each pytest
# process and xdist worker otherwise compiled every module it imports again (collecting the
# suite took 12.8 s of CPU in each worker, 4.5 s with the compiled modules).
PYTEST_WORKERS ?= auto
TEST_ENV := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(abspath $(VENV))/pycache
E2E_LOG := .pytest_cache/e2e.log
test: install
	$(BIN)/lint-imports
	@mkdir -p .pytest_cache
	@echo "== browser tests (tests/e2e) running alongside, report in $(E2E_LOG) and below"
	$(TEST_ENV) $(BIN)/pytest tests/e2e -n $(PYTEST_WORKERS) -o cache_dir=.pytest_cache/e2e \
	  > $(E2E_LOG) 2>&1 & browser=$$!; \
	$(TEST_ENV) $(BIN)/pytest -m "not e2e" -n $(PYTEST_WORKERS); others=$$?; \
	wait $$browser; browser_status=$$?; \
	echo "== browser tests (tests/e2e)"; cat $(E2E_LOG); \
	test $$others -eq 0 && test $$browser_status -eq 0

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
