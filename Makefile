# handbill: `make pdf` sets up and builds every bundle into out/; `make test` runs the tests.
# Each target creates or reuses .venv and installs what is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: pdf test clean setup system-deps fonts fonts-check

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

# Rebuild the bundled fonts (src/handbill/assets/fonts) from Debian's font
# packages, byte for byte the same; fonts-check verifies the committed files.
FONT_PACKAGES := fonts-noto-cjk fonts-noto-core unicode-data

fonts: setup
	@sh tools/system-deps.sh $(FONT_PACKAGES)
	$(PY) tools/make_fonts.py

fonts-check: setup
	@sh tools/system-deps.sh $(FONT_PACKAGES)
	$(PY) tools/make_fonts.py --check

clean:
	rm -rf out .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
