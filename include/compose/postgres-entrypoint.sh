#!/bin/bash
# The official postgres image's contract, on Debian's postgresql-15: POSTGRES_USER, POSTGRES_PASSWORD
# and POSTGRES_DB create the cluster on first start in PGDATA (/var/lib/postgresql/data).
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > "$pwfile"
    chown postgres "$pwfile"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" \
        --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=trust > /dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    db=${POSTGRES_DB:-${POSTGRES_USER:-postgres}}
    if [ "$db" != postgres ]; then
        # a server on a private socket only: pg_isready (the healthcheck) cannot see it
        sock=$(mktemp -d) && chown postgres "$sock"
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -w -s \
            -o "-c listen_addresses='' -k $sock" start
        runuser -u postgres -- "$PGBIN/createdb" -h "$sock" -U "${POSTGRES_USER:-postgres}" "$db"
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -w -s stop
        rm -rf "$sock"
    fi
fi
exec runuser -u postgres -- "$PGBIN/postgres" -D "$PGDATA" -c listen_addresses='*'
