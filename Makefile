# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
# Links in e-mails and the admin point at the address `make run` serves.
BASE_URL ?= http://$(HOST):$(PORT)
# The lock files, generated from pyproject.toml by `make lock`: pinned and hashed, so that
# every machine installs what CI tested. requirements.txt is production's, requirements-dev.txt
# adds the dev extra (tests, lint, pip-tools).
LOCK := requirements.txt
DEV_LOCK := requirements-dev.txt
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

.PHONY: run test e2e install lint lock messages clean

$(STAMP): $(DEV_LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --requirement $(DEV_LOCK)
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
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

# Refresh the lock files on purpose after editing pyproject.toml's dependencies. Pins already in
# the files are kept; `make lock LOCK_ARGS=--upgrade` takes the newest versions the ranges allow,
# `LOCK_ARGS="--upgrade-package holidays"` one package. Commit both files, then run `make test`.
lock: $(STAMP)
	$(PIP_COMPILE) --output-file $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra dev --output-file $(DEV_LOCK) pyproject.toml

# Regenerate the catalogues after changing interface strings (needs GNU gettext), then
# compile them with polib so that a fresh clone never needs gettext.
messages: $(STAMP)
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compile_catalogues

clean:
	rm -rf $(VENV) staticfiles test-output
