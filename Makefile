# Two commands on a fresh Debian machine:  make run  |  make test
SHELL := /bin/bash
PY := .venv/bin/python
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/arh
export REDIS_URL ?= redis://127.0.0.1:6379/0
export AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/

ADMIN_SRC := $(shell find admin/src admin/public -type f 2>/dev/null) admin/index.html admin/vite.config.ts admin/package.json

.PHONY: run test setup sysdeps deps services migrate seed admin bench clean-var

run: setup
	bash scripts/run.sh

test: sysdeps deps services admin
	bash scripts/test.sh

setup: sysdeps deps services migrate seed admin

sysdeps:
	@bash scripts/sysdeps.sh

deps: .venv/.synced admin/node_modules/.installed

.venv/.synced: pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check uv
	python3 -m uv sync --frozen --python python3 -q
	@touch $@

admin/node_modules/.installed: admin/package.json admin/package-lock.json
	cd admin && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

services:
	@bash scripts/services.sh up

migrate: deps services
	$(PY) -m app.cli migrate

seed: migrate
	$(PY) -m app.documents.ca init
	$(PY) -m app.seed
	$(PY) -m exchange.keys init $${EXCHANGE_KEYRING:-var/keys/exchange.json}

admin: admin/dist/index.html

admin/dist/index.html: admin/node_modules/.installed $(ADMIN_SRC)
	cd admin && npm run build

bench: setup
	@SYSDEPS_EXTRA=wrk bash scripts/sysdeps.sh
	bash scripts/bench.sh
