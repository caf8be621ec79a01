# tizim: `make run` sets everything up and builds the registry; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the scoring engine and its features compiled with mypyc (tizim/screening/compiled.py), rebuilt when they change
ENGINE_C := tizim/screening/.engine.compiled
export SPARK_LOCAL_IP ?= 127.0.0.1
export PYSPARK_PYTHON ?= $(abspath $(BIN)/python)

# the workspace's kk/ru catalogues, compiled from their .po files (tizim/web/i18n.py)
MO := $(patsubst %.po,%.mo,$(wildcard tizim/web/locale/*/LC_MESSAGES/messages.po))
# axe-core for the accessibility tests, from the npm registry (assets/package-lock.json)
AXE := assets/node_modules/axe-core/axe.min.js

.PHONY: install run test test-fast bench lint clean messages assets

install: $(STAMP) $(ENGINE_C) $(MO) $(AXE)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -D messages -l $(word 4,$(subst /, ,$<)) -i $< -o $@

$(AXE): assets/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix assets --no-audit --no-fund --ignore-scripts --silent; \
	else echo "warning: npm missing: the accessibility tests will skip (apt-get install npm)" >&2; fi

# the catalogues after changing a page's text: extract, then merge into each .po
messages: $(STAMP)
	cd tizim/web && ../../$(BIN)/pybabel -q extract -F babel.cfg -k _ --no-location --sort-output -o locale/messages.pot .
	$(BIN)/pybabel -q update -D messages -i tizim/web/locale/messages.pot -d tizim/web/locale --no-fuzzy-matching

# the browser libraries the pages ship (tizim/web/static/vendor), refreshed from npm
assets: $(AXE)
	$(BIN)/python assets/vendor.py

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(ENGINE_C): tizim/screening/engine.py $(wildcard tizim/screening/features/*.py) $(STAMP)
	$(BIN)/python tizim/screening/compiled.py

# the registry (bundled and shared lists, its summary), then the workspace with demo data,
# serving until Ctrl-C (tizim workspace: first run creates an admin, prints its password)
run: install
	$(BIN)/tizim bootstrap
	$(BIN)/tizim workspace

test: install
	$(BIN)/pytest -q

test-fast: install
	$(BIN)/pytest -q -m "not slow and not browser and not spark"

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run_all.py

lint: install
	$(BIN)/ruff check tizim tests bench
	$(BIN)/mypy tizim

clean:
	test ! -x $(BIN)/python || $(BIN)/python tizim/screening/compiled.py --remove
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
