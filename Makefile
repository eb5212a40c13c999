# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: bench interop-deps run test lint format translations extract-messages migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d scheduler/translations

## Create the venv, install, migrate, load demo data if the database is empty, and serve.
run: translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## Create the venv if needed, install, and run the whole suite on TEST_WORKERS processes
## (pytest-xdist; TEST_WORKERS=0 runs it in this one). `pytest` alone runs it in one process.
TEST_WORKERS ?= 2
test: translations interop-deps
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## Mozilla ical.js for the feed interoperability tests and axe-core for the browser tests
## (tests/browser, which also need Chromium: `apt-get install chromium`); skipped with a reason
## when npm is absent.
interop-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  (cd tests/interop && npm ci --no-audit --no-fund --silent) && \
	  (cd tests/browser && npm ci --no-audit --no-fund --silent); \
	else echo "npm not found: the ical.js feed test and the browser tests will be skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/xenon --max-absolute C --max-modules B --max-average A scheduler
	$(BIN)/mypy scheduler

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Refresh the message catalogue after adding strings; then translate the new ones in es.
## (--ignore-dirs: by default pybabel skips directories starting with "_", i.e. templates/_macros.)
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --ignore-dirs='.* __pycache__' --no-location --sort-output -w 100 --project Accompany -o scheduler/translations/messages.pot .
	$(BIN)/python -m scheduler.translations.refresh

migrate: $(STAMP)
	$(FLASK) db upgrade

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## Every bench script on a generated dataset, one table of figures with ratios to baselines.
## SQLite by default; BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL; BENCH_HEARINGS=N.
bench: translations
	$(BIN)/python bench/run_all.py
