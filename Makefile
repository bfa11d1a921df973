# Amparo: `make demo` serves a working demo on SQLite; `make test` runs the test suite.
# Both set everything up themselves: they find a Python >= 3.12 and create .venv.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# A Python >= 3.12: python3.13, python3.12, python3, then pyenv's installed versions.
FIND_PYTHON = for c in python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; break; }; \
	done

.PHONY: demo test test-postgres lint format serve clean bench bench-quick screenshots verify

$(STAMP): pyproject.toml
	@base=$$($(FIND_PYTHON)); \
	if [ -z "$$base" ]; then \
	  echo "Amparo needs Python 3.12 or newer. Install it (for example 'apt install python3.12'," >&2; \
	  echo "'brew install python@3.13', or 'pyenv install 3.13') and run make again." >&2; exit 1; \
	fi; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
	  rm -rf $(VENV); echo "Creating $(VENV) with $$base"; $$base -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The task worker runs the early-warning scans (the load's, then the day's) beside the server.
demo: $(STAMP)
	$(VENV)/bin/amparo demo --no-serve
	$(VENV)/bin/amparo worker & trap 'kill $$!' EXIT; $(VENV)/bin/amparo serve

serve: $(STAMP)
	$(VENV)/bin/amparo serve

# The suite includes the browser tests (amparo/tests/browser, marker `browser`, ~40 s): they
# install Debian's chromium with apt-get when it is missing (as root); -m 'not browser' skips them.
test: $(STAMP)
	$(PY) -m pytest -q

# The browser tests alone, writing the screenshots of docs/screens.md into docs/screenshots/.
screenshots: $(STAMP)
	AMPARO_SCREENSHOTS=1 $(PY) -m pytest -q -m browser amparo/tests/browser

# The same suite against the PostgreSQL server at DATABASE_URL (default: the local one).
test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) -m pytest -q

# The verification drills and their figures (docs/security.md): backup and restore, kill -9
# of the server, plaintext canaries, key rotation and shredding, audit tampering, sessions and
# login, uploads, load; then the security suite (authorization matrix, field rules, headers,
# API fuzzing: docs/authorization.md) and the static analysis. VERIFY_DATABASE_URL=postgres://...
# repeats the drills on PostgreSQL. Every figure goes to var/verify.json (or VERIFY_JSON).
verify: $(STAMP)
	$(PY) scripts/verify.py $(if $(VERIFY_JSON),--json $(VERIFY_JSON))

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy amparo config

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Performance at national scale (docs/performance.md): 100,000 defenders; bench-quick a tenth.
# Both measure SQLite, and PostgreSQL too when DATABASE_URL names a server.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(VENV)/bin/amparo bench --json var/bench.json

bench-quick: $(BENCH_STAMP)
	$(VENV)/bin/amparo bench --quick --json var/bench-quick.json

clean:
	rm -rf $(VENV) var/test-*
