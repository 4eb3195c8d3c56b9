# optiroll: `make demo` and `make test` each set up what they need on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.optiroll-installed
SYSDEPS_STAMP := $(VENV)/.optiroll-sysdeps

.PHONY: help setup sysdeps demo test test-slow test-torch lint reference bench gallery revealjs \
        catalog-code bytecode glyphs clean

help:
	@echo "make demo        set up (first time) and run the demo"
	@echo "make test        set up (first time) and run the default test suite"
	@echo "make test-slow   also run the slow renders"
	@echo "make test-torch  install torch==2.13.0 (CPU) and compare live against torch.optim"
	@echo "make reference   regenerate tests/data/torch_reference.npz with torch"
	@echo "make bench       run the benchmarks (they print ratios)"
	@echo "make lint        ruff"
	@echo "make revealjs    refresh the shipped reveal.js (offline decks) from npm"
	@echo "make catalog-code  compile the catalog's formulas again (after changing them)"

# --- setup ---------------------------------------------------------------
# What a fresh machine lacks to build manim's and optiroll's compiled parts: cairo, pango,
# pkg-config, a C compiler, the Python headers and venv (Debian splits the last two off).
sysdeps:
	@need=""; \
	pkg-config --exists cairo pangocairo 2>/dev/null || need="$$need libcairo2-dev libpango1.0-dev pkg-config"; \
	command -v cc >/dev/null || need="$$need gcc"; \
	$(PYTHON) -c "import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" || need="$$need python3-dev"; \
	$(PYTHON) -c "import ensurepip" 2>/dev/null || need="$$need python3-venv"; \
	if [ -z "$$need" ]; then \
	  echo "system libraries and build tools: present"; \
	elif [ "$$(uname)" = Darwin ] && command -v brew >/dev/null; then \
	  brew install cairo pango pkg-config; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need; \
	else \
	  echo "optiroll needs the cairo and pango development files, pkg-config, a C compiler"; \
	  echo "and the Python headers. Install them with your package manager (e.g. dnf install"; \
	  echo "cairo-devel pango-devel pkgconf gcc python3-devel) and run make again."; exit 1; \
	fi

$(PY):
	$(MAKE) --no-print-directory sysdeps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml setup.py scenes/kit/_faces.c | $(PY)
	$(MAKE) --no-print-directory sysdeps
	$(PY) -m pip install -q -e ".[scenes,test,cluster]"
	@touch $(STAMP)

# The theme's glyph measures (scenes/kit/glyphs.py; about 3 s to make), so that a first render
# does not measure them: checked every time (about 1 s) and made again where the code, a
# package or the font they were made with has changed.
GLYPHS := scenes/kit/glyph_measures.pickle
glyphs: $(STAMP)
	@OPTIROLL_CACHE=off $(PY) -m optiroll.scenes.kit.glyphs \
	  || echo "could not measure the theme's glyphs (above): a first render measures what it needs"

# optiroll's own modules compiled to bytecode, as pip does for a package it installs (an
# editable install's are compiled on first import, or on every run where
# PYTHONDONTWRITEBYTECODE is set: ~0.1 s of each render's start); only what changed
bytecode: $(STAMP)
	@$(PY) -m compileall -q scenes dynamics benchmarks tests

setup: $(STAMP) glyphs bytecode

# --- the two README commands ---------------------------------------------
# The flagship clip at 720p30 (about half a minute on 2 cores); the numbers first.
DEMO_MP4 := media/videos/momentum/720p30/MomentumRavine.mp4
demo: $(STAMP) glyphs bytecode
	$(PY) -m optiroll.dynamics.demo
	$(VENV)/bin/manim render -qm scenes/momentum.py
	@echo ""
	@echo "The flagship clip is ready: $(CURDIR)/$(DEMO_MP4)"

# Debian's chromium and its driver, for the slide-deck test in a real browser (headless);
# without apt the test says why it skipped.
BROWSER_STAMP := $(VENV)/.optiroll-browser
$(BROWSER_STAMP): | $(PY)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
	  echo "browser for the deck test: present"; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver \
	  || ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      $$SUDO apt-get install -y -qq chromium chromium-driver) \
	  || echo "could not install chromium: the slide-deck browser test will skip"; \
	else \
	  echo "no apt-get: install chromium and chromedriver to run the slide-deck browser test"; \
	fi
	@touch $@

# (the machines this Makefile sets up build the compiled face filler: a test fails if not)
test: $(STAMP) glyphs bytecode $(BROWSER_STAMP)
	$(PY) -m ruff check .
	OPTIROLL_REQUIRE_FILLER=1 OPTIROLL_REQUIRE_GLYPHS=1 $(PY) -m pytest

# --- the rest -------------------------------------------------------------
test-slow: $(STAMP) glyphs bytecode
	OPTIROLL_REQUIRE_FILLER=1 OPTIROLL_REQUIRE_GLYPHS=1 $(PY) -m pytest -m "slow or not slow"

$(VENV)/.optiroll-torch: $(STAMP)
	$(PY) -m pip install -q -e ".[torch]"
	@touch $@

test-torch: $(VENV)/.optiroll-torch
	$(PY) -m pytest tests/test_torch_reference.py -v

reference: $(VENV)/.optiroll-torch
	$(PY) tests/make_torch_reference.py

# The catalog's formulas compiled, shipped (dynamics/catalog_code.json): written again after
# a change to the catalog, dynamics/formula.py or dynamics/compiled.py (a test says when).
catalog-code: $(STAMP)
	$(PY) -c "from optiroll.dynamics.compiled import write_shipped; write_shipped()"

lint: $(STAMP)
	$(PY) -m ruff check .

$(VENV)/.optiroll-bench: $(STAMP)
	$(PY) -m pip install -q -e ".[bench]"
	@touch $@

bench: $(VENV)/.optiroll-bench glyphs bytecode
	$(PY) benchmarks/bench_rollout.py
	$(PY) benchmarks/bench_render.py
	$(PY) benchmarks/bench_preview.py
	$(PY) benchmarks/bench_split.py
	$(PY) benchmarks/bench_basins.py

gallery: $(STAMP) glyphs $(BROWSER_STAMP)
	$(PY) -m optiroll.scenes.gallery

# Refresh the reveal.js files shipped for offline decks from the npm registry (pinned).
REVEALJS_VERSION := 6.0.1
REVEALJS_FILES := dist/reveal.js dist/reveal.css dist/theme/black.css dist/plugin/notes.js \
                  dist/plugin/markdown.js dist/plugin/highlight/zenburn.css LICENSE
revealjs:
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent reveal.js@$(REVEALJS_VERSION) \
	  && tar xzf reveal.js-$(REVEALJS_VERSION).tgz) && \
	for f in $(REVEALJS_FILES); do mkdir -p scenes/assets/revealjs/$$(dirname $$f); \
	  cp $$tmp/package/$$f scenes/assets/revealjs/$$f; done && \
	echo $(REVEALJS_VERSION) > scenes/assets/revealjs/VERSION && rm -rf $$tmp

clean:
	rm -rf $(VENV) media/videos media/images media/texts media/Tex build *.egg-info $(GLYPHS)
