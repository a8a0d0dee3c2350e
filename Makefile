# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app commentsvc
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test docs test-postgres test-browser test-wheel test-nginx test-attack test-attack-long install lint format translations messages clean bench explain screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The compiled catalogs (messages.mo) are committed, so that `pip install -e .` and the wheel
# speak Swedish without a build step; after editing a .po file, run this and commit the .mo
# (tests/test_i18n.py fails while a committed .mo differs from its .po).
translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d commentsvc/translations

# instance/config.py: a random SECRET_KEY for this machine, written once and never committed,
# and the demo's address as PUBLIC_URL for this HOST and PORT (links in its JSON, feeds and
# mails are built from it), so that every `flask --app commentsvc` command in the checkout
# works too. Your own COMMENTSVC_PUBLIC_URL still wins, as the environment wins over the file.
run: install
	$(BIN)/python -m commentsvc.localconfig instance/config.py http://$(HOST):$(PORT)
	$(FLASK) init-db
	$(FLASK) seed-demo
	@echo "Open http://$(HOST):$(PORT)/ for the demo article and its comments."
	COMMENTSVC_DEMO=true $(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The docs/ pages as a site (mkdocs.yml), in strict mode: a link to a missing page or heading
# fails. The site goes to build/site/, which git ignores. Not --quiet: it drops the warnings
# before strict mode counts them, and a broken link would pass.
docs: install
	$(BIN)/mkdocs build --strict --site-dir build/site

# The fast suite on SQLite, with lint and the docs first. Browser and PostgreSQL runs: see .ci/run.
# The attacking suite (marker ``attack``) and the whole payload lists (``long``) run apart.
FAST := not browser and not wheel and not nginx and not attack and not long
test: lint docs
	$(BIN)/pytest -q -m "$(FAST)" $(PYTEST_ARGS)

# The same suite on PostgreSQL: set TEST_DATABASE_URL to an empty database.
test-postgres: install
	COMMENTSVC_TEST_ENGINE=postgresql $(BIN)/pytest -q -m "$(FAST)" $(PYTEST_ARGS)

# The Deploy steps of docs/operating.md: build the wheel, install it into a fresh virtualenv
# (dependencies from the package index), serve it with gunicorn from a temporary folder,
# check every page.
test-wheel: install
	$(BIN)/pytest -q -m wheel $(PYTEST_ARGS)

# The nginx block of docs/operating.md, as it stands there, on port 8443-like ports in front of
# gunicorn, with a moderator logging in through it (needs nginx: apt-get install nginx-light).
test-nginx: install
	$(BIN)/pytest -q -m nginx $(PYTEST_ARGS)

# Real-browser tests: Debian's chromium, driven by Playwright, with axe-core from npm.
node_modules/axe-core/axe.min.js:
	npm install --no-audit --no-fund --silent
test-browser: install node_modules/axe-core/axe.min.js
	$(BIN)/pytest -q -m "browser and not long" $(PYTEST_ARGS)

# The attacking suite without a browser (its XSS part runs with test-browser): naughty strings,
# API fuzzing, the SIGKILL burst. A fixed-seed sample of each list; CI runs it.
test-attack: install
	$(BIN)/pytest -q -m "attack and not browser and not long" $(PYTEST_ARGS)

# Every naughty string in every field and every XSS payload in Chromium: an hour or more.
test-attack-long: install node_modules/axe-core/axe.min.js
	$(BIN)/pytest -q -m long -o timeout=0 $(PYTEST_ARGS)

# Retake the screenshots of the moderation queue (docs/screenshots/), shown in the README and docs.
screenshots: install node_modules/axe-core/axe.min.js
	COMMENTSVC_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q -m browser -k screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# After changing texts: extract them and merge into the Swedish catalog (then translate).
messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o build/messages.pot .
	$(BIN)/pybabel -q update -i build/messages.pot -d commentsvc/translations -l sv --no-fuzzy-matching

# commentsvc beside Isso (installs Isso into bench/.work; wrk from Debian if present:
# apt-get install wrk). BENCH_DATABASE_URL: an EMPTY PostgreSQL database to include (wiped).
bench: install
	$(BIN)/python bench/run.py $(if $(BENCH_DATABASE_URL),--pg $(BENCH_DATABASE_URL)) $(BENCH_ARGS)
	$(BIN)/python bench/freshness.py --db sqlite:///$(CURDIR)/bench/.work/freshness.db \
		$(if $(BENCH_DATABASE_URL),--db $(BENCH_DATABASE_URL)) --write
	$(BIN)/python bench/sites.py --write

# EXPLAIN ANALYZE of the hot queries on a realistic PostgreSQL database (wiped and filled).
explain: install
	$(BIN)/python bench/explain.py $(BENCH_DATABASE_URL)
