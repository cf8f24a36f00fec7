"""Maintenance of the DuckLake warehouse (the feed_warehouse_lake_maintenance DAG).

Each run, for the build and the published lake: merge small adjacent Parquet files (a daily
load writes a few small ones per table), expire snapshots older than
$FEEDWAREHOUSE_LAKE_RETENTION_DAYS (time travel reaches back that far, no further), then delete
the files no snapshot still reads. It runs in the writer pool: a merge rewrites files a
concurrent writer might also touch, and a conflict would only cost a retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from feedwarehouse.lake import BUILD, PUBLISHED, attach_sql
from feedwarehouse.settings import settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Maintained:
    """What one run did to one lake."""

    lake: str
    files_merged: int
    snapshots_expired: int
    files_deleted: int


def maintain(
    conn: duckdb.DuckDBPyConnection, retention_days: int | None = None
) -> list[Maintained]:
    """Compact, expire and clean both lakes; `conn` has the build lake attached (connect())."""
    days = settings().lake_retention_days if retention_days is None else retention_days
    older_than = datetime.now(UTC) - timedelta(days=days)
    conn.execute(f"detach database if exists {PUBLISHED}")
    conn.execute(attach_sql(PUBLISHED, published=True))
    try:
        done = [_maintain_one(conn, alias, older_than) for alias in (BUILD, PUBLISHED)]
    finally:
        conn.execute(f"detach database if exists {PUBLISHED}")
    for result in done:
        log.info("lake maintenance: %s", result)
    return done


def _maintain_one(conn: duckdb.DuckDBPyConnection, alias: str, older_than: datetime) -> Maintained:
    merged = conn.execute("call ducklake_merge_adjacent_files(?)", [alias]).fetchall()
    expired = conn.execute(
        "call ducklake_expire_snapshots(?, older_than => ?)", [alias, older_than]
    ).fetchall()
    deleted = conn.execute(
        "call ducklake_cleanup_old_files(?, cleanup_all => true)", [alias]
    ).fetchall()
    return Maintained(
        lake=alias,
        files_merged=sum(int(row[2]) for row in merged),
        snapshots_expired=len(expired),
        files_deleted=len(deleted),
    )
