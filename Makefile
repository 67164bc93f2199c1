# gutbrain16s: the two commands of the README, plus set-up, benchmarks and the SLURM test.
#   make demo   run the pipeline on the bundled demo (writes results/)
#   make test   unit, workflow and browser tests, snakemake --lint, snakefmt --check, ruff
#   make test-fast   unit tests not marked slow (about half a minute; run it on every change)
# Both install what they need first (idempotent): Python packages into .venv from pinned
# requirements, and the external tools with apt-get when running as root on Debian.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
CORES ?= 2
APT_TOOLS := vsearch r-bioc-dada2 mafft fasttree microbiomeutil-data
TEST_TOOLS := chromium q2cli q2-types r-bioc-phyloseq

.PHONY: demo test test-fast setup tools test-tools python lint bench test-slurm genus-profile \
	runtime-files clean

demo: setup
	PYTHONPATH=workflow/scripts:. $(BIN)/python -m tools.simulate demo --out demo_data
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml
	@echo "Demo finished: see results/reports/index.html and results/multiqc/multiqc_report.html"

test: setup test-tools
	$(BIN)/python -m pytest -q -p no:cacheprovider
	$(MAKE) lint

test-fast: python
	$(BIN)/python -m pytest tests/unit -q -p no:cacheprovider -m "not slow"

lint: python
	$(BIN)/ruff check workflow tests benchmarks tools
	$(BIN)/snakefmt --check .
	$(BIN)/snakemake --lint --cores 1
	PYTHONPATH=workflow/scripts:. $(BIN)/python -m tools.simulate demo --out demo_data
	$(BIN)/snakemake --lint --cores 1 --configfile config/demo.yaml

setup: python tools

python: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c requirements.lock
	@touch $@

# External tools: apt-get on Debian as root; elsewhere say what to do instead.
tools:
	@PYTHONPATH=workflow/scripts $(PYTHON) tests/tools_check.py $(APT_TOOLS) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_TOOLS) >/dev/null; \
	  else \
	    echo "Missing external tools ($(APT_TOOLS)). Install them with your package manager," \
	         "or run Snakemake with --sdm conda so that each rule gets its env from envs/."; exit 1; \
	  fi; }

test-tools:
	@{ command -v chromium && command -v qiime \
	   && Rscript -e 'quit(status = !requireNamespace("phyloseq", quietly = TRUE))'; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEST_TOOLS) >/dev/null; \
	  else echo "chromium, qiime or R's phyloseq not found: browser, QIIME 2 and phyloseq tests will be skipped"; fi; }

bench: setup
	@for script in benchmarks/[a-z]*.py; do \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

test-slurm: setup
	bash tests/slurm/run_slurm_test.sh

# Rebuild the shipped genome-derived genus profiles (resources/genus_profile) from the shared
# source tables (read in place; see resources/README.md).
SHARED_DATA ?= ../shared/data
# The files a deployed workflow copies from its git source (workflow/rules/source.smk).
runtime-files:
	git ls-files --cached --others --exclude-standard workflow resources envs \
	  | sort -u | while read -r f; do [ -f "$$f" ] && echo "$$f"; done \
	  > workflow/runtime_files.txt

genus-profile: python
	PYTHONPATH=workflow/scripts $(BIN)/python -m gutbrain.genus_profile_build \
	  --ec $(SHARED_DATA)/micfunpred/human_ec.tsv.gz \
	  --copies $(SHARED_DATA)/micfunpred/human_16S_cp.txt.gz \
	  --ko-info $(SHARED_DATA)/picrust2/description_mapfiles/ko_info.tsv.gz \
	  --ec-names $(SHARED_DATA)/picrust2/description_mapfiles/ec_name.txt.gz \
	  --routes resources/routes.tsv --species-genera resources/species_genera.tsv \
	  --out resources/genus_profile

clean:
	rm -rf results logs .snakemake demo_data tests/output benchmarks/output
