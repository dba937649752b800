# The README's commands. Each target creates the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
CORES ?= 2
## Extra arguments for snakemake in `make demo`, e.g. SNAKEMAKE_ARGS="--configfiles params.yaml my.yaml" or a target.
SNAKEMAKE_ARGS ?=
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
## After an interruption (kill, crash, closed terminal) the same command finishes the run: it clears the killed
## run's Snakemake lock and re-runs its incomplete jobs, and refuses while another run is in progress here
## (see src/crossrank/core/resume.py).
demo: $(STAMP)
	$(BIN)/python -m crossrank.core.resume $(BIN)/snakemake --cores $(CORES) $(SNAKEMAKE_ARGS)

## Run the tests (unit tests and the whole DAG on a tiny config), one pytest worker per core (pytest-xdist).
## Each test file runs on one worker (--dist loadfile), so a module's pipeline fixture is built once.
test: $(STAMP)
	$(BIN)/pytest -n $(CORES) --dist loadfile

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

## The rule graph: results/rulegraph.dot (DOT text, always) and results/rulegraph.png (needs graphviz's dot).
## Each file is written to a temporary name and renamed only when complete: a failure leaves no empty file.
DOT_MISSING := make dag: rendering results/rulegraph.png needs graphviz's dot, which is not on PATH. Install graphviz \
(apt-get install graphviz, conda install -c conda-forge graphviz or brew install graphviz) and re-run; \
meanwhile results/rulegraph.dot holds the graph as DOT text (paste it into any Graphviz viewer).
dag: $(STAMP)
	@mkdir -p results
	@$(BIN)/snakemake --rulegraph > results/.rulegraph.dot.tmp || { rm -f results/.rulegraph.dot.tmp; exit 1; }
	@mv results/.rulegraph.dot.tmp results/rulegraph.dot && echo "wrote results/rulegraph.dot"
	@command -v dot > /dev/null 2>&1 || { echo "$(DOT_MISSING)" >&2; exit 1; }
	@dot -Tpng results/rulegraph.dot -o results/.rulegraph.png.tmp || { rm -f results/.rulegraph.png.tmp; exit 1; }
	@mv results/.rulegraph.png.tmp results/rulegraph.png && echo "wrote results/rulegraph.png"

clean:
	rm -rf data cache logs results/*/ results/metrics.* .snakemake
