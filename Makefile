# Le Bloc-Notes de l'Agence: `make` builds every source/*.md into dist/ (PDF and EPUB).
# The first run creates .venv from pyproject.toml; outputs are rebuilt only when their
# inputs change (the source, its images, agency.yaml, the files of its style, the templates
# or the package), all in one build.py run with a worker per core (or as many as make -jN asks).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OUT := dist
# A path-based editable install: the default one loads an import hook at every start (20 ms).
EDITABLE := --config-settings editable_mode=compat

SOURCES := $(wildcard source/*.md)
SLUGS := $(basename $(notdir $(SOURCES)))
# (The files of the style each source chose, styles/<name>/, and of its language,
# languages/<code>.yaml, come from the build's records.)
DEPS := $(wildcard source/agency.yaml) $(wildcard blocnotes/*.py) \
	$(wildcard blocnotes/templates/*) build.py $(VENV)/.installed
# Workers for a build: as many as `make -jN` asks, else one per core.
JOBS = $(or $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS))),$(shell nproc 2>/dev/null || echo 2))
QUIET = $(if $(findstring s,$(firstword -$(MAKEFLAGS))), -q)

.DEFAULT_GOAL := all
GOALS := $(or $(MAKECMDGOALS),all)

# The editions (blocnotes/editions.py, one row each) as make's lists: EDITION_GOALS (pdf,
# print, epub), DEFAULT_GOALS (`make` alone), OUTPUTS_<goal>, and the rule that puts an
# out-of-date output of each edition in DUE; written by build.py when the table changes.
EDITIONS_MK := $(VENV)/editions.mk
ifneq ($(filter-out clean distclean help,$(GOALS)),)
include $(EDITIONS_MK)
endif
$(EDITIONS_MK): blocnotes/editions.py $(VENV)/.installed
	@$(PY) build.py editions > $@.part && mv $@.part $@

# The outputs the goals ask for (`make` alone: the default editions, the PDFs and EPUBs).
WANTED := $(foreach goal,$(EDITION_GOALS),$(if $(filter $(goal),$(GOALS))$(if \
	$(filter all,$(GOALS)),$(filter $(goal),$(DEFAULT_GOALS))),$(OUTPUTS_$(goal))))
DUE :=

.PHONY: all $(EDITION_GOALS) build dist watch check new import test a11y fuzz bench faster icc schemas lint golden docs clean distclean help
.DELETE_ON_ERROR:

all $(EDITION_GOALS): build
	@:

# Make decides what is out of date with its own rules, below: each out-of-date output only
# joins DUE. Then one build.py run builds them all, in one pool of workers; the PDF and EPUB
# of a source come from one rendition. (print: the print shop's PDF/X-4, FOGRA39, bleed.)
build: $(WANTED)
	$(if $(strip $(DUE)),@$(PY) build.py$(QUIET) outputs --jobs $(JOBS) $(DUE))

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -qq --disable-pip-version-check -e . $(EDITABLE)
	touch $@

# Tests also need Debian's poppler-utils (pdftoppm, pdffonts), exiftool (the PDF's XMP), Java (EPUBCheck), Chromium
# and DAISY Ace (the EPUB accessibility checker, from npm, driven through Debian's Chromium),
# the Nu validator and axe-core (the web pages).
ACE_VERSION := 1.4.6
# The web edition's checkers, from npm into the .venv: the W3C Nu validator (vnu.jar, run by
# Java) and axe-core (run in Chromium by the tests, tests/test_web.py)
VNU_VERSION := 26.9.27
AXE_VERSION := 4.14.1
WEB_CHECKS := $(VENV)/npm/node_modules
$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -qq --disable-pip-version-check -e '.[test]' $(EDITABLE)
	command -v pdftoppm >/dev/null && command -v pdffonts >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq poppler-utils; }
	command -v exiftool >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq libimage-exiftool-perl; }
	command -v java >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq default-jre-headless; }
	command -v chromium >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq chromium; }
	command -v ace-puppeteer >/dev/null || \
		PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
		npm install -g --silent @daisy/ace@$(ACE_VERSION)
	test -f $(WEB_CHECKS)/vnu-jar/build/dist/vnu.jar && test -f $(WEB_CHECKS)/axe-core/axe.min.js || \
		npm install --silent --no-save --prefix $(VENV)/npm vnu-jar@$(VNU_VERSION) axe-core@$(AXE_VERSION)
	touch $@

# The images each source uses and the files of the style it chose, by output (written by
# every build, beside the outputs): a style's print.css makes its PDFs and EPUBs (the EPUB
# marks where each page of the PDF begins), its epub.css its EPUBs only...
-include $(wildcard $(OUT)/.build/*.d)

# Hand-out: dist/site/ holds exactly the files to upload (dated PDF, print-shop PDF and EPUB
# of every source, thumbnails, index.html, SHA256SUMS); outputs still up to date are reused.
dist: $(VENV)/.installed
	$(PY) build.py$(QUIET) dist --jobs $(JOBS) --out $(OUT) $(SOURCES)

# Rebuild on every change of a source, agency.yaml or a style (Ctrl-C to stop).
watch: $(VENV)/.installed
	$(PY) build.py watch --out $(OUT) $(SOURCES)

check: $(VENV)/.installed
	$(PY) build.py check $(SOURCES)

# From Word: make import DOCX=rapport.docx [DATE=2026-03-05] [LANG=fr|en|de] [STYLE=observatoire]
# writes source/<name>.md and its images (Pandoc's docx reader is installed the first time).
import: export BLOCNOTES_DOCX = $(value DOCX)
import: $(VENV)/.installed-word
	@test -n "$(DOCX)" || { echo 'make import DOCX=rapport.docx [DATE=YYYY-MM-DD] [LANG=fr|en|de] [STYLE=name]' >&2; exit 2; }
	$(PY) build.py import "$$BLOCNOTES_DOCX" $(if $(DATE),--date $(DATE)) $(if $(filter fr en de,$(LANG)),--lang $(LANG)) $(if $(STYLE),--style $(STYLE))

$(VENV)/.installed-word: $(VENV)/.installed
	$(PY) -m pip install -qq --disable-pip-version-check -e '.[word]' $(EDITABLE)
	touch $@

# Start a new Bloc-Notes: make new TITLE="Le titre" [DATE=2026-03-05] [LANG=fr|en|de]
# (the title reaches build.py through the environment: quotes and $ in it are safe; LANG is
# taken only when it is fr, en or de, not the shell's locale)
new: export BLOCNOTES_TITLE = $(value TITLE)
new: $(VENV)/.installed
	@test -n "$(TITLE)" || { echo 'make new TITLE="Le titre" [DATE=YYYY-MM-DD] [LANG=fr|en|de]' >&2; exit 2; }
	$(PY) build.py new "$$BLOCNOTES_TITLE" $(if $(DATE),--date $(DATE)) $(if $(filter fr en de,$(LANG)),--lang $(LANG))

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .

test: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m pytest

# Remake the print shop's CMYK output profile (committed; see styles/icc/README.md) from
# FOGRA's FOGRA39 measurements with ArgyllCMS. Builds never need this.
icc:
	apt-get update -qq && apt-get install -y -qq argyll icc-profiles-free
	rm -rf $(VENV)/icc && mkdir -p $(VENV)/icc
	cp /usr/share/color/icc/FOGRA39L.ti3 $(VENV)/icc/
	cd $(VENV)/icc && colprof -qm -nc -kr -l300 -L95 -s /usr/share/color/icc/sRGB.icc \
		-A blocnotes -D "FOGRA39 (ISO 12647-2:2004/Amd 1), 300%" \
		-C "Generated from FOGRA39L characterization data (zlib licence)" FOGRA39L
	cp $(VENV)/icc/FOGRA39L.icc styles/icc/FOGRA39L.icc

# Remake the RELAX NG schemas the feed tests validate against (committed; see
# tests/schemas/README.md) from their compact syntax, with trang. Tests never need this.
schemas:
	command -v trang >/dev/null || { apt-get update -qq && apt-get install -y -qq trang; }
	cd tests/schemas && trang atom.rnc atom.rng && trang opds.rnc opds.rng

# Accessibility checks alone: PDF/UA structure, EPUB metadata and page list, DAISY Ace.
a11y: $(VENV)/.installed-test
	$(PY) -m pytest tests/test_accessible_pdf.py tests/test_accessible_epub.py tests/test_ace.py

# Optional: WeasyPrint subsets fonts faster with HarfBuzz's subsetter when Debian's
# libharfbuzz-subset0 is present (it falls back to fontTools otherwise). Never required.
faster:
	apt-get update -qq && apt-get install -y -qq libharfbuzz-subset0

# Benchmarks against Pandoc's pipeline and bare WeasyPrint; writes bench/results.md.
bench: $(VENV)/.installed-test
	command -v pandoc >/dev/null || { apt-get update -qq && apt-get install -y -qq pandoc; }
	command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
	$(PY) bench/run.py

# The property test with many more generated documents (make test runs a short one);
# FUZZ_EXAMPLES=N sets how many (300 by default).
fuzz: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_fuzz.py --hypothesis-show-statistics

# Replace the visual references with the current rendering of the seed and of the make-up
# fixtures (look at them first).
golden: $(VENV)/.installed-test
	$(PY) tests/visual.py
	$(PY) tests/fixture_pages.py

# Page 1 of each series (every style of styles/) side by side, for the README:
# docs/series.png (committed; look at it first).
docs: $(VENV)/.installed-test
	$(PY) docs/series.py

clean:
	rm -rf $(OUT) tests/output

distclean: clean
	rm -rf $(VENV) *.egg-info

help:
	@echo "make         build every source/*.md to $(OUT)/ (PDF and EPUB)"
	@echo "make pdf     the PDFs only;  make epub  the EPUBs only"
	@echo "make print   the print shop's PDF/X-4 (bleed, crop marks): <name>-impression.pdf"
	@echo "make dist    the folder to upload, $(OUT)/site/: dated files, index.html, SHA256SUMS"
	@echo "make watch   rebuild whenever a source, agency.yaml or a style changes"
	@echo "make new TITLE=\"...\"  start source/<name>.md from a commented template"
	@echo "make check   lint the sources (placeholder links, dates, images...)"
	@echo "make import DOCX=x.docx  a Word report to source/<name>.md and its images"
	@echo "make test    run the test suite (creates .venv on first use)"
	@echo "make a11y    the accessibility checks (PDF/UA, EPUB metadata, DAISY Ace)"
	@echo "make faster  install HarfBuzz's font subsetter (optional, faster PDFs)"
	@echo "make icc     remake the print shop's colour profile (ArgyllCMS; never needed to build)"
	@echo "make schemas remake the feed tests' RELAX NG schemas from their .rnc (trang)"
	@echo "make bench   benchmarks against Pandoc and bare WeasyPrint (bench/results.md)"
	@echo "make fuzz    the property test, 300 generated documents"
	@echo "make golden  replace the visual test's reference pages"
	@echo "make docs    page 1 of each series side by side, for the README (docs/series.png)"
	@echo "make clean   remove $(OUT)/"
