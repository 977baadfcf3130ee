# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
export PYTHONWARNINGS := ignore

.PHONY: run status test unit install rabbitmq migrate seed demo bench lint clean web

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip "setuptools<81" wheel
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

rabbitmq:
	@scripts/ensure-rabbitmq.sh

migrate: install
	$(BIN)/python -m services.common.migrate

seed: migrate
	$(BIN)/python -m gateway.seed

## The web client (gateway/web, Vue 3 + Vite): built into gateway/web/dist when missing or older
## than its sources; needs Node.js 20 (the script prints how to install it).
web:
	@scripts/build-web.sh --if-stale

## Start every service, the gateway and the web client; Ctrl-C stops them all.
## supervisord (deploy/supervisord.conf) runs each as its own process and starts again one that
## dies, instead of stopping the rest; each writes var/log/<service>.log.
run: export PLATFORM_DEMO := 1
run: install rabbitmq seed web
	@mkdir -p var/run var/log
	@echo "Platform: http://$${WEB_SERVER_ADDRESS:-127.0.0.1:8000}/  — log in as admin / $${ADMIN_PASSWORD:-admin-2026!}"
	@echo "Demo users (password demo-2026!): shen (审理室), minzheng (民政局经办), zuzhi (组织部), lingdao (领导)"
	@echo "Demo mode (PLATFORM_DEMO=1): the platform runs in demo mode with the demo token secret$${TOKEN_SECRET:+ (TOKEN_SECRET is set: yours is used)}; outside demo mode the demo secret is refused."
	@echo "Services run under supervisord (deploy/supervisord.conf): one that dies is restarted; logs in var/log/<service>.log; Ctrl-C stops all."
	@$(BIN)/python scripts/demo_data.py --base http://$${WEB_SERVER_ADDRESS:-127.0.0.1:8000} \
	    --admin-password "$${ADMIN_PASSWORD:-admin-2026!}" & \
	PLATFORM_ROOT=$(CURDIR) PLATFORM_BIN=$(CURDIR)/$(BIN) PLATFORM_CONFIG=$(CURDIR)/config.yaml \
	PLATFORM_RUN=$(CURDIR)/var/run PLATFORM_LOGS=$(CURDIR)/var/log \
	exec $(BIN)/supervisord -c deploy/supervisord.conf

## The processes `make run` started, as supervisord sees them.
status:
	@PLATFORM_ROOT=$(CURDIR) PLATFORM_BIN=$(CURDIR)/$(BIN) PLATFORM_CONFIG=$(CURDIR)/config.yaml \
	PLATFORM_RUN=$(CURDIR)/var/run PLATFORM_LOGS=$(CURDIR)/var/log \
	$(BIN)/supervisorctl -c deploy/supervisord.conf status

## Every test: unit, integration and end-to-end, on SQLite and PostgreSQL.
test: install web
	@scripts/ensure-rabbitmq.sh --management
	$(BIN)/pytest -q $(PYTEST_ARGS)

unit: install
	$(BIN)/pytest -q tests/unit

## Every benchmark under bench/; they create vhosts through the management API, as the tests do.
bench: install
	@scripts/ensure-rabbitmq.sh --management
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf var/*.db var/library-index var/attachments
