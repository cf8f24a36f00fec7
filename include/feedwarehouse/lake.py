"""The DuckLake warehouse (FEEDWAREHOUSE_WAREHOUSE=ducklake): its extensions and its two lakes.

The catalog lives in PostgreSQL ($FEEDWAREHOUSE_LAKE_CATALOG, a libpq connection string), the
data as Parquet under $FEEDWAREHOUSE_LAKE_DATA (a folder every worker reaches, or s3://…). It
holds two DuckLake catalogs in that one PostgreSQL database, each in its own schema:

- the *build* lake (`ducklake_build`, data under `build/`): what the writer loads, dbt builds
  and the gates validate; attached as `lake` and made the default database, so the package's
  `raw.fetches`, `marts.posts`, … mean the same tables as in the embedded file;
- the *published* lake (`ducklake_published`, data under `published/`): what BI tools attach
  read-only; publish (publish/lake_publish.py) copies the validated schemas into it in one
  transaction, so a reader sees either the previous publish or the next, never a build.

The extensions come from the duckdb-extension-* wheels in uv.lock and are loaded by path: no
download, no extension directory to write.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

from feedwarehouse.errors import ConfigError
from feedwarehouse.settings import settings

EXTENSIONS = ("ducklake", "postgres_scanner", "httpfs")
BUILD = "lake"  # the alias of the build lake, the connection's default database
PUBLISHED = "published_lake"  # the alias of the published lake when the writer attaches it
BUILD_SCHEMA = "ducklake_build"
PUBLISHED_SCHEMA = "ducklake_published"


def extension_path(name: str) -> Path:
    """The binary the wheel duckdb-extension-<name> installed for this DuckDB version."""
    package = f"duckdb_extension_{name}"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"FEEDWAREHOUSE_WAREHOUSE=ducklake needs the package duckdb-extension-"
            f"{name.replace('_', '-')}=={duckdb.__version__}: run `make install`"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    binary = root / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not binary.exists():
        found = sorted(p.name for p in (root / "extensions").glob("v*"))
        raise ConfigError(
            f"{binary} is missing: the wheel is built for DuckDB {found}, this is "
            f"{duckdb.__version__}; pin both to one version"
        )
    return binary


def load_extensions(conn: duckdb.DuckDBPyConnection) -> None:
    """Load ducklake, postgres_scanner and httpfs from their wheels (never downloads)."""
    conn.execute("set autoinstall_known_extensions = false")
    for name in EXTENSIONS:
        conn.execute(f"load '{extension_path(name)}'")


def lake_settings() -> tuple[str, str]:
    """The catalog's connection string and the data root; a ConfigError if either is unset."""
    current = settings()
    missing = [
        name
        for name, value in (
            ("FEEDWAREHOUSE_LAKE_CATALOG", current.lake_catalog),
            ("FEEDWAREHOUSE_LAKE_DATA", current.lake_data),
        )
        if not value
    ]
    if missing:
        raise ConfigError(f"FEEDWAREHOUSE_WAREHOUSE=ducklake needs {' and '.join(missing)} set")
    return str(current.lake_catalog), str(current.lake_data).rstrip("/")


def attach_sql(
    alias: str, *, published: bool, read_only: bool = False, catalog: str = "", data: str = ""
) -> str:
    """The ATTACH statement of the build or the published lake."""
    if not catalog:
        catalog, data = lake_settings()
    schema, folder = (PUBLISHED_SCHEMA, "published") if published else (BUILD_SCHEMA, "build")
    options = [f"METADATA_SCHEMA '{schema}'"]
    if read_only:
        options.append("READ_ONLY")
    else:
        options.append(f"DATA_PATH '{_quote(data)}/{folder}/'")
    return f"ATTACH 'ducklake:postgres:{_quote(catalog)}' AS {alias} ({', '.join(options)})"


def connect_lake(
    config: dict[str, str], *, read_only: bool = False, published: bool = False
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a lake attached as the default database."""
    conn = duckdb.connect(config=config)
    try:
        load_extensions(conn)
        alias = PUBLISHED if published else BUILD
        conn.execute(attach_sql(alias, published=published, read_only=read_only))
        conn.execute(f"use {alias}")
    except BaseException:
        conn.close()
        raise
    return conn


def is_lake(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's default database is a DuckLake catalog."""
    row = conn.execute(
        "select type from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return row is not None and row[0] == "ducklake"


def _quote(text: str) -> str:
    return text.replace("'", "''")
