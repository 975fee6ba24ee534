# Dateline: `make demo` runs the demo network, `make test` the whole suite.
.DEFAULT_GOAL := help
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
DATELINE := $(VENV)/bin/dateline
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_STORIES ?= 5000

help:
	@echo "make demo   - install, build and serve the demo network on http://*.localhost:$(PORT)"
	@echo "make test   - the whole test suite (SQLite, then PostgreSQL when DATABASE_URL is set)"
	@echo "make bench  - page benchmarks on a 100,000-story archive"
	@echo "make lint   - ruff, Django's checks, missing migrations"

# A venv from a Python 3.12+ that really runs (see scripts/find-python);
# rebuilt when the one there is broken or too old.
venv:
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		python=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV) && "$$python" -m venv $(VENV) || exit 1; \
		$(PY) -m pip install --quiet --upgrade pip || exit 1; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: venv
	@$(MAKE) --no-print-directory $(VENV)/.installed

demo: install
	$(DATELINE) migrate --noinput
	$(DATELINE) collectstatic --noinput --verbosity 0
	$(DATELINE) loaddemo --stories $(DEMO_STORIES)
	@echo ""
	@echo "The demo network:"
	@echo "  http://spacedaily.localhost:$(PORT)/"
	@echo "  http://spacewar.localhost:$(PORT)/"
	@echo "  http://terradaily.localhost:$(PORT)/"
	@echo "  http://energydaily.localhost:$(PORT)/"
	@echo "  Admin: http://spacewar.localhost:$(PORT)/admin/  (login editor / dateline-demo)"
	@echo "  Mail the demo sends is caught: admin > Caught mail (demo)"
	@echo ""
	DATELINE_PUBLIC_PORT=$(PORT) $(DATELINE) serve --host $(HOST) --port $(PORT) --with-worker --with-mailcatcher

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=dateline.settings.test $(DATELINE) check --fail-level WARNING
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=dateline.settings.test $(DATELINE) makemigrations --check --dry-run

# The suite runs on SQLite; with DATABASE_URL set it runs a second time on that
# database (PostgreSQL in CI). An unreachable PostgreSQL fails the run.
test: lint
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== again on $$(echo $$DATABASE_URL | sed 's|//[^@]*@|//***@|')"; \
		$(PY) -m pytest $(PYTEST_ARGS) || exit 1; \
	fi

bench: install
	scripts/bench-deps
	$(PY) -m bench

.PHONY: help venv install demo lint test bench
