# Fresh machine: `make run` serves the API, `make test` runs the suite. Both set up .venv first.
# Python 3.11 or newer: `PYTHON=python3.12 make run` picks the interpreter; a .venv made by
# another interpreter is made again.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The interpreter .venv is made from: version and installation, as Python itself says.
WHICH_PYTHON := import sys; print("%d.%d" % sys.version_info[:2], sys.base_prefix)
SERVE_STAMP := $(VENV)/.installed-serve
DEV_STAMP   := $(VENV)/.installed-dev

.PHONY: install install-serve validate build run test lint lint-openapi format bench clean FORCE

# Remade (and so every install after it) only when .venv is missing or made by another Python.
$(VENV)/.python: FORCE
	@want="$$($(PYTHON) -c '$(WHICH_PYTHON)' 2>/dev/null)"; \
	if [ -z "$$want" ]; then echo "$(PYTHON) not found: set PYTHON to a Python 3.11+ interpreter" >&2; exit 1; fi; \
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed; $(PYTHON) is $$want. Try PYTHON=python3.11" >&2; exit 1; }; \
	have="$$($(BIN)/python -c '$(WHICH_PYTHON)' 2>/dev/null)"; \
	if [ "$$want" != "$$have" ] || [ ! -f $@ ]; then \
	  echo "Making $(VENV) with $(PYTHON) ($$want)"; \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && \
	  $(BIN)/python -m pip install --quiet --upgrade pip && echo "$$want" > $@; \
	fi

# What serving needs, and only that (the PostgreSQL driver included, for DATABASE_URL=postgresql:).
$(SERVE_STAMP): pyproject.toml $(VENV)/.python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

# The dev tools (pytest, ruff, mypy, ...) on top, for `make test` and friends.
$(DEV_STAMP): pyproject.toml $(SERVE_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $@

install-serve: $(SERVE_STAMP)  ## create .venv with what serving needs

install: $(DEV_STAMP)  ## create .venv and install the project with its dev tools

validate: install-serve  ## check data/ and write nothing
	$(BIN)/python -m app validate

build: install-serve  ## migrate, check and load data/ into the database (atomically)
	$(BIN)/python -m app build

# `serve` builds first only when the database is not of the current data/ and schema, and
# once listening prints where the docs are.
run: install-serve  ## serve on $(HOST):$(PORT), building the database first if data/ changed
	$(BIN)/python -m app serve --host $(HOST) --port $(PORT)

lint: install  ## ruff and mypy, as configured in pyproject.toml
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/mypy

test: install build lint  ## set up, build, lint, then the suite on SQLite and PostgreSQL (if reachable)
	$(BIN)/python -m tests.engines -q

# Spectral (npm, fetched by npx on first use) lints the OpenAPI document with spectral:oas.
SPECTRAL ?= npx --yes @stoplight/spectral-cli@6
lint-openapi: install  ## lint /openapi.json with Spectral's spectral:oas ruleset (needs Node.js)
	mkdir -p var
	$(BIN)/python -c "import json; from app.main import create_app; print(json.dumps(create_app().openapi()))" > var/openapi.json
	printf 'extends: ["spectral:oas"]\n' > var/spectral.yaml
	$(SPECTRAL) lint --fail-severity=warn --ruleset var/spectral.yaml var/openapi.json

bench: install  ## load benchmark (wrk, loopback) and scale check; writes bench/RESULTS.md
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.scale

format: install
	$(BIN)/ruff check --fix app tests migrations bench
	$(BIN)/ruff format app tests migrations bench

clean:
	rm -rf $(VENV) var
