# Binglian: `make run` starts the demo, `make test` runs every test. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Browser libraries (chart.js for the SLA dashboard) come from the npm registry, pinned by package-lock.json.
NODE_STAMP := node_modules/.installed-stamp
# The browser tests drive the distribution's Chromium; Playwright's own browser downloads are never used.
CHROMIUM_PATH ?= /usr/bin/chromium

.PHONY: run test lint install messages node chromium pdftools clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,demo]'
	touch $(STAMP)

# The translations (简体中文 by default, English): the .po catalogues in git, compiled here (.mo is not
# in git). Update the catalogues after changing strings: see docs/translating.md.
CATALOGUES := $(wildcard locale/*/LC_MESSAGES/django.po)
COMPILED := $(CATALOGUES:.po=.mo)
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@ -l $*

messages: $(COMPILED)

install: $(STAMP) messages

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ with npm (e.g. apt-get install nodejs npm). The SLA dashboard's chart library comes from npm." >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# The designer's modeler (bpmn-js, its properties panel and Binglian's properties) needs a bundler:
# esbuild, from npm, writes designer/static/designer/build/ (gitignored, never committed).
DESIGNER_BUNDLE := designer/static/designer/build/modeler.js
$(DESIGNER_BUNDLE): $(NODE_STAMP) $(wildcard designer/static_src/*.js)
	npm run --silent build

node: $(NODE_STAMP) $(DESIGNER_BUNDLE)

# Only when Chromium is missing: Debian's chromium (and CJK fonts, so that screenshots show the
# Chinese). Without root or apt-get the browser tests skip and say why; under CI=true they fail.
chromium:
	@if [ -x "$(CHROMIUM_PATH)" ]; then :; \
	elif ! command -v apt-get >/dev/null; then \
		echo "NOTE: no Chromium at $(CHROMIUM_PATH) and no apt-get: the browser tests will be skipped (CI=true: they fail)."; \
	else \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
		echo "Chromium is missing at $(CHROMIUM_PATH): installing Debian's chromium for the browser tests (apt-get, once)."; \
		{ $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; } \
			|| echo "NOTE: could not install Chromium (needs root or passwordless sudo): the browser tests will be skipped (CI=true: they fail)."; \
	fi

# Only when missing: the e-licence PDF's CJK TrueType font (reportlab cannot embed Noto CJK's CFF outlines),
# poppler-utils (the PDF test renders and reads the PDF) and zbar-tools (it decodes the QR code).
LICENCE_FONT ?= /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
pdftools:
	@if [ -f "$(LICENCE_FONT)" ] && command -v pdftoppm >/dev/null && command -v zbarimg >/dev/null; then :; \
	elif ! command -v apt-get >/dev/null; then \
		echo "NOTE: no $(LICENCE_FONT), pdftoppm or zbarimg and no apt-get: licence PDFs need the font; their tests skip (CI=true: they fail)."; \
	else \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
		echo "Installing Debian's fonts-wqy-zenhei, poppler-utils and zbar-tools for the e-licence PDF (apt-get, once)."; \
		{ $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei poppler-utils zbar-tools; } \
			|| echo "NOTE: could not install them (needs root or passwordless sudo): licence PDFs fail, their tests skip (CI=true: they fail)."; \
	fi

run: install node pdftools
	$(BIN)/python manage.py rundemo

# ARGS go to pytest, e.g. make test ARGS="--as-of 2026-12-31T16:00" (the whole suite as of that moment).
test: install node chromium pdftools
	$(BIN)/python scripts/run_tests.py $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var node_modules

.PHONY: bench bench-quick
# Benchmarks on a PostgreSQL database of their own (BENCH_DATABASE_URL); see bench/README.md.
# The `bench` extra adds the peer engine measured beside Binglian (django-viewflow, AGPL: bench only).
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,demo,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py

bench-quick: $(BENCH_STAMP)
	$(BIN)/python bench/run.py --quick
