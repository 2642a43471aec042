# Two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)

.PHONY: run test lint setup demo browser clean-db bench

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

## make run: install, migrate, load the demo data set and serve on http://127.0.0.1:8000
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000 --noreload

## make test: the whole suite (browser tests need Debian's chromium; installed here if missing and we are root)
test: setup browser
	$(BIN)/pytest

browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "Debian's chromium is missing: run 'sudo apt-get install chromium' (the browser tests need it)"; fi; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/bandit -q -r access administration audit casework core people reports retention demo zhusan -x "*/tests/*,*/migrations/*"

demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo

bench: setup
	$(BIN)/python bench/registry.py
