# handbill: `make pdf` sets up and builds every bundle into out/; `make test` runs the tests.
# Each target creates or reuses .venv and installs what is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Debian packages the bundled fonts are made from (tools/make_fonts.py).
FONT_PACKAGES := fonts-noto-cjk fonts-noto-core unicode-data
# Made by setup (see below), not kept in git.
EXTRA_FONTS := src/handbill/assets/fonts/extra/fonts.yaml
TC_FONTS    := src/handbill/assets/fonts/tc/fonts.yaml

.PHONY: pdf test test-deps screenshot check bench clean setup system-deps bytecode fonts fonts-check constraints mutants coverage

pdf: setup
	$(VENV)/bin/handbill build

# Every content check, no PDFs written (exit 1 on an error).
check: setup
	$(VENV)/bin/handbill check

# The tests also read PDFs with poppler's pdftotext and rebuild the bundled
# fonts from their Debian packages to check they are byte-identical.
# The set-up and the tests' Debian packages (Chromium for the browser test) side by side.
test:
	@$(MAKE) --no-print-directory -j3 $(SETUP_PARTS) test-deps
	$(PY) -m pytest

test-deps:
	@sh tools/system-deps.sh libharfbuzz-subset0 poppler-utils qpdf fontconfig libgs-common chromium $(FONT_PACKAGES)

# The README's picture of handbill serve (docs/preview.png), taken by the browser test.
screenshot: setup test-deps
	HANDBILL_SCREENSHOT=$(CURDIR)/docs/preview.png $(PY) -m pytest -q -p no:cacheprovider tests/test_browser.py

# handbill against plain WeasyPrint (with the system's Noto Sans CJK SC) and
# Typst, side by side in one run: see bench/README.md. BENCH_ARGS=--quick for a smoke run.
bench: setup
	@sh tools/system-deps.sh fonts-noto-cjk
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[bench]'
	$(PY) bench/run.py $(BENCH_ARGS)

# A mutation check of the suite (tools/mutants.py): each hand-written change to what a
# handout prints must fail a test. Not part of `make test`: it takes a while.
# MUTANTS_ARGS=--jobs 2, or --only NAME ...
mutants: setup
	@sh tools/system-deps.sh libharfbuzz-subset0 poppler-utils qpdf fontconfig libgs-common $(FONT_PACKAGES)
	$(PY) tools/mutants.py $(MUTANTS_ARGS)

# Statement coverage of src/ by the whole suite, every process included (see
# [tool.coverage] in pyproject.toml); the report's last line is the total. The report
# is printed even when a test fails: under a 50 kB file-size limit (test_safety) the
# child's coverage data cannot be written either, and that test fails only here.
coverage: setup
	@sh tools/system-deps.sh libharfbuzz-subset0 poppler-utils qpdf fontconfig libgs-common $(FONT_PACKAGES)
	rm -rf .cache/coverage && mkdir -p .cache/coverage
	-HANDBILL_COVERAGE_DIR=$(CURDIR)/.cache/coverage $(PY) -m coverage run -m pytest -q -p no:cacheprovider
	HANDBILL_COVERAGE_DIR=$(CURDIR)/.cache/coverage $(PY) -m coverage combine -q
	HANDBILL_COVERAGE_DIR=$(CURDIR)/.cache/coverage $(PY) -m coverage report

# The two fonts made here are made side by side (each takes minutes, on one core).
SETUP_PARTS := $(STAMP) system-deps bytecode $(EXTRA_FONTS) $(TC_FONTS)
setup:
	@$(MAKE) --no-print-directory -j2 $(SETUP_PARTS)

# Handbill Sans SC Extra: every character of Noto Sans CJK SC that the bundled Handbill
# Sans SC lacks (rare hanzi, Traditional forms, Extension B names...), 12 MB a weight, so
# made here from Debian's fonts-noto-cjk rather than kept in git (about two minutes, once).
$(EXTRA_FONTS): tools/make_fonts.py src/handbill/assets/fonts/HandbillSansSC-Regular.otf src/handbill/assets/fonts/HandbillSansSC-Bold.otf | $(STAMP)
	@sh tools/system-deps.sh $(FONT_PACKAGES)
	$(PY) tools/make_fonts.py --extra

# Handbill Sans TC (zh-Hant): Big5 and Hong Kong's common characters from Noto Sans CJK TC,
# 3.8 MB a weight, made here like the Extra (about 3 minutes, once; beside it under -j).
$(TC_FONTS): tools/make_fonts.py | $(STAMP)
	@sh tools/system-deps.sh $(FONT_PACKAGES)
	$(PY) tools/make_fonts.py --tc

# handbill is installed editable, so pip does not compile it; where Python is told
# not to write bytecode (PYTHONDONTWRITEBYTECODE, as in many CI images) every run
# would compile it again (about 30 ms a process). compileall only redoes what changed.
bytecode: $(STAMP)
	@$(PY) -m compileall -q src/handbill

# constraints.txt pins every package's version: the same PDFs, fonts and test
# results on every machine. Refresh it with `make constraints`.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

constraints: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v '^handbill' > constraints.txt

# HarfBuzz's subsetter, which WeasyPrint uses to embed fonts (fonts are bundled).
system-deps:
	@sh tools/system-deps.sh

# Rebuild the bundled fonts (src/handbill/assets/fonts) from Debian's font
# packages, byte for byte the same; fonts-check verifies the committed files.
fonts: setup
	@sh tools/system-deps.sh $(FONT_PACKAGES)
	$(PY) tools/make_fonts.py

fonts-check: setup
	@sh tools/system-deps.sh $(FONT_PACKAGES)
	$(PY) tools/make_fonts.py --check

clean:
	rm -rf out .pytest_cache .cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
