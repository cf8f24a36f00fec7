"""The DuckLake catalog in the compose stack's PostgreSQL: its database, its writer, its reader.

`make up WAREHOUSE=ducklake` runs this in airflow-init (docker-compose.lake.yml) as the
server's superuser, through libpq's PGHOST / PGUSER / PGPASSWORD:

- role `lake` (LOGIN, $LAKE_PASSWORD) owns database `lake` and its two DuckLake metadata
  schemas, `ducklake_build` and `ducklake_published` (lake.py): the pipeline writes as `lake`;
- role `bi_reader` (LOGIN, $BI_READER_PASSWORD) may connect to `lake` and SELECT the tables of
  `ducklake_published` only, now and those `lake` creates later (default privileges): a BI
  tool attaches the published lake READ_ONLY and can neither write it nor read the build.

Idempotent: a second run (every `make up`) creates nothing twice and sets both passwords to
the values in .env again.
"""

from __future__ import annotations

import os
import sys

import psycopg2
from psycopg2 import sql

from feedwarehouse.lake import BUILD_SCHEMA, PUBLISHED_SCHEMA

DATABASE = "lake"
WRITER = "lake"
READER = "bi_reader"


def _ensure_role(cur: psycopg2.extensions.cursor, role: str, password: str) -> None:
    cur.execute("select 1 from pg_roles where rolname = %s", (role,))
    verb = "alter" if cur.fetchone() else "create"
    cur.execute(
        sql.SQL(verb + " role {} login password {}").format(
            sql.Identifier(role), sql.Literal(password)
        )
    )


def prepare_catalog(
    lake_password: str, reader_password: str, database: str = DATABASE, **admin: str
) -> None:
    """Create (or re-grant) the catalog database, its writer and its read-only BI role.

    `admin` are psycopg2.connect keywords of a superuser; unset ones come from libpq's PG*
    environment variables."""
    if not lake_password or not reader_password:
        raise ValueError("LAKE_PASSWORD and BI_READER_PASSWORD must both be set (in .env)")
    conn = psycopg2.connect(**{"dbname": "postgres", **admin})
    conn.autocommit = True  # create database refuses to run inside a transaction
    try:
        with conn.cursor() as cur:
            _ensure_role(cur, WRITER, lake_password)
            _ensure_role(cur, READER, reader_password)
            cur.execute("select 1 from pg_database where datname = %s", (database,))
            if not cur.fetchone():
                cur.execute(
                    sql.SQL("create database {} owner {}").format(
                        sql.Identifier(database), sql.Identifier(WRITER)
                    )
                )
            db = sql.Identifier(database)
            cur.execute(sql.SQL("revoke all on database {} from public").format(db))
            cur.execute(
                sql.SQL("grant connect on database {} to {}").format(db, sql.Identifier(READER))
            )
    finally:
        conn.close()
    conn = psycopg2.connect(**{**admin, "dbname": database})
    try:
        with conn, conn.cursor() as cur:
            writer, reader = sql.Identifier(WRITER), sql.Identifier(READER)
            cur.execute("revoke create on schema public from public")
            for schema in (BUILD_SCHEMA, PUBLISHED_SCHEMA):
                cur.execute(
                    sql.SQL("create schema if not exists {} authorization {}").format(
                        sql.Identifier(schema), writer
                    )
                )
            published = sql.Identifier(PUBLISHED_SCHEMA)
            cur.execute(sql.SQL("grant usage on schema {} to {}").format(published, reader))
            cur.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(published, reader)
            )
            cur.execute(
                sql.SQL(
                    "alter default privileges for role {} in schema {} grant select on tables to {}"
                ).format(writer, published, reader)
            )
    finally:
        conn.close()


def main() -> int:
    try:
        prepare_catalog(
            os.environ.get("LAKE_PASSWORD", ""), os.environ.get("BI_READER_PASSWORD", "")
        )
    except (ValueError, psycopg2.Error) as exc:
        print(f"error: the lake catalog: {exc}", file=sys.stderr)
        return 1
    print(f"lake catalog ready: database {DATABASE}, writer {WRITER}, read-only {READER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
