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

.PHONY: demo test test-postgres bench bench-send bench-web lint translations compile-translations browser-deps pdf-fonts clean-demo fonts gettext-deps

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

# GNU gettext: msgmerge keeps each catalog's X-Review-Status header (Babel's update drops it), and
# the catalog tests run msgfmt --check, as a translator's tools would.
# The record PDF (docs/privacy.md) embeds Debian's DejaVu Sans (PRIVACY_PDF_FONT to use another).
pdf-fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core) >/dev/null; \
	  else echo "Install Debian's fonts-dejavu-core first: sudo apt-get install fonts-dejavu-core" >&2; exit 1; fi; }

gettext-deps:
	@command -v msgfmt >/dev/null && command -v msgmerge >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext) >/dev/null; \
	  else echo "Install GNU gettext first: sudo apt-get install gettext" >&2; exit 1; fi; }

# -q goes before the command (pybabel's global option). No catalogs yet is fine; a broken one is not.
# Two domains: `contractor` (babel-contractor.cfg; every language complete) and `messages` (staff).
compile-translations: $(VENV)/.installed
	@for domain in messages contractor; do \
	  if ls portal/translations/*/LC_MESSAGES/$$domain.po >/dev/null 2>&1; then \
	    $(VENV)/bin/pybabel -q compile -d portal/translations -D $$domain || exit 1; fi; done

TRANSLATED := $(patsubst portal/translations/%/LC_MESSAGES/contractor.po,%,$(wildcard portal/translations/*/LC_MESSAGES/contractor.po))

translations: $(VENV)/.installed gettext-deps
	$(VENV)/bin/pybabel -q extract -F babel-contractor.cfg -k _l -k lazy_gettext --no-wrap --no-location \
	  -o portal/translations/contractor.pot .
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location -o portal/translations/messages.pot .
	$(PY) scripts/split_catalogs.py portal/translations
	test -f portal/translations/en/LC_MESSAGES/contractor.po || \
	  $(VENV)/bin/pybabel -q init -i portal/translations/contractor.pot -d portal/translations -l en -D contractor
	$(VENV)/bin/pybabel -q update -i portal/translations/messages.pot -d portal/translations -l en --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel -q update -i portal/translations/contractor.pot -d portal/translations -l en -D contractor \
	  --no-fuzzy-matching --no-wrap --ignore-obsolete
	@# GNU msgmerge for the translated catalogs: Babel would drop their X-Review-Status header.
	@for po in portal/translations/*/LC_MESSAGES/contractor.po; do \
	  case $$po in */en/*|*/en_001/*) continue;; esac; \
	  msgmerge --quiet --update --backup=none --no-fuzzy-matching --no-wrap $$po portal/translations/contractor.pot && \
	  msgattrib --no-obsolete --no-wrap -o $$po $$po || exit 1; done
	$(PY) scripts/complete_english_catalog.py portal/translations/en/LC_MESSAGES/messages.po
	$(PY) scripts/complete_english_catalog.py portal/translations/en/LC_MESSAGES/contractor.po
	$(PY) scripts/pseudo_catalog.py portal/translations
	$(MAKE) --no-print-directory compile-translations

# The Devanagari webfont (Hindi) is committed under static/fonts with its licence, so a deployment
# needs no npm; this refreshes it from the pinned npm package after a version bump in package.json.
# The record PDF uses the same font as TrueType (HarfBuzz reads no WOFF), unpacked from its WOFF.
FONT_PACKAGE := node_modules/@fontsource/noto-sans-devanagari
fonts: node_modules/.installed $(VENV)/.installed
	mkdir -p static/fonts/noto-sans-devanagari
	cp $(FONT_PACKAGE)/files/noto-sans-devanagari-devanagari-{400,700}-normal.woff2 $(FONT_PACKAGE)/LICENSE \
	  static/fonts/noto-sans-devanagari/
	for weight in 400 700; do \
	  $(PY) -c 'import sys; from fontTools.ttLib import TTFont; f = TTFont(sys.argv[1], recalcTimestamp=False); f.flavor = None; f.save(sys.argv[2])' \
	    $(FONT_PACKAGE)/files/noto-sans-devanagari-devanagari-$$weight-normal.woff \
	    static/fonts/noto-sans-devanagari/noto-sans-devanagari-devanagari-$$weight-normal.ttf; done

demo: export PUBLIC_URL ?= http://127.0.0.1:$(PORT)
demo: $(VENV)/.installed pdf-fonts compile-translations
	$(FLASK) db upgrade
	$(FLASK) dev demo-data
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Everything `make demo` made, so the next one starts afresh (the generated keys stay: they hold no data).
clean-demo:
	rm -f $(DEMO_INSTANCE)/portal.sqlite3 $(DEMO_INSTANCE)/portal.sqlite3-wal $(DEMO_INSTANCE)/portal.sqlite3-shm \
	  $(DEMO_INSTANCE)/portal.sqlite3-journal $(DEMO_INSTANCE)/demo-credentials.txt
	rm -rf $(DEMO_INSTANCE)/uploads $(DEMO_INSTANCE)/exports $(DEMO_INSTANCE)/letters $(DEMO_INSTANCE)/mailbox

test: $(VENV)/.installed node_modules/.installed browser-deps pdf-fonts gettext-deps compile-translations
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed node_modules/.installed browser-deps pdf-fonts gettext-deps compile-translations
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest $(PYTEST_ARGS)

# Benchmarks (docs/performance.md). PostgreSQL runs use BENCH_PG_URL, a database of their own that
# they drop and create; `make bench BENCH_ARGS=--large` for 1,000,000 people, `--database sqlite` for one.
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench
bench: $(VENV)/.installed compile-translations
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) -m tools.bench all $(BENCH_ARGS)
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) -m tools.bench.send $(BENCH_SEND_ARGS)

# The send benchmark alone (docs/sending.md, "Throughput"): SQLite in-process, PostgreSQL through
# Celery workers; `make bench-send BENCH_SEND_ARGS="--large"` for 1,000,000 notices.
bench-send: $(VENV)/.installed compile-translations
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) -m tools.bench.send $(BENCH_SEND_ARGS)

bench-web: $(VENV)/.installed compile-translations
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) -m tools.bench web $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check portal tests tools
	$(VENV)/bin/vulture
