# The README's two commands: `make demo` (the main job on the built-in demo data) and `make test`.
# Each first runs the idempotent set-up (tools/setup_env.sh): seconds once the .venv is in place.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
export MMJIGSAW_VENV := $(abspath $(VENV))

.PHONY: setup demo test lint

setup:
	@bash tools/setup_env.sh

demo: setup
	$(PYTHON) tools/run_demo.py

test: setup
	$(PYTHON) -m pytest tests

lint: setup
	$(PYTHON) -m flake8 mmjigsaw tools .dev_scripts tests configs setup.py
	$(PYTHON) -m isort --check-only --diff mmjigsaw tools .dev_scripts tests configs setup.py
