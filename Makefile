# Ayllu: `make run` serves the demo co-op on SQLite; `make test` runs the whole suite.
# Both first check the Debian packages they need (.ci/system-packages): installed when running as
# root, else the one command to run is printed and nothing else happens.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install translations messages bench clean system-run system-test

## the Debian packages beside Python: Pango for the PDFs; for the suite also hledger and chromium
system-run:
	@.ci/system-packages run

system-test:
	@.ci/system-packages test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

## compile the Spanish and English catalogues (the .mo files are build products, not sources)
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d coop/translations -D messages

## re-extract every marked string and merge it into the catalogues (for developers)
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project Ayllu --copyright-holder "Ayllu contributors" -o coop/translations/messages.pot .
	$(BIN)/pybabel update -i coop/translations/messages.pot -d coop/translations --no-wrap --ignore-obsolete --no-fuzzy-matching

run: system-run translations
	$(FLASK) coop init
	@echo "Loading the demo co-op if the database is empty (the first time: a minute or two)..."
	$(FLASK) coop demo --if-empty
	@echo "Ayllu is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(FLASK) coop serve --host $(HOST) --port $(PORT)

test: system-test $(VENV)/.installed-test translations
	$(BIN)/pytest

## every benchmark at full scale (minutes); `make bench BENCH_ARGS=--smoke` at a tiny one, as the suite does
bench: system-run $(VENV)/.installed-test translations
	@for script in $(filter-out bench/common.py,$(wildcard bench/*.py)); do $(BIN)/python $$script $(BENCH_ARGS) || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache browser-screenshots coop/translations/*/LC_MESSAGES/*.mo
