# torch-kata. `make` alone lists the targets.
# Every target bootstraps .venv from constraints.txt on first use.
# Already have torch? Use your own Python: `make kata PY=python3` (it needs the packages
# listed in pyproject.toml: torch, numpy, matplotlib, scikit-learn, and the dev extra's
# pytest, pytest-timeout, pytest-xdist, pytest-benchmark, hypothesis, watchdog, ruff).
# Maintainers: CONTRIBUTING.md says what `make test` proves.

PYTHON ?= python3
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
PY ?= $(VENV_PY)
K ?=
PYTEST_ARGS ?=
# Parallel workers for `make test` (pytest-xdist): auto = one per core; JOBS= runs in one process.
JOBS ?= auto
PIP_ARGS ?=

ifeq ($(PY),$(VENV_PY))
SETUP := $(VENV)/.installed
else
SETUP :=
endif

.DEFAULT_GOAL := help

.PHONY: help  ## list the targets
help:
	@echo "torch-kata: learn PyTorch by making tests pass."
	@echo
	@grep -E '^\.PHONY: [a-z-]+ +## ' $(MAKEFILE_LIST) | sed -E 's/^\.PHONY: ([a-z-]+) +## (.*)/  make \1\t\2/' | expand -t 22
	@echo
	@echo "  K=<kata>              pick one kata, e.g. make kata K=autograd"
	@echo "  ALL=1, YES=1          make progress ALL=1 reruns every kata; make reset K=x YES=1 asks nothing"
	@echo "  PY=<python>           use your own Python instead of .venv"
	@echo "  JOBS=<n>              test workers for make test (default auto; JOBS= for one process)"

$(VENV)/.installed: constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install --quiet $(PIP_ARGS) -c constraints.txt -e ".[dev]"
	touch $@

.PHONY: setup  ## create .venv with the pinned packages (every target does this on first use)
setup: $(SETUP)

# The learner's commands say `make ...` in their footers; exit status 1 means "a kata is
# unfinished" (or "nothing was reset"), which the output already says: make reports no
# error for it.
KATA := KATA_VIA=make $(PY) -m kata
UNFINISHED_IS_FINE := || [ $$? -eq 1 ]

.PHONY: kata  ## your next step: progress table, then the first unfinished kata (K= jumps to one)
kata: $(SETUP)
	@$(KATA) next $(K) $(UNFINISHED_IS_FINE)

.PHONY: progress  ## the progress table alone (ALL=1 reruns katas that are unchanged since green)
progress: $(SETUP)
	@$(KATA) progress $(if $(ALL),--all) $(UNFINISHED_IS_FINE)

.PHONY: hint  ## the next hint for the current kata (K= for another)
hint: $(SETUP)
	@$(KATA) hint $(K)

.PHONY: watch  ## rerun the current kata every time you save a file
watch: $(SETUP)
	@$(KATA) watch $(K)

.PHONY: approaches  ## once kata K is done: its reference and other correct ways, as diffs
approaches: $(SETUP)
	@$(KATA) approaches $(K) $(if $(ANYWAY),--anyway) $(UNFINISHED_IS_FINE)

.PHONY: reset  ## restore the stub of kata K, keeping your version in .kata/backups/ (YES=1: no question)
reset: $(SETUP)
	@$(KATA) reset $(K) $(if $(YES),--yes) $(UNFINISHED_IS_FINE)

# Many engine tests wait on processes of their own: an idle worker takes tests from a busy one.
XDIST := $(if $(JOBS),-n $(JOBS) --dist worksteal)

.PHONY: test  ## prove the spec, all of it, as CI does: lint, stubs-check, prove, variants, bench-check
test: lint stubs-check prove variants bench-check

.PHONY: lint  ## ruff check and ruff format --check
lint: $(SETUP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

.PHONY: stubs-check  ## the committed stubs are the generated ones; no learner file drifts from its reference
stubs-check: $(SETUP)
	$(PY) -m kata stubs
	$(PY) -m kata check

.PHONY: prove  ## every test passes on the references, every kata test fails on fresh stubs
prove: $(SETUP)
	$(PY) -m pytest --impl=reference --hypothesis-profile=ci $(XDIST) $(PYTEST_ARGS)
	$(PY) -m pytest --impl=stub -rfE $(XDIST) $(PYTEST_ARGS) $(wildcard tests/test_*.py)

.PHONY: variants  ## the tests catch every broken variant and accept every correct one (reruns what changed)
variants: $(SETUP)
	$(PY) -m kata variants $(if $(JOBS),--jobs $(JOBS),--jobs 1)

.PHONY: bench-check  ## each benchmark once, untimed
bench-check: $(SETUP)
	$(PY) -m pytest benchmarks --impl=reference --benchmark-disable -q $(PYTEST_ARGS)

$(VENV)/.mutate-installed: $(SETUP)
	$(PY) -m pip install --quiet $(PIP_ARGS) -c constraints.txt -e ".[mutate]"
	touch $@

.PHONY: mutate  ## mutation-test the references with mutmut (maintainers; about 20 minutes on 2 cores)
mutate: $(if $(SETUP),$(VENV)/.mutate-installed)
	KATA_MUTATION=1 $(PY) -m mutmut run
	$(PY) -m kata mutation --min 90 --recheck $(if $(filter auto,$(JOBS)),$(shell nproc 2>/dev/null || echo 2),$(or $(JOBS),1))

$(VENV)/.notebook-installed: $(SETUP)
	$(PY) -m pip install --quiet $(PIP_ARGS) -c constraints.txt -e ".[notebook]"
	touch $@

.PHONY: notebook  ## add the notebook extra to .venv: kata.check() and %kata_check in Jupyter
notebook: $(if $(SETUP),$(VENV)/.notebook-installed)

BENCH_RESULTS := .kata/bench/results

.PHONY: bench  ## time train_step, yours against the reference, on every core: % of matmul peak, batch-size table, plot
bench: $(SETUP)
	KATA_THREADS=$${KATA_THREADS:-$$(nproc 2>/dev/null || echo 1)} $(PY) -m pytest benchmarks --benchmark-enable --benchmark-autosave \
		--benchmark-storage=$(BENCH_RESULTS) $(if $(wildcard $(BENCH_RESULTS)/*/*.json),--benchmark-compare) \
		--benchmark-columns=min,median,iqr,rounds,iterations $(PYTEST_ARGS)

.PHONY: stubs  ## regenerate kata/*.py from kata/solutions/*.py (maintainers; overwrites the stubs)
stubs: $(SETUP)
	$(PY) -m kata stubs --write

.PHONY: clean  ## remove caches and .venv
clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info mutants
