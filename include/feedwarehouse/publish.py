"""Publish: copy the validated marts into the BI file and swap it in atomically.

Readers that hold the old file keep reading it (the rename never touches their open inode),
and the writer never waits on them. The file is read-only (0444): a BI tool that forgets
`read_only` gets an error instead of taking the write lock or changing published data.
It is written in DuckDB's v1.0.0 storage format so BI drivers that bundle DuckDB 1.x can
open it.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from feedwarehouse import failpoints
from feedwarehouse.config import Paths
from feedwarehouse.warehouse import connect

PUBLISHED_SCHEMAS = ("marts", "quality")
STORAGE_VERSION = "v1.0.0"
READER_MODE = 0o444  # the BI file is for reading; only a publish (a rename) replaces it


def publish(conn: duckdb.DuckDBPyConnection, paths: Paths) -> Path:
    """Write every table of the published schemas to a new file, then rename it into place."""
    target = paths.published
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(target)
    staging = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.duckdb")
    alias = "bi_publish"
    conn.execute(f"attach '{staging}' as {alias} (storage_version '{STORAGE_VERSION}')")
    try:
        for schema, table in _tables(conn):
            conn.execute(f"create schema if not exists {alias}.{schema}")
            source = f"{schema}.{table}"  # from information_schema, not from input
            conn.execute(f"create table {alias}.{source} as select * from {source}")  # noqa: S608
            _copy_comments(conn, alias, schema, table)
            failpoints.hit("publish.table_copied")
        conn.execute(f"detach {alias}")
        staging.chmod(READER_MODE)
        _fsync(staging)
        failpoints.hit("publish.staged")
        os.replace(staging, target)
        failpoints.hit("publish.swapped")
        _fsync(target.parent)
    finally:
        if staging.exists():
            conn.execute(f"detach database if exists {alias}")
            staging.unlink()
            Path(f"{staging}.wal").unlink(missing_ok=True)
    return target


def _remove_abandoned(target: Path) -> None:
    """Staging files of a publish that was killed before its swap (the caller holds the lock)."""
    for leftover in target.parent.glob(f".{target.stem}.*.duckdb*"):
        leftover.unlink(missing_ok=True)


def _copy_comments(conn: duckdb.DuckDBPyConnection, alias: str, schema: str, table: str) -> None:
    """Carry the dbt descriptions (table and column comments) into the BI file."""
    (table_comment,) = conn.execute(
        "select comment from duckdb_tables() "
        "where database_name = current_database() and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    if table_comment:
        conn.execute(f"comment on table {alias}.{schema}.{table} is {_literal(table_comment)}")
    columns = conn.execute(
        "select column_name, comment from duckdb_columns() where database_name = "
        "current_database() and schema_name = ? and table_name = ? and comment is not null",
        [schema, table],
    ).fetchall()
    for column, comment in columns:
        target = f'{alias}.{schema}.{table}."{column}"'
        conn.execute(f"comment on column {target} is {_literal(comment)}")


def _literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _tables(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return conn.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() and list_contains(?, table_schema) "
        "and table_type = 'BASE TABLE' order by 1, 2",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export_marts(paths: Paths, formats: tuple[str, ...] = ("parquet", "csv")) -> list[Path]:
    """Write every mart of the published file as Parquet/CSV for BI tools that prefer files."""
    out_dir = paths.data_dir / "exports"
    out_dir.mkdir(parents=True, exist_ok=True)
    conn = connect(paths.published, read_only=True)
    written: list[Path] = []
    try:
        for schema, table in _tables(conn):
            if schema != "marts":
                continue
            for fmt in formats:
                target = out_dir / f"{table}.{fmt}"
                tmp = target.with_name(f".{target.name}.tmp")
                # identifiers come from information_schema; the path is ours
                conn.execute(f"copy marts.{table} to '{tmp}' (format {fmt})")
                os.replace(tmp, target)
                written.append(target)
    finally:
        conn.close()
    return written
