# The template's own tasks. `make` (or `make help`) lists them; each creates or
# reuses one virtual environment in .venv, so a machine needs only python3 and make.

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

VENV := .venv
PYTHON := $(abspath $(VENV))/bin/python
# The generated project's `train` group alone, where its local runs train (as in its image).
TRAIN_VENV := .venv-train
BUILD := build
TEMPLATE := {{cookiecutter.project_slug}}
SLOW_TIERS := toolkit or aws or container or cluster or localmode

## Show this help
.PHONY: help
help:
	@awk '/^## /{doc=substr($$0,4); next} /^\.PHONY:/{next} /^[a-zA-Z_-]+[ :]/{if(doc){split($$1,t,":"); printf "  \033[36m%-16s\033[0m %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

# The venv holds the template's tools plus the generated project's dev group,
# read from a rendered copy of its pyproject.toml so the list lives in one place
# (rendered with MPI, whose dev group is a superset: mpi4py and an Open MPI wheel).
$(VENV)/.installed: requirements.txt $(TEMPLATE)/pyproject.toml $(TEMPLATE)/train.lock cookiecutter.json
	@echo ">> Setting up $(VENV)"
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	rm -rf $(BUILD)/deps
	$(VENV)/bin/cookiecutter --no-input --output-dir $(BUILD)/deps . include_mpi=true >/dev/null
	$(PYTHON) -m pip install --quiet --group "$$(ls $(BUILD)/deps/*/pyproject.toml):dev"
	python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet --require-hashes --requirement "$$(ls $(BUILD)/deps/*/train.lock)"
	@touch $@

## Create or update the virtual environment
.PHONY: setup
setup: $(VENV)/.installed

## Render a project with the defaults and train it locally on its sample data (no AWS, no Docker)
.PHONY: demo
demo: $(VENV)/.installed
	rm -rf $(BUILD)/demo
	@echo ">> Rendering the template with its defaults into $(BUILD)/demo"
	$(VENV)/bin/cookiecutter --no-input --output-dir $(BUILD)/demo .
	@# The project runs in these venvs, which already hold its groups: `-o` skips its setup.
	$(MAKE) -C "$$(ls -d $(BUILD)/demo/*/)" data train-local VENV=$(abspath $(VENV)) TRAIN_VENV=$(abspath $(TRAIN_VENV)) \
	  -o $(abspath $(VENV))/.installed -o $(abspath $(TRAIN_VENV))/.installed

## Lint, then run every test tier: render, hooks, lint, toolkit, AWS stand-in, containers, cluster, local mode
.PHONY: test
test: lint
	bash tests/support/install-container-tools.sh
	$(PYTHON) -m pytest

## Lint, then run the fast tier only (render, hooks, lint of the output): the edit loop
.PHONY: test-fast
test-fast: lint
	$(PYTHON) -m pytest -m "not ($(SLOW_TIERS))"

## Mutation runs (about two hours on 2 cores, outside `make test`): mutmut over tools/, source_dir/ and hooks/; each named breakage
.PHONY: mutation
mutation: $(VENV)/.installed
	status=0; \
	$(PYTHON) tests/mutations/mutmut_run.py $(if $(MUTATION_DIR),--keep $(MUTATION_DIR)) || status=1; \
	$(PYTHON) tests/mutations/named.py || status=1; \
	exit $$status

## Lint the template's own code: Python (hooks, tests, benchmarks), shell, CI workflow
.PHONY: lint
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check hooks tests bench local_extensions.py
	$(VENV)/bin/ruff format --check hooks tests bench local_extensions.py
	$(VENV)/bin/shellcheck .ci/run tests/support/*.sh
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

## Refresh the generated project's train.lock for every Python and MPI answer (UPGRADE=1: newest)
.PHONY: lock
lock: $(VENV)/.installed
	$(PYTHON) tests/support/train_lock.py $(if $(UPGRADE),--upgrade)

## Render the defaults into build/bake to look at
.PHONY: bake
bake: $(VENV)/.installed
	rm -rf $(BUILD)/bake
	$(VENV)/bin/cookiecutter --no-input --output-dir $(BUILD)/bake .
	@echo ">> Rendered into $$(ls -d $(BUILD)/bake/*/)"

## Remove renders, caches and the virtual environment
.PHONY: clean
clean:
	rm -rf $(BUILD) $(VENV) $(TRAIN_VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
