# Công Vụ — the two set-up commands are `make run` and `make test`; everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PEOPLE ?= 1500

.PHONY: messages install install-prod run screenshots test test-analytics lint typecheck security audit ci demo demo-evaluation clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Công Vụ cần Python 3.11 (found %s)" % sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Production: runtime dependencies only, no test or lint tools (see README "Triển khai").
install-prod:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt .

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty --people $(DEMO_PEOPLE)
	$(PY) manage.py run_jobs
	$(PY) manage.py demo_logins --address http://$(HOST):$(PORT)/
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

test: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# Evaluate the whole demo province for a year (ND 335 months from its task log, the year with the
# HTXS quota check, the year before under ND 90/48) after `make run` has seeded it. Too slow for
# the seed (see docs/evaluation.md "Command" for the measured time), hence a target of its own.
EVAL_YEAR ?= $(shell date +%Y)
demo-evaluation: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py evaluation_province $(EVAL_YEAR)

# Refresh the README screenshots (docs/screenshots/) from the browser tests.
screenshots: install
	CONGVU_SCREENSHOTS=1 $(PY) -m pytest -m browser $(PYTEST_ARGS)

test-analytics: install
	$(PY) -m pytest congvu_analytics tests/analytics $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # layer contracts in pyproject.toml (docs/architecture.md)

typecheck: install
	$(VENV)/bin/mypy congvu congvu_analytics

# bandit fails on high-severity findings.
security: install
	$(VENV)/bin/bandit -q -r congvu congvu_analytics -x '*/tests/*,*/migrations/*' --severity-level high

# pip-audit checks every version pinned in constraints.txt (runtime and dev) against PyPI's
# vulnerability data; --strict fails on a package it cannot look up instead of skipping it.
# It lives in its own venv so the tool's dependencies stay out of the project's pins. Blocked
# on this network (README "Chưa có / giới hạn đã biết"); .ci/run runs it when the service answers.
AUDIT_VENV := .venv-audit
audit:
	test -x $(AUDIT_VENV)/bin/pip-audit || { $(PYTHON) -m venv $(AUDIT_VENV) && \
	  $(AUDIT_VENV)/bin/pip install --quiet --disable-pip-version-check "pip-audit==2.10.1"; }
	$(AUDIT_VENV)/bin/pip-audit --strict --progress-spinner off --no-deps --disable-pip \
	  -r constraints.txt --cache-dir var/pip-audit-cache $(AUDIT_ARGS)

ci: lint typecheck security test

clean:
	rm -rf $(VENV) $(AUDIT_VENV) build *.egg-info

# The English catalogue is committed compiled (congvu/locale/en/LC_MESSAGES/django.mo), so running
# the app needs no gettext; after changing a Vietnamese string: make messages (needs Debian's
# gettext), translate the new entries in django.po, and run it again to compile.
messages: install
	$(PY) manage.py makemessages -l en --no-wrap --ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --ignore "bench/*"
	$(PY) manage.py compilemessages --ignore ".venv/*"
