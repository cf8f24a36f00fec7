# Public entry points: run, test, lint, bench, up. Everything installs from uv.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.bootstrap/bin/uv)
export UV_PYTHON_DOWNLOADS := never

# the daily run for yesterday, as the scheduler would start it today
RUN_DATE ?= $(shell $(PYTHON) -c 'import datetime as d; print(d.date.today() - d.timedelta(days=1))')
export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export FEEDWAREHOUSE_DATA_DIR ?= $(CURDIR)/data
SAMPLE_DIR := $(FEEDWAREHOUSE_DATA_DIR)/sample
RUN := $(UV) run --frozen --no-sync
# the sample feeds end today and keep a snapshot of every day of the last 30: backfillable
TODAY := $(shell $(PYTHON) -c 'import datetime as d; print(d.date.today())')
SAMPLE := $(RUN) feedwarehouse sample --out $(SAMPLE_DIR) --end-date $(TODAY) --archive-days 30
# `make airflow`: its own Airflow home (PostgreSQL metadata DB), ports overridable
AIRFLOW_PORT ?= 8080
AIRFLOW_PG_PORT ?= 54329
# `make up` / `make down`: docker compose (include/compose/); AIRGAP=auto probes the registry
EXECUTOR ?= local
WORKERS ?= 1
AIRGAP ?= auto
WAREHOUSE ?= file
export ENV_FILE ?= .env
LOCAL_AIRFLOW := $(RUN) python -m feedwarehouse_dev.local_airflow --home $(AIRFLOW_HOME)/local \
	--data-dir $(FEEDWAREHOUSE_DATA_DIR) --feeds $(SAMPLE_DIR)/feeds.yml

.PHONY: help install run airflow airflow-stop check test lint format bench up down clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(CURDIR)/.bootstrap/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.bootstrap
	$(CURDIR)/.bootstrap/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra deploy
	@touch $@

install: .venv/.synced  ## install the locked environment into .venv

run: install  ## generate sample feeds and run the daily DAG once through Airflow, offline
	$(SAMPLE)
	@mkdir -p $(AIRFLOW_HOME)
	$(RUN) airflow db migrate > $(AIRFLOW_HOME)/migrate.log 2>&1 || { cat $(AIRFLOW_HOME)/migrate.log; exit 1; }
	$(RUN) airflow pools set feedwarehouse_writer 1 "DuckDB has one writer" > /dev/null
	FEEDWAREHOUSE_FEEDS=$(SAMPLE_DIR)/feeds.yml \
		$(RUN) airflow dags test feed_warehouse_daily $(RUN_DATE)
	$(RUN) feedwarehouse summary

airflow: install  ## the Airflow UI on this machine (PostgreSQL metadata DB); prints URL and login
	$(SAMPLE)
	$(LOCAL_AIRFLOW) start --port $(AIRFLOW_PORT) --pg-port $(AIRFLOW_PG_PORT)

airflow-stop:  ## stop everything `make airflow` started
	@if [ -d $(AIRFLOW_HOME)/local/run ]; then $(LOCAL_AIRFLOW) stop; else echo "nothing was running"; fi

lint: install  ## ruff (lint + format check) and sqlfluff on the dbt models
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) sqlfluff lint dbt_project/models dbt_project/macros

format: install  ## apply ruff and sqlfluff fixes
	$(RUN) ruff check --fix .
	$(RUN) ruff format .
	$(RUN) sqlfluff fix dbt_project/models dbt_project/macros

check: lint  ## the edit loop: lint, then the fast tests (no dbt, GX or Airflow), in about a minute
	@$(RUN) pytest -n 2 -m "not slow and not faults" -q

test: lint  ## lint, then the whole test suite on 2 workers (fails loudly if no test ran)
	@$(RUN) pytest -n 2 --dist loadgroup; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

bench: install  ## benchmarks, reported as ratios in bench/results.md (about an hour)
	$(UV) run --frozen --group bench python -m bench

up: install  ## the docker compose stack [EXECUTOR=celery WORKERS=N AIRGAP=1 WAREHOUSE=ducklake AIRFLOW_PORT=P]; prints its login
	@EXECUTOR=$(EXECUTOR) WORKERS=$(WORKERS) AIRGAP=$(AIRGAP) WAREHOUSE=$(WAREHOUSE) \
		AIRFLOW_API_PORT=$(AIRFLOW_PORT) bash include/compose/up.sh

down:  ## remove every container `make up` started [VOLUMES=1: and its volumes]
	@include/compose/compose.sh down --remove-orphans $(if $(filter 1,$(VOLUMES)),--volumes)

clean: airflow-stop  ## remove local data, Airflow home and caches (keeps .venv)
	rm -rf data .airflow .pytest_cache .ruff_cache dbt_project/target dbt_project/logs
