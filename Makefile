# Two commands: `make run` (set up everything and serve) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app trainer
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install translations db content demo lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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
run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (demo logins above)"
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

# Non-browser tests spread over one pytest-xdist worker per core (each worker has its own
# template database, and on PostgreSQL its own database); then the browser tests in one process.
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -m "not e2e" -n $(PYTEST_WORKERS)
	$(BIN)/pytest tests/e2e

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
