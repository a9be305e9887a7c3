# Common commands. `make` sets everything up and shows the course board.
VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all status test validate lint bench bench-grade demo clean nbgrader-course gpu-check

all: $(STAMP)
	@$(VENV)/bin/tensorlings status

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

status: $(STAMP)
	@$(VENV)/bin/tensorlings status

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

validate: $(STAMP)
	$(VENV)/bin/tensorlings validate

# The whole course through the real nbgrader pipeline (generate, autograde, feedback, export).
nbgrader-course: $(STAMP)
	NBGRADER_ALL_EXERCISES=1 $(VENV)/bin/pytest tests/nbgrader -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Timing figures, each against its baseline measured in the same run.
bench: $(STAMP)
	$(PYTHON) benchmarks/learner_check.py
	$(PYTHON) benchmarks/watch_latency.py 03_strides
	$(PYTHON) benchmarks/status_time.py
	$(PYTHON) benchmarks/grade_class.py
	$(PYTHON) benchmarks/nbgrader_autograde.py 03_strides 12

# Proves the course and the sandboxed grader on a GPU machine (docs/gpu.md). It needs no virtual
# environment: where .venv is absent (a GPU image with no registry) it uses python3 and the checkout.
GPU_PYTHON ?= $(shell test -x $(PYTHON) && echo $(PYTHON) || echo python3)
gpu-check:
	$(GPU_PYTHON) benchmarks/gpu_check.py

bench-grade: $(STAMP)
	$(PYTHON) benchmarks/grade_class.py

# Grade the synthetic class in examples/class (honest, mistaken and hostile submissions)
# into reports/: a feedback page and results.json per student, summary.html and grades.csv.
demo: $(STAMP)
	$(VENV)/bin/tensorlings grade examples/class --out reports \
		--exercises $$($(PYTHON) examples/make_class.py --list)
	@echo "Open reports/summary.html for the class, reports/<student>/feedback.html for each student."

clean:
	rm -rf $(VENV) reports build *.egg-info
