# Two commands matter: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SCALE ?= small
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: setup demo test test-browser lint serve clean

setup: $(PY_STAMP) $(NODE_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Locked, hash-checked Python packages, then the project itself (editable).
$(PY_STAMP): $(BIN)/python requirements/base.txt requirements/dev.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements/base.txt -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Bootstrap, htmx and ECharts from the npm lockfile; served by WhiteNoise, no CDN.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/gonghui collectstatic --noinput --verbosity 0
	$(BIN)/gonghui demo --scale $(SCALE) --port $(PORT)

serve: setup
	$(BIN)/gonghui collectstatic --noinput --verbosity 0
	$(BIN)/gonghui migrate --noinput
	$(BIN)/gonghui serve --port $(PORT)

# The whole suite except the browser tests; DATABASE_URL selects PostgreSQL.
test: setup
	$(BIN)/pytest -m "not browser"

# Browser tests: Debian's Chromium driven by Playwright against a live server.
# (Test settings serve assets straight from node_modules, so no collectstatic.)
test-browser: setup
	$(BIN)/pytest -m browser

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy gonghui

clean:
	rm -rf $(VENV) node_modules var
