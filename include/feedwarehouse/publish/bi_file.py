"""Publish: bring the validated marts into the BI file and swap it in atomically.

Readers that hold the old file keep reading it (the rename never touches their open inode),
and the writer never waits on them. The file is read-only (0444): a BI tool that forgets
`read_only` gets an error instead of taking the write lock or changing published data.
It is written in DuckDB's v1.0.0 storage format so BI drivers that bundle DuckDB 1.x can
open it.

A publish costs what changed, not the size of the marts: the file the last publish replaced
is kept as a spare (a second name, outside the readers' folder) and the next publish brings
it up to date instead of writing every table anew: rows of a table with a `version_hash`
(marts.posts, the bulk: its HTML bodies) are deleted and inserted by that hash, the other
(narrow) tables are copied whole. The spare is only reused when no reader has it open:
DuckDB's own file lock, taken by every reader, tells (and, as that lock is per process, this
process's own open files); otherwise a new file is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from feedwarehouse import failpoints
from feedwarehouse.config import Paths
from feedwarehouse.warehouse import connect

PUBLISHED_SCHEMAS = ("marts", "quality")
STORAGE_VERSION = "v1.0.0"
READER_MODE = 0o444  # the BI file is for reading; only a publish (a rename) replaces it
WRITER_MODE = 0o644  # the spare, while a publish brings it up to date
ROW_VERSION = "version_hash"  # a table with this column is published row by row
ALIAS = "bi_publish"


def publish(conn: duckdb.DuckDBPyConnection, paths: Paths) -> Path:
    """Bring the spare (else a new file) up to the published schemas, then rename it in."""
    target = paths.published
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(target)
    staging = spare_path(paths)
    staging.parent.mkdir(parents=True, exist_ok=True)
    kept = staging.with_name(f".{staging.stem}.next.duckdb")
    kept.unlink(missing_ok=True)
    _attach_staging(conn, staging, target)
    try:
        _sync(conn)
        conn.execute(f"detach {ALIAS}")
        staging.chmod(READER_MODE)
        _fsync(staging)
        failpoints.hit("publish.staged")
        kept_old = _link(target, kept)  # the version readers have now: the next spare
        os.replace(staging, target)
        failpoints.hit("publish.swapped")
        _fsync(target.parent)
        if kept_old:
            os.replace(kept, staging)
            _fsync(staging.parent)
    except BaseException:
        # a half-synced spare would be brought up to date next time; a new start is simpler
        conn.execute(f"detach database if exists {ALIAS}")
        for leftover in (staging, Path(f"{staging}.wal"), kept):
            leftover.unlink(missing_ok=True)
        raise
    return target


def spare_path(paths: Paths) -> Path:
    """Where the previous BI file waits for the next publish (same filesystem, not readable)."""
    return paths.data_dir / "publish-spare" / paths.published.name


def _attach_staging(conn: duckdb.DuckDBPyConnection, staging: Path, target: Path) -> None:
    """Attach the spare for writing if it is safe to change, else a new empty file there."""
    reusable = (
        staging.exists()
        and not Path(f"{staging}.wal").exists()
        and not (target.exists() and os.path.samefile(staging, target))
        and not _open_here(staging)
    )
    if reusable:
        staging.chmod(WRITER_MODE)
        try:
            conn.execute(f"attach '{staging}' as {ALIAS}")
            return
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise
            # a reader still holds this old version: it keeps it, we start a new file
    for leftover in (staging, Path(f"{staging}.wal")):
        leftover.unlink(missing_ok=True)
    conn.execute(f"attach '{staging}' as {ALIAS} (storage_version '{STORAGE_VERSION}')")


def _open_here(path: Path) -> bool:
    """Whether this process has the file open (DuckDB's lock does not stop its own process)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return False
    wanted = path.stat()
    for fd in fds.iterdir():
        try:
            found = fd.stat()
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (wanted.st_dev, wanted.st_ino):
            return True
    return False


def _sync(conn: duckdb.DuckDBPyConnection) -> None:
    """Make the attached file hold exactly the published schemas' tables, rows and comments."""
    wanted = _tables(conn)
    for schema, table in _tables(conn, ALIAS):
        if (schema, table) not in wanted:
            conn.execute(f"drop table {ALIAS}.{schema}.{table}")
    for schema, table in wanted:
        conn.execute(f"create schema if not exists {ALIAS}.{schema}")
        columns = _columns(conn, "current", schema, table)
        names = [name for name, _ in columns]
        source, copy = f"{schema}.{table}", f"{ALIAS}.{schema}.{table}"  # from the catalog
        if ROW_VERSION in names and columns == _columns(conn, ALIAS, schema, table):
            # rows whose version is gone go, versions not yet there come (a null never matches)
            conn.execute(
                f"delete from {copy} as old where not exists (select 1 from {source} as new "  # noqa: S608
                f"where new.{ROW_VERSION} = old.{ROW_VERSION})"
            )
            conn.execute(
                f"insert into {copy} select * from {source} as new where not exists "  # noqa: S608
                f"(select 1 from {copy} as old where old.{ROW_VERSION} = new.{ROW_VERSION})"
            )
        else:
            conn.execute(f"create or replace table {copy} as select * from {source}")  # noqa: S608
        _copy_comments(conn, ALIAS, schema, table)
        failpoints.hit("publish.table_copied")


def _columns(
    conn: duckdb.DuckDBPyConnection, database: str, schema: str, table: str
) -> list[tuple[str, str]]:
    """(name, type) of a table's columns in order; `current` is the writer's own database."""
    return conn.execute(
        "select column_name, data_type from duckdb_columns() where database_name = "
        "(case when ? = 'current' then current_database() else ? end) "
        "and schema_name = ? and table_name = ? order by column_index",
        [database, database, schema, table],
    ).fetchall()


def _link(target: Path, name: Path) -> bool:
    """A second name for the current BI file, if there is one and the filesystem allows it."""
    if not target.exists():
        return False
    try:
        os.link(target, name)
    except OSError:
        return False  # another filesystem (or no hard links): the next publish writes anew
    return True


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


def _tables(conn: duckdb.DuckDBPyConnection, database: str = "current") -> list[tuple[str, str]]:
    return conn.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = "
        "(case when ? = 'current' then current_database() else ? end) "
        "and list_contains(?, table_schema) and table_type = 'BASE TABLE' order by 1, 2",
        [database, database, list(PUBLISHED_SCHEMAS)],
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
