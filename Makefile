# hostray developer entry points. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The packages, in dependency order, come from their one list: scripts/packages.py.
PACKAGES := $(shell $(PYTHON) scripts/packages.py names)
EDITABLE := $(shell $(PYTHON) scripts/packages.py editable)
MYPY_ARGS := $(shell $(PYTHON) scripts/packages.py mypy-args)
STAMP := $(VENV)/.installed
LINT_PATHS := packages tests bench scripts

.PHONY: setup run test test-dev test-isolated lint format bench faults clean

setup: $(STAMP)

$(STAMP): $(wildcard packages/*/pyproject.toml) requirements-dev.txt requirements-test.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# pip 23.2 (what python3 -m venv brings here) cannot backtrack through an extra's
	@# requirements (the web package's otel extra); 23.3 and later can.
	$(BIN)/python -m pip install -q --disable-pip-version-check "pip>=23.3"
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check $(EDITABLE)
	@touch $@

run: $(STAMP)
	@test -f hello/server_config.yaml || $(BIN)/hostray create hello
	$(BIN)/hostray start hello

# The whole suite: packaging rules in the dev venv, then every package's tests in a fresh venv
# that holds only that package's wheel and its declared dependencies.
test: $(STAMP)
	$(BIN)/python -m pytest tests/packaging -q
	$(BIN)/python scripts/isolated_tests.py $(PACKAGES)

# Quick loop while developing: everything against the editable installs.
test-dev: $(STAMP)
	$(BIN)/python -m pytest -q $(ARGS)

test-isolated: $(STAMP)
	$(BIN)/python scripts/isolated_tests.py $(or $(PKG),$(PACKAGES))

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy $(MYPY_ARGS)
	$(BIN)/mypy tests/typing
	@# tests, bench and scripts need Python 3.11 (tomllib, hashlib.file_digest): checked as 3.11 code;
	@# MYPYPATH: tests/packaging imports scripts/packages.py as `packages` (not the packages/ folder).
	MYPYPATH=scripts $(BIN)/mypy --python-version 3.11 tests bench scripts
	$(BIN)/python -m pytest -q tests/packaging/test_declared_imports.py

format: $(STAMP)
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

bench: $(STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	@command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || \
		{ apt-get update -qq && apt-get install -y -qq haproxy; }
	$(BIN)/python -m bench

# The load and fault suite: real server processes on loopback, wrk, and brief restarts of the
# shared MariaDB and PostgreSQL servers. A thousand connections need a high open-file limit.
faults: $(STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	@command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || \
		{ apt-get update -qq && apt-get install -y -qq haproxy; }
	ulimit -n "$$(ulimit -Hn)" && $(BIN)/python -m pytest -q -s tests/faults

clean:
	rm -rf $(VENV) .iso dist build
