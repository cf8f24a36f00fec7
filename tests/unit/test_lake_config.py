"""The DuckLake warehouse's pieces that need no catalog server: settings, extensions from their
wheels, which path is the lake, the append DDL and the retry class of a lake conflict."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from feedwarehouse import lake
from feedwarehouse.config import data_paths
from feedwarehouse.errors import ConfigError, TransformFailed
from feedwarehouse.orchestration.failure_kinds import is_transient
from feedwarehouse.settings import Settings, env_name
from feedwarehouse.tables import lake_raw_ddl
from feedwarehouse.transform.dbt_build import lake_target
from feedwarehouse.warehouse import connect, is_lake_warehouse


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in Settings.model_fields:
        monkeypatch.delenv(env_name(field), raising=False)


def test_the_extensions_load_from_their_wheels_without_a_download():
    conn = duckdb.connect()
    lake.load_extensions(conn)
    loaded = conn.execute(
        "select extension_name from duckdb_extensions() where loaded and "
        "extension_name in ('ducklake', 'postgres_scanner', 'httpfs') order by 1"
    ).fetchall()
    assert loaded == [("ducklake",), ("httpfs",), ("postgres_scanner",)]
    assert lake.extension_path("ducklake").parent.name == f"v{duckdb.__version__}"


def test_only_the_writers_file_becomes_the_lake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    paths = data_paths(tmp_path)
    assert not is_lake_warehouse(paths.warehouse)  # the default stays the file
    monkeypatch.setenv("FEEDWAREHOUSE_WAREHOUSE", "ducklake")
    assert is_lake_warehouse(paths.warehouse)
    assert not is_lake_warehouse(paths.published)
    assert not is_lake_warehouse(tmp_path / "publish-spare" / "warehouse.duckdb")


def test_the_lake_needs_its_catalog_and_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("FEEDWAREHOUSE_WAREHOUSE", "ducklake")
    monkeypatch.setenv("FEEDWAREHOUSE_LAKE_DATA", str(tmp_path))
    with pytest.raises(
        ConfigError,
        match=r"^FEEDWAREHOUSE_WAREHOUSE=ducklake needs FEEDWAREHOUSE_LAKE_CATALOG set$",
    ):
        connect(data_paths(tmp_path).warehouse)
    with pytest.raises(ConfigError, match="FEEDWAREHOUSE_LAKE_CATALOG"):
        lake_target()
    monkeypatch.setenv("FEEDWAREHOUSE_LAKE_CATALOG", "host=127.0.0.1 dbname=lake")
    assert lake_target() == ("--target", "lake")


def test_a_bad_warehouse_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FEEDWAREHOUSE_WAREHOUSE", "postgres")
    with pytest.raises(ConfigError, match=r"\$FEEDWAREHOUSE_WAREHOUSE: .*'postgres'"):
        lake.lake_settings()


def test_attach_statements_of_the_two_lakes():
    build = lake.attach_sql("lake", published=False, catalog="host=h dbname=d", data="/mnt/lake")
    assert build == (
        "ATTACH 'ducklake:postgres:host=h dbname=d' AS lake "
        "(METADATA_SCHEMA 'ducklake_build', DATA_PATH '/mnt/lake/build/')"
    )
    reader = lake.attach_sql("bi", published=True, read_only=True, catalog="host=h dbname=d")
    assert reader == (
        "ATTACH 'ducklake:postgres:host=h dbname=d' AS bi "
        "(METADATA_SCHEMA 'ducklake_published', READ_ONLY)"
    )


def test_latest_load_views_keep_the_files_columns():
    conn = duckdb.connect()
    conn.execute("create schema raw")
    for statement in lake_raw_ddl().split(";"):
        if statement.strip():
            conn.execute(statement)
    file_conn = duckdb.connect()
    file_conn.execute("create schema raw")
    from feedwarehouse.tables import RAW_DDL

    file_conn.execute(RAW_DDL)
    for table in ("fetches", "entries"):
        described = f"select column_name, column_type from (describe raw.{table})"
        assert conn.execute(described).fetchall() == file_conn.execute(described).fetchall()
    assert "primary key" not in lake_raw_ddl()


def test_a_lake_write_conflict_is_transient_even_inside_a_failed_build():
    conflict = (  # what DuckDB 1.5.5 raised for two delete+insert transactions on a lake
        "TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.\n"
        'Transaction conflict - attempting to insert into table with index "1" - but another '
        "transaction has deleted inlined data from it"
    )
    assert is_transient(duckdb.TransactionException(conflict))
    assert is_transient(TransformFailed(f"dbt build failed: model.x: error ({conflict})"))
    assert not is_transient(TransformFailed("dbt build failed: test not_null failed"))
