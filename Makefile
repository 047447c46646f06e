# Palermo: two commands on a fresh machine.
#   make run   install, migrate, load reference + demo data, serve on http://127.0.0.1:8000
#   make test  install with test extras, then ruff, mypy, Django checks and pytest

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test assets run test lint typecheck checks schema pytest clean

$(VENV)/created:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	touch $@

install: $(VENV)/created
	$(PIP) install --quiet -e .
	$(MAKE) assets

install-test: $(VENV)/created
	$(PIP) install --quiet -e '.[test]'
	$(MAKE) assets

# Browser assets come from npm (package-lock.json) and are served by Django, never from a CDN.
assets:
	npm ci --no-audit --no-fund --loglevel=error
	$(MANAGE) compile_catalogues

run: install
	PALERMO_DEMO=1 $(MANAGE) migrate --noinput
	PALERMO_DEMO=1 $(MANAGE) collectstatic --noinput --verbosity 0
	PALERMO_DEMO=1 $(MANAGE) load_geo
	PALERMO_DEMO=1 $(MANAGE) load_standard
	PALERMO_DEMO=1 $(MANAGE) load_demo
	@echo "Palermo demo on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	@# The background worker (imports) runs beside the server and stops with it.
	PALERMO_DEMO=1 $(MANAGE) db_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  PALERMO_DEMO=1 $(MANAGE) runserver --noreload $(HOST):$(PORT)

test: install-test
	$(MAKE) lint typecheck checks pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy palermo

checks:
	DJANGO_SETTINGS_MODULE=palermo.settings.test $(MANAGE) makemigrations --check --dry-run
	PALERMO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-enough-random-looking-value-for-checks \
	  DJANGO_SETTINGS_MODULE=palermo.settings.prod $(MANAGE) check --deploy --fail-level WARNING
	DJANGO_SETTINGS_MODULE=palermo.settings.test $(MANAGE) spectacular --validate --fail-on-warn --file var/openapi.yaml
	@diff -u docs/openapi.yaml var/openapi.yaml || { echo "The API changed: run 'make schema' and commit docs/openapi.yaml"; exit 1; }

# Regenerate the committed OpenAPI schema after changing the API.
schema:
	DJANGO_SETTINGS_MODULE=palermo.settings.test $(MANAGE) spectacular --validate --fail-on-warn --file docs/openapi.yaml

pytest:
	@if [ -x /usr/bin/chromium ]; then \
	  echo "Browser tests: ON (/usr/bin/chromium)"; \
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!! BROWSER TESTS SKIPPED: /usr/bin/chromium is missing (apt-get install chromium) !!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) node_modules
