"""Publish on the lake: the validated schemas copied into the published lake in one commit.

Write-audit-publish with DuckLake: dbt builds and the gates validate in the build lake, which
no BI tool attaches. After both gates pass, publish copies every table of the published
schemas (bi_file.PUBLISHED_SCHEMAS: marts, quality) with its comments into the published lake
(lake.py) inside ONE transaction: DuckLake commits it as one snapshot, so a reader attached to
the published lake sees the previous publish or this one, whole, and never a build. Tables no
longer built are dropped in the same transaction. The snapshot carries the commit message
`published through YYYY-MM-DD` (the newest logical date in the raw layer), so a reader finds
the marts as of any published day with

    select max(snapshot_id) from lake.snapshots() where commit_message = 'published through D'

and reads them `AT (VERSION => n)`.
"""

from __future__ import annotations

import logging
from datetime import date

import duckdb

from feedwarehouse import failpoints
from feedwarehouse.lake import PUBLISHED, attach_sql
from feedwarehouse.publish.bi_file import _copy_comments, _tables

log = logging.getLogger(__name__)

COMMIT_AUTHOR = "feedwarehouse publish"


def commit_message(through: date | None) -> str:
    return f"published through {through or 'nothing'}"


def publish_lake(conn: duckdb.DuckDBPyConnection) -> int:
    """Copy the build lake's published schemas into the published lake; the new snapshot id."""
    (through,) = conn.execute("select max(logical_date) from raw.fetches").fetchone()
    conn.execute(f"detach database if exists {PUBLISHED}")
    conn.execute(attach_sql(PUBLISHED, published=True))
    try:
        wanted = _tables(conn)
        gone = [table for table in _tables(conn, PUBLISHED) if table not in wanted]
        conn.execute("begin transaction")
        try:
            for schema, table in gone:
                conn.execute(f"drop table {PUBLISHED}.{schema}.{table}")
            for schema, table in wanted:
                conn.execute(f"create schema if not exists {PUBLISHED}.{schema}")
                conn.execute(
                    f"create or replace table {PUBLISHED}.{schema}.{table} as "  # noqa: S608
                    f"select * from {schema}.{table}"
                )
                _copy_comments(conn, PUBLISHED, schema, table)
                failpoints.hit("lake_publish.table_copied")
            conn.execute(
                f"call {PUBLISHED}.set_commit_message(?, ?)",
                [COMMIT_AUTHOR, commit_message(through)],
            )
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
        (snapshot,) = conn.execute(
            f"select max(snapshot_id) from {PUBLISHED}.snapshots()"  # noqa: S608
        ).fetchone()
    finally:
        conn.execute(f"detach database if exists {PUBLISHED}")
    log.info("published lake: snapshot %s, %s", snapshot, commit_message(through))
    return int(snapshot)
