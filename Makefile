# Two entry points (see README): `make run` and `make test`. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_TEST := chromium chromium-driver redis-server postgresql
APT_DATA := fortunes fortunes-de fortunes-es fortunes-it fortunes-pl fortunes-ru fortunes-cs fortunes-br fortunes-eo fortunes-bg fortunes-ga

.PHONY: run test unit browser scaleout bench lint setup system-data system-test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP) system-data

# Debian packages, installed only when missing (the app and tests run offline afterwards).
system-data:
	@if [ ! -f /usr/share/games/fortunes/ga/proverbs ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_DATA) >/dev/null; fi

system-test:
	@if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null || ! command -v redis-server >/dev/null \
	  || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_TEST) >/dev/null; fi

run: setup
	$(PY) app.py

test: setup system-test
	$(PY) -m pytest -n 2 --dist loadgroup

unit: $(STAMP)
	$(PY) -m pytest tests/unit -n 2

browser: setup system-test
	$(PY) -m pytest tests/browser

scaleout: setup system-test
	$(PY) -m pytest tests/scaleout

bench: setup
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache
