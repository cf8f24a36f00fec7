"""Every table the package itself creates (the raw layer and quality results), in one place.

dbt owns the layers between; the raw tables' rows cross module boundaries as one dataclass per
table whose fields are its columns, in table order, so a row is built by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime

import duckdb

from feedwarehouse.lake import is_lake

SCHEMAS = ("raw", "staging", "intermediate", "marts", "snapshots", "quality")

RAW_DDL = """
create table if not exists raw.fetches (
    fetch_id varchar primary key,
    feed_id varchar not null,
    url varchar not null,
    logical_date date not null,
    fetched_at timestamp not null,
    http_status integer,
    etag varchar,
    last_modified varchar,
    payload_sha256 varchar,
    payload_bytes bigint,
    entry_count integer,
    error varchar,
    bozo_reason varchar,
    feed_title varchar,
    feed_link varchar,
    feed_subtitle varchar,
    feed_language varchar,
    feed_generator varchar,
    feed_json json,
    is_unchanged boolean,
    fetch_mode varchar,
    page_count integer,
    content_type varchar,
    warning varchar
);
create table if not exists raw.entries (
    fetch_id varchar not null,
    feed_id varchar not null,
    logical_date date not null,
    entry_index integer not null,
    guid varchar,
    link varchar,
    title varchar,
    author varchar,
    published varchar,
    published_at timestamp,
    updated varchar,
    updated_at timestamp,
    categories varchar[],
    summary varchar,
    content varchar,
    comments_count integer,
    enclosure_count integer,
    entry_json json,
    -- resolved at parse time (entry_fields)
    author_name varchar,
    updated_element varchar,
    body_html varchar,
    body_source varchar,
    is_past_break boolean,
    primary key (fetch_id, entry_index)
);
"""

RESULTS_DDL = """
create table if not exists quality.validation_runs (
    run_id varchar not null,
    logical_date date not null,
    validated_at timestamp not null,
    suite varchar not null,
    table_name varchar not null,
    expectation varchar not null,
    column_name varchar,
    severity varchar not null,
    success boolean not null,
    element_count bigint,
    unexpected_count bigint,
    observed_value varchar,
    sample_values varchar,
    suite_fingerprint varchar
)
"""
# posts taken out of every mart and the BI file by `feedwarehouse retire` (quality/retire.py)
RETIRED_DDL = """
create table if not exists quality.retired_posts (
    post_id varchar primary key,
    reason varchar not null,
    retired_at timestamp not null,
    retired_by varchar not null
)
"""


@dataclass(frozen=True)
class FetchRow:
    """One row of raw.fetches: one feed fetch attempt for one logical date."""

    fetch_id: str
    feed_id: str
    url: str
    logical_date: date
    fetched_at: datetime
    http_status: int | None
    etag: str | None
    last_modified: str | None
    payload_sha256: str | None
    payload_bytes: int | None
    entry_count: int | None
    error: str | None
    bozo_reason: str | None
    feed_title: str | None
    feed_link: str | None
    feed_subtitle: str | None
    feed_language: str | None
    feed_generator: str | None
    feed_json: str | None
    is_unchanged: bool
    fetch_mode: str
    page_count: int
    content_type: str | None
    warning: str | None = None  # "not well-formed: N entries recovered, …" (wellformed.py)


@dataclass(frozen=True)
class EntryRow:
    """One row of raw.entries: one entry of one fetch."""

    fetch_id: str
    feed_id: str
    logical_date: date
    entry_index: int
    guid: str | None
    link: str | None
    title: str | None
    author: str | None
    published: str | None
    published_at: datetime | None
    updated: str | None
    updated_at: datetime | None
    categories: list[str]
    summary: str | None
    content: str | None
    comments_count: int | None
    enclosure_count: int | None
    entry_json: str
    author_name: str | None
    updated_element: str | None
    body_html: str | None
    body_source: str | None
    is_past_break: bool = False  # recovered at or past a not-well-formed payload's break


FETCH_COLUMNS = [column.name for column in fields(FetchRow)]
ENTRY_COLUMNS = [column.name for column in fields(EntryRow)]
# the feed metadata of a parsed fetch, copied onto an unchanged fetch that is not re-parsed
FEED_META_COLUMNS = (
    "bozo_reason",
    "feed_title",
    "feed_link",
    "feed_subtitle",
    "feed_language",
    "feed_generator",
    "feed_json",
    "warning",
)


# DuckLake's raw layer (load/lake_raw.py appends to it): the latest load of a fetch wins
LOAD_COLUMNS = "load_id varchar not null, loaded_at timestamp not null"


def lake_raw_ddl() -> str:
    """The append tables (the file's raw DDL without keys, DuckLake has none) and the views."""
    ddl = re.sub(r",\s*primary key \([^)]*\)", "", RAW_DDL)
    ddl = ddl.replace(" primary key", "")
    ddl = ddl.replace("raw.fetches (", "raw.fetch_loads (").replace(
        "raw.entries (", "raw.entry_loads ("
    )
    # the load's stamp goes last, so `* exclude (…)` gives the file's column order
    ddl = re.sub(r"\n\);", f",\n    {LOAD_COLUMNS}\n);", ddl)
    return ddl + LATEST_VIEWS


# the latest load of each fetch: newest loaded_at, the load_id breaking a tie
LATEST_VIEWS = """
create view if not exists raw.fetches as
select * exclude (load_id, loaded_at) from raw.fetch_loads
qualify row_number() over (partition by fetch_id order by loaded_at desc, load_id desc) = 1;
create view if not exists raw.entries as
select * exclude (load_id, loaded_at) from raw.entry_loads
where load_id in (
    select arg_max(load_id, (loaded_at, load_id)) from raw.fetch_loads group by fetch_id
);
"""


def ensure_lake_raw(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the append tables and the latest-load views if they are not there yet."""
    for statement in lake_raw_ddl().split(";"):
        if statement.strip():
            conn.execute(statement)


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas and the package's tables, each whole (no column is added later)."""
    for schema in SCHEMAS:
        conn.execute(f"create schema if not exists {schema}")
    if is_lake(conn):
        ensure_lake_raw(conn)  # appends and latest-load views (loads: load/lake_raw.py)
    else:
        conn.execute(RAW_DDL)
    ensure_quality_tables(conn)


def ensure_quality_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists quality")
    conn.execute(RESULTS_DDL)
    # DuckLake has no keys: retire.py deletes a post's earlier retirement itself
    conn.execute(RETIRED_DDL.replace(" primary key", "") if is_lake(conn) else RETIRED_DDL)


def insert_rows(
    conn: duckdb.DuckDBPyConnection, table: str, rows: list[FetchRow] | list[EntryRow]
) -> None:
    """Insert dataclass rows into `table`, columns named from the row's fields.

    Passed column by column, as one list each, unnested side by side: as fast as a DataFrame
    scan here, where executemany (a statement per row) is eight times slower.
    """
    if not rows:
        return
    columns = [column.name for column in fields(rows[0])]
    unnested = ", ".join(f"unnest(${index})" for index in range(1, len(columns) + 1))
    conn.execute(
        f"insert into {table} ({', '.join(columns)}) select {unnested}",
        [[getattr(row, column) for row in rows] for column in columns],
    )
