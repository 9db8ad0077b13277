# Fresh machine: `make run` serves the API, `make test` runs the suite. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed-stamp

.PHONY: install validate build run test lint lint-openapi format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its dev tools

validate: install  ## check data/ and write nothing
	$(BIN)/python -m app validate

build: install  ## migrate, check and load data/ into the database (atomically)
	$(BIN)/python -m app build

run: build  ## build the database, then serve on $(HOST):$(PORT)
	$(BIN)/python -m app serve --host $(HOST) --port $(PORT)

lint: install  ## ruff and mypy, as configured in pyproject.toml
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/mypy

test: build lint  ## set up, build, lint, then the suite on SQLite and on PostgreSQL (if reachable)
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
