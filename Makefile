# Two commands: `make run` (set up and serve) and `make test` (set up and run every check).
# Each step leaves a stamp, so a second run only redoes what changed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
STAMPS := .stamps
# The web port: PORT when given, else 5000 or the next free one (see serve).
export FLASK_APP := wsgi.py

.PHONY: run test setup db migrate demo lint format serve clean-db bench

run: setup migrate demo serve

test: setup lint
	@bash scripts/pg.sh start >/dev/null
	$(PY) -m pytest -q

setup: $(STAMPS)/system $(STAMPS)/venv app/static/vendor/.stamp db

$(STAMPS)/system: scripts/system-packages.sh
	@mkdir -p $(STAMPS)
	bash scripts/system-packages.sh
	@touch $@

$(STAMPS)/venv: requirements.txt
	@mkdir -p $(STAMPS)
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 oder neuer wird benötigt (python3 ist $$(python3 -V))."; exit 1; }
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

app/static/vendor/.stamp: package.json package-lock.json scripts/vendor.sh
	npm ci --no-audit --no-fund --silent
	bash scripts/vendor.sh
	@touch $@

# Without DATABASE_URL the project-local cluster under instance/ is used.
db:
	@if [ -z "$$DATABASE_URL" ]; then bash scripts/pg.sh start; fi

migrate: setup
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load --if-empty --reports 3000
	@$(FLASK) demo accounts

# The workers (mails and the photo sweep; forwarding to other bodies and reading their updates)
# run beside the web server and stop with it. Links they write point to PUBLIC_URL.
serve:
	@port="$(PORT)"; [ -n "$$port" ] || port=$$(bash scripts/free-port.sh 5000); \
		echo "Mängelmelder läuft auf http://127.0.0.1:$$port  (Strg-C beendet)"; \
		export PUBLIC_URL="$${PUBLIC_URL:-http://127.0.0.1:$$port}"; \
		$(FLASK) outbox work & mails=$$!; $(FLASK) exchange work & exchange=$$!; \
		trap 'kill $$mails $$exchange 2>/dev/null' EXIT; \
		$(FLASK) run --host 127.0.0.1 --port $$port

lint: $(STAMPS)/venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMPS)/venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup migrate
	@rm -f bench/results.json
	$(PY) bench/generate.py
	$(PY) bench/endpoints.py
	$(PY) bench/map_load.py
	$(PY) bench/staff.py
	$(PY) bench/addresses.py
	$(PY) bench/nearby.py
	$(PY) bench/form_page.py
	$(PY) bench/offline.py
	$(PY) bench/alerts.py
	$(PY) bench/submissions.py
	$(PY) bench/photos.py
	$(PY) bench/redaction.py
	$(PY) bench/stats.py
	$(PY) bench/replica.py
	$(PY) bench/check.py

# Stops and removes this checkout's cluster only (its data, log and remembered port).
clean-db:
	bash scripts/pg.sh destroy
