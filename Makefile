# Le Bloc-Notes de l'Agence: `make` builds every source/*.md into dist/ (PDF and EPUB).
# The first run creates .venv from pyproject.toml; outputs are rebuilt only when their
# inputs change (the source, agency.yaml, the styles, the templates or the package).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OUT := dist

SOURCES := $(wildcard source/*.md)
SLUGS := $(basename $(notdir $(SOURCES)))
PDFS := $(SLUGS:%=$(OUT)/%.pdf)
EPUBS := $(SLUGS:%=$(OUT)/%.epub)
DEPS := $(wildcard source/agency.yaml) $(wildcard blocnotes/*.py) \
	$(wildcard blocnotes/templates/*) build.py $(VENV)/.installed

.PHONY: all pdf epub check test lint clean distclean help
.DELETE_ON_ERROR:

all: pdf epub

pdf: $(PDFS)

epub: $(EPUBS)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(OUT)/%.pdf: source/%.md styles/print.css $(DEPS)
	$(PY) build.py pdf --out $(OUT) $<

$(OUT)/%.epub: source/%.md styles/epub.css $(DEPS)
	$(PY) build.py epub --out $(OUT) $<

check: $(VENV)/.installed
	$(PY) build.py check $(SOURCES)

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .

test: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m pytest

clean:
	rm -rf $(OUT) tests/output

distclean: clean
	rm -rf $(VENV) *.egg-info

help:
	@echo "make         build every source/*.md to $(OUT)/ (PDF and EPUB)"
	@echo "make pdf     the PDFs only;  make epub  the EPUBs only"
	@echo "make check   lint the sources (placeholder links, dates, images...)"
	@echo "make test    run the test suite (creates .venv on first use)"
	@echo "make clean   remove $(OUT)/"
