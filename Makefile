# accord: the two commands a fresh machine needs are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint format bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test oracle NegMAS (`negmas` extra), the Dask backend (`dask` extra) and the service
# (`service` extra) come with the tests; their tests skip cleanly without them.
$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,negmas,dask,service,ingest]'
	# The exchange-model oracle (GPL-3.0, test use only) pins numpy 1.23 and pandas 1.5, which
	# clash with ours: install it without its pins, with the few packages its model code uses.
	$(BIN)/python -m pip install --quiet --no-deps 'decide-exchange-model==2022.1.28' \
		peewee 'typesystem==0.2.5' blinker
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/accord analyze

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

format: $(STAMP_DEV)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP_DEV)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
