"""The compose stack's lake catalog roles (feedwarehouse_dev/lake_roles.py) on a real
PostgreSQL on 127.0.0.1: the pipeline's `lake` role writes both lakes; `bi_reader` runs the
README's READ_ONLY attach of the published lake and can neither write it nor read the build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from helpers.lake_catalog import CatalogServer, catalog_server

from feedwarehouse.lake import attach_sql, load_extensions
from feedwarehouse_dev.lake_roles import prepare_catalog
from feedwarehouse_dev.local_postgres import HOST, USER


@pytest.fixture(scope="module")
def server() -> Iterator[CatalogServer]:
    with catalog_server() as started:
        yield started


def _dsn(server: CatalogServer, user: str, password: str) -> str:
    return f"host={HOST} port={server.server.port} dbname=lake user={user} password={password}"


def _duckdb() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    load_extensions(conn)
    return conn


def test_bi_reader_attaches_the_published_lake_read_only(
    server: CatalogServer, tmp_path: Path
) -> None:
    admin = {"host": HOST, "port": str(server.server.port), "user": USER}
    admin["password"] = server.password
    prepare_catalog("first-lake-pw", "first-bi-pw", **admin)
    prepare_catalog("lake-pw", "bi-pw", **admin)  # again, as every `make up`: new passwords
    writer = _dsn(server, "lake", "lake-pw")
    with _duckdb() as conn:
        for alias, published in (("build", False), ("pub", True)):
            conn.execute(attach_sql(alias, published=published, catalog=writer, data=str(tmp_path)))
            conn.execute(f"create schema {alias}.marts")
            conn.execute(f"create table {alias}.marts.posts as select 1 as post_id, 'a' as title")
        conn.execute("insert into pub.marts.posts values (2, 'b')")

    reader = _dsn(server, "bi_reader", "bi-pw")
    with _duckdb() as conn:
        conn.execute(
            f"ATTACH 'ducklake:postgres:{reader}' AS lake "
            "(METADATA_SCHEMA 'ducklake_published', READ_ONLY)"
        )
        rows = conn.sql("select post_id, title from lake.marts.posts order by all").fetchall()
        assert rows == [(1, "a"), (2, "b")]
        with pytest.raises(duckdb.Error, match="read-only"):
            conn.execute("insert into lake.marts.posts values (3, 'c')")
        with pytest.raises(duckdb.Error, match="permission denied"):
            conn.execute(
                f"ATTACH 'ducklake:postgres:{reader}' AS build "
                "(METADATA_SCHEMA 'ducklake_build', READ_ONLY)"
            )
    with _duckdb() as conn, pytest.raises(duckdb.Error, match="password authentication failed"):
        conn.execute(
            f"ATTACH 'ducklake:postgres:{_dsn(server, 'bi_reader', 'first-bi-pw')}' AS lake "
            "(METADATA_SCHEMA 'ducklake_published', READ_ONLY)"
        )


def test_a_missing_password_is_refused_before_connecting() -> None:
    with pytest.raises(ValueError, match="LAKE_PASSWORD and BI_READER_PASSWORD"):
        prepare_catalog("lake-pw", "", host=HOST, port="1")
