# 领导驾驶舱 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
DEV_STAMP := $(VENV)/.requirements-dev-installed
# libmariadb-dev and pkg-config: to build mysqlclient, the C MySQL/MariaDB driver (mysql+mysqldb://).
SYSTEM_PACKAGES := chromium chromium-driver fonts-noto-cjk fonts-wqy-microhei poppler-utils libmariadb-dev pkg-config
# What `make prod-check` runs besides the cockpit: the reverse proxy, a private Redis, the certificate.
PROD_PACKAGES := nginx redis-server openssl
export PYTHONPATH := $(CURDIR)

.PHONY: setup system-packages run serve test services lint format bench clean-data prod-check load

## setup: the system packages (first: mysqlclient builds against libmariadb-dev), then .venv with requirements.txt
setup: system-packages $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $(STAMP)

# Test and development tools on top (pytest, ruff, the browser-test helpers).
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $(DEV_STAMP)

# Installed with apt-get when running as root; otherwise the exact command is printed.
system-packages:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "setup: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "setup: missing system packages (needed by the browser tests, reports and the MySQL driver build); run:"; \
	    echo "  sudo apt-get install -y --no-install-recommends$$missing"; \
	  fi; \
	fi

## run: demo data if no source is configured, the current indicators, then serve on :8050 (PORT
## overrides); the history (backfill) and last week's reports fill in afterwards in the background (/status)
run: setup
	$(PY) -m cockpit setup-demo
	$(PY) -m cockpit serve --history

serve: setup
	$(PY) -m cockpit serve

## test: setup, the database services, the whole suite, lint
test: setup $(DEV_STAMP) services
	$(VENV)/bin/pytest
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

services:
	@scripts/ensure-services.sh

lint: setup $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: store read times, one full refresh, the screens in headless Chromium (docs/benchmarks.md)
bench: setup $(DEV_STAMP)
	$(PY) scripts/bench_store.py
	$(PY) scripts/bench_refresh.py
	$(PY) scripts/bench_screens.py

## prod-check: the production topology of docs/deploy.md (deploy/: gunicorn, worker, nginx, PostgreSQL, Redis) on 127.0.0.1, checked
prod-check: setup $(DEV_STAMP) services
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(PROD_PACKAGES)"
	$(PY) scripts/prod_check.py

## load: 50 walls and 20 desk users against gunicorn with 1, 2 and 4 workers (docs/benchmarks.md)
load: setup $(DEV_STAMP) services
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(PROD_PACKAGES)"
	$(PY) scripts/load.py

clean-data:
	rm -rf data/
