# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails and the admin point at the address `make run` serves.
BASE_URL ?= http://$(HOST):$(PORT)
STAMP := $(VENV)/.installed

.PHONY: run test e2e install lint messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DJANGO_SETTINGS_MODULE=portal.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=portal.settings.dev BASE_URL=$(BASE_URL) $(PY) manage.py load_demo
	DJANGO_SETTINGS_MODULE=portal.settings.dev BASE_URL=$(BASE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: $(STAMP)
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Regenerate the catalogues after changing interface strings (needs GNU gettext), then
# compile them with polib so that a fresh clone never needs gettext.
messages: $(STAMP)
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compile_catalogues

clean:
	rm -rf $(VENV) staticfiles test-output
