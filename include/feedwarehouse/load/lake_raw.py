"""The raw layer on the lake: loads are appends, and the latest load of a fetch wins.

In the embedded file a load replaces its (feed, date)'s rows (delete + insert). On DuckLake
two workers deleting rows of one table conflict ("another transaction has deleted from it"),
while appends commit side by side. So on the lake every load appends to `raw.fetch_loads` and
`raw.entry_loads`, stamped with its own `load_id` and `loaded_at`, and `raw.fetches` and
`raw.entries` are views holding, per `fetch_id`, only the rows of its latest load: the same
names and columns as the file's tables, so dbt, the gates and the reports read them unchanged,
and a second load of a (feed, date) supersedes the first instead of doubling it.
"""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import UTC, datetime

import duckdb

from feedwarehouse.tables import EntryRow, FetchRow


def append_fetch(conn: duckdb.DuckDBPyConnection, fetch: FetchRow, entries: list[EntryRow]) -> str:
    """Append one load of a fetch (its row and its entries) in one transaction; its load_id.

    The caller's transaction is this one: nothing of the load is visible until commit, and a
    process killed before it leaves no row behind (DuckLake writes Parquet, then commits the
    snapshot in the catalog).
    """
    load_id = uuid.uuid4().hex
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    _insert(conn, "raw.fetch_loads", [fetch], load_id, loaded_at)
    _insert(conn, "raw.entry_loads", entries, load_id, loaded_at)
    return load_id


def _insert(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    rows: list[FetchRow] | list[EntryRow],
    load_id: str,
    loaded_at: datetime,
) -> None:
    """tables.insert_rows' column-wise unnest, with the load's stamp on every row."""
    if not rows:
        return
    columns = [column.name for column in fields(rows[0])]
    count = len(columns)
    unnested = ", ".join(f"unnest(${index})" for index in range(1, count + 1))
    conn.execute(
        f"insert into {table} ({', '.join(columns)}, load_id, loaded_at) "
        f"select {unnested}, ${count + 1}, ${count + 2}",
        [*([getattr(row, column) for row in rows] for column in columns), load_id, loaded_at],
    )
