# Binglian: `make run` starts the demo, `make test` runs every test. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py rundemo

test: install
	$(BIN)/python scripts/run_tests.py

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var

.PHONY: bench bench-quick
# Benchmarks on a PostgreSQL database of their own (BENCH_DATABASE_URL); see bench/README.md.
bench: install
	$(BIN)/python bench/run.py

bench-quick: install
	$(BIN)/python bench/run.py --quick
