"""Raw rows written as the loader writes them, and dbt built on them: for the dbt model tests."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
from dbt.cli.main import dbtRunner

from feedwarehouse.load.raw import fetch_id_for

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def entry(title: str, **fields: Any) -> dict[str, Any]:
    return {"title": title, **fields}


def insert_fetch(
    conn: duckdb.DuckDBPyConnection,
    feed_id: str,
    day: date,
    entries: list[dict[str, Any]],
    *,
    error: str | None = None,
    fetched_at: datetime | None = None,
) -> None:
    """Replace one (feed, day) fetch and its entries, as the loader does."""
    fetch_id = fetch_id_for(feed_id, day)
    conn.execute("delete from raw.entries where fetch_id = ?", [fetch_id])
    conn.execute("delete from raw.fetches where fetch_id = ?", [fetch_id])
    ok = error is None
    conn.execute(
        "insert into raw.fetches (fetch_id, feed_id, url, logical_date, fetched_at, http_status,"
        " entry_count, error, feed_title, feed_link, feed_subtitle, feed_language, feed_generator)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            fetch_id,
            feed_id,
            f"https://{feed_id}.example/feed/",
            day,
            fetched_at or datetime.combine(day, datetime.min.time()).replace(hour=1),
            200 if ok else 503,
            len(entries) if ok else None,
            error,
            f"{feed_id.title()} Blog" if ok else None,
            f"https://{feed_id}.example/" if ok else None,
            f"All about {feed_id}" if ok else None,
            "en" if ok else None,
            "WordPress 6.5" if ok else None,
        ],
    )
    for index, item in enumerate(entries):
        conn.execute(
            "insert into raw.entries (fetch_id, feed_id, logical_date, entry_index, guid, link,"
            " title, author, author_name, published, published_at, updated_at, updated_element,"
            " categories, summary, content, body_html, body_source, comments_count,"
            " enclosure_count, entry_json)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'updated', ?, ?, ?, ?, ?, ?, 0, '{}')",
            [
                fetch_id,
                feed_id,
                day,
                index,
                item.get("guid"),
                item.get("link"),
                item["title"],
                item.get("author"),
                item.get("author"),  # parse resolves the name; these are names already
                item.get("published"),
                item.get("published_at"),
                item.get("updated_at"),
                item.get("categories", []),
                item.get("summary"),
                item.get("content"),
                item.get("content"),  # the fullest body, as parse picks it
                "content:encoded" if item.get("content") else None,
                item.get("comments_count"),
            ],
        )


def dbt_build(data_dir: Path, *extra: str) -> None:
    """`dbt build` against data_dir's warehouse (FEEDWAREHOUSE_DATA_DIR must point there)."""
    result = dbtRunner().invoke(
        [
            "build",
            "--project-dir", str(DBT_DIR),
            "--profiles-dir", str(DBT_DIR),
            "--target-path", str(data_dir / "target"),
            "--log-path", str(data_dir / "logs"),
            "--quiet",
            *extra,
        ]
    )  # fmt: skip  # argv: flags by values
    failures = [
        f"{node.node.unique_id}: {node.status} {node.message}"
        for node in getattr(result.result, "results", None) or []
        if str(node.status) not in {"success", "pass"}
    ]
    assert result.success, failures or result.exception


def query(database: Path, sql: str) -> list[tuple]:
    """The rows `sql` returns from the DuckDB file `database`, opened read-only."""
    conn = duckdb.connect(str(database), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def rows(data_dir: Path, sql: str) -> list[tuple]:
    return query(data_dir / "warehouse.duckdb", sql)
