# tizim: `make run` sets everything up and builds the registry; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the scoring engine compiled with mypyc (tizim/screening/compiled.py), rebuilt when it changes
ENGINE_C := tizim/screening/.engine.compiled
export SPARK_LOCAL_IP ?= 127.0.0.1
export PYSPARK_PYTHON ?= $(abspath $(BIN)/python)

.PHONY: install run test test-fast bench lint clean

install: $(STAMP) $(ENGINE_C)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(ENGINE_C): tizim/screening/engine.py $(STAMP)
	$(BIN)/python tizim/screening/compiled.py

run: install
	$(BIN)/tizim bootstrap

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
