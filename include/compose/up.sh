#!/bin/bash
# make up [EXECUTOR=local|celery] [WORKERS=N] [AIRGAP=auto|0|1] [WAREHOUSE=file|ducklake]
#         [AIRFLOW_PORT=P]
# A Docker engine (dockerd started here when none answers), images (air-gapped bases when no
# registry answers), .env with fresh secrets if missing, the stack, then its UI and login.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
executor=${EXECUTOR:-local} workers=${WORKERS:-1} airgap=${AIRGAP:-auto}
case ${WAREHOUSE:=file} in
    file|ducklake) export WAREHOUSE ;;
    *) echo "WAREHOUSE must be file or ducklake, not '$WAREHOUSE'" >&2; exit 2 ;;
esac
state=${FEEDWAREHOUSE_COMPOSE_STATE:-$root/.airflow/compose}
mkdir -p "$state"

if ! docker info > /dev/null 2>&1; then
    command -v dockerd > /dev/null || { echo "no Docker engine: apt-get install docker.io" >&2; exit 1; }
    echo "starting dockerd (log $state/dockerd.log, pid $state/dockerd.pid)"
    setsid dockerd > "$state/dockerd.log" 2>&1 < /dev/null &
    echo $! > "$state/dockerd.pid"
    for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; sleep 1; done
    docker info > /dev/null 2>&1 || { tail "$state/dockerd.log" >&2; exit 1; }
fi

if [ "$airgap" = auto ]; then
    # the registry answers /v2/ with 200 or with 401 and a token challenge; a proxy's error
    # page or no answer at all means air-gapped
    if python3 -c 'import urllib.request as u, urllib.error as e, sys
try: u.urlopen("https://registry-1.docker.io/v2/", timeout=5)
except e.HTTPError as x: sys.exit(x.code != 401 or "Bearer" not in str(x.headers))
except Exception: sys.exit(1)' 2> /dev/null; then airgap=0; else airgap=1; fi
    echo "AIRGAP=$airgap (registry $([ $airgap = 0 ] && echo answers || echo does not answer))"
fi
export AIRGAP=$airgap
[ "$airgap" = 1 ] && bash "$here/build-bases.sh"

env_file=${ENV_FILE:-.env}
[ -f "$env_file" ] || "$root/.venv/bin/feedwarehouse" deploy-env --example .env.example \
    --out "$env_file"

services=(postgres airflow-init airflow-apiserver airflow-scheduler airflow-dag-processor
          airflow-triggerer)
case $executor in
    local) export AIRFLOW_EXECUTOR=LocalExecutor ;;
    celery) export AIRFLOW_EXECUTOR=CeleryExecutor
            services+=(redis airflow-worker-writer airflow-worker) ;;
    *) echo "EXECUTOR must be local or celery, not '$executor'" >&2; exit 2 ;;
esac
[[ $workers =~ ^[1-9][0-9]*$ ]] || { echo "WORKERS must be a number >= 1, not '$workers'" >&2; exit 2; }
compose=("$here/compose.sh")
"${compose[@]}" build airflow-init
scale=()
[ "$executor" = celery ] && scale=(--scale "airflow-worker=$workers")
"${compose[@]}" up -d --no-build --wait --wait-timeout 600 "${scale[@]}" "${services[@]}"

port=$("${compose[@]}" port airflow-apiserver 8080 | sed 's/.*://')
user=${AIRFLOW_ADMIN_USER:-$(sed -n 's/^AIRFLOW_ADMIN_USER=//p' "$env_file")}
user=${user:-admin}
password=$("${compose[@]}" exec -T airflow-apiserver python -c "import json, sys
print(json.load(open('/opt/airflow/simple_auth_manager_passwords.json.generated'))[sys.argv[1]])" "$user")
echo "Airflow UI: http://localhost:$port"
echo "user: $user"
echo "password: $password"
