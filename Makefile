# The two commands a newcomer needs: `make demo` and `make test`. Both bootstrap .venv.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PYTHON ?= python3
# The PostgreSQL pass's database; CI uses this one, a second checkout on the same machine its own.
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# `make demo PORT=8080`: links in every message the demo sends follow the port unless PUBLIC_URL is set.
PORT ?= 5000
# Where the demo keeps its SQLite file, keys, credentials and files (as the app reads it).
DEMO_INSTANCE := $(or $(PORTAL_INSTANCE_PATH),instance)

.PHONY: demo test test-postgres bench bench-web lint translations compile-translations browser-deps clean-demo

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium drives the browser tests (Playwright cannot download its own browser here).
browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else echo "Install Debian's chromium first: sudo apt-get install chromium" >&2; exit 1; fi; }

# -q goes before the command (pybabel's global option). No catalogs yet is fine; a broken one is not.
compile-translations: $(VENV)/.installed
	@if ls portal/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(VENV)/bin/pybabel -q compile -d portal/translations; fi

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot .
	test -f portal/translations/en/LC_MESSAGES/messages.po || \
	  $(VENV)/bin/pybabel -q init -i portal/translations/messages.pot -d portal/translations -l en
	$(VENV)/bin/pybabel -q update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching
	$(PY) scripts/complete_english_catalog.py portal/translations/en/LC_MESSAGES/messages.po
	$(VENV)/bin/pybabel -q compile -d portal/translations

demo: export PUBLIC_URL ?= http://127.0.0.1:$(PORT)
demo: $(VENV)/.installed compile-translations
	$(FLASK) db upgrade
	$(FLASK) portal demo-data
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Everything `make demo` made, so the next one starts afresh (the generated keys stay: they hold no data).
clean-demo:
	rm -f $(DEMO_INSTANCE)/portal.sqlite3 $(DEMO_INSTANCE)/portal.sqlite3-wal $(DEMO_INSTANCE)/portal.sqlite3-shm \
	  $(DEMO_INSTANCE)/portal.sqlite3-journal $(DEMO_INSTANCE)/demo-credentials.txt
	rm -rf $(DEMO_INSTANCE)/uploads $(DEMO_INSTANCE)/exports $(DEMO_INSTANCE)/letters $(DEMO_INSTANCE)/mailbox

test: $(VENV)/.installed node_modules/.installed browser-deps compile-translations
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed node_modules/.installed browser-deps compile-translations
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest $(PYTEST_ARGS)

# Benchmarks (docs/performance.md). PostgreSQL runs use BENCH_PG_URL, a database of their own that
# they drop and create; `make bench BENCH_ARGS=--large` for 1,000,000 people, `--database sqlite` for one.
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench
bench: $(VENV)/.installed compile-translations
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) -m benchmarks all $(BENCH_ARGS)
	$(FLASK) portal bench-send $(BENCH_SEND_ARGS)

bench-web: $(VENV)/.installed compile-translations
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) -m benchmarks web $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check portal tests benchmarks
