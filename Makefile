# The README's commands. Each target creates the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
CORES ?= 2
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: demo test test-fast lint pull push dag clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Run the whole pipeline on the embedded default (cldr benchmark, offline encoder).
demo: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

## Run the tests (unit tests and the whole DAG on a tiny config).
test: $(STAMP)
	$(BIN)/pytest

## Unit tests only.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

## Linters the CI enforces.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check .
	$(BIN)/snakemake --lint

## After a fresh clone: fetch DVC-tracked artifacts, then mark them up to date for Snakemake.
pull: $(STAMP)
	$(BIN)/dvc pull
	$(BIN)/snakemake --cores 1 --touch --forceall

## Record the current outputs in dvc.lock and upload them to the DVC remote.
push: $(STAMP)
	$(BIN)/dvc commit --force
	$(BIN)/dvc push

## Render the rule graph (needs graphviz's dot).
dag: $(STAMP)
	$(BIN)/snakemake --rulegraph | dot -Tpng > results/rulegraph.png

clean:
	rm -rf data cache logs results/*/ results/metrics.* .snakemake
