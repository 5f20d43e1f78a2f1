# handbill: `make pdf` sets up and builds every bundle into out/; `make test` runs the tests.
# Each target creates or reuses .venv and installs what is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: pdf test clean setup system-deps

pdf: setup
	$(VENV)/bin/handbill build

test: setup
	$(PY) -m pytest

setup: $(STAMP) system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Chinese needs a CJK font. Installed from Debian's packages when missing.
system-deps:
	@sh tools/system-deps.sh

clean:
	rm -rf out .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
