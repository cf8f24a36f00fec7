"""Incremental dbt builds day by day equal a full refresh; history and deletions come out right."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_dbt_models import dbt_build, entry, insert_fetch, md5

from feedwarehouse.tables import ensure_schema

DAYS = [date(2024, 6, 1) + timedelta(days=n) for n in range(5)]
COMPARED = (
    "marts.posts", "marts.tags", "marts.post_tags", "marts.authors", "marts.feed_authors",
    "marts.feeds", "marts.daily_posts", "marts.daily_tag_posts", "marts.daily_author_posts",
    "quality.quarantined_entries", "intermediate.int_posts_latest",
)  # fmt: skip


def post(key: str, day: int, **fields: Any) -> dict[str, Any]:
    """A gamma post published at noon of 2024-05-<day>, identified by its guid."""
    fields.setdefault("categories", ["News"])
    return entry(
        fields.pop("title", f"Post {key}"),
        guid=f"gamma-{key}",
        link=f"https://gamma.example/{key}/",
        author=fields.pop("author", "Ann"),
        published_at=datetime(2024, 5, day, 12, 0),
        content=f"<p>Body of {key}</p>",
        **fields,
    )


# Newest first, as feeds list them. Day 2 edits A; day 3 drops B although it lists the older A
# (B was deleted); day 4 lists only E and D (A and C scrolled out); day 5's fetch failed.
FETCHES: list[tuple[date, list[dict[str, Any]], str | None]] = [
    (DAYS[0], [post("c", 3), post("b", 2), post("a", 1)], None),
    (DAYS[1], [post("d", 4), post("c", 3), post("b", 2), post("a", 1, title="A, edited")], None),
    (
        DAYS[2],
        [post("d", 4), post("c", 3, author="ann "), post("a", 1, title="A, edited"), entry("")],
        None,
    ),
    (DAYS[3], [post("e", 5, categories=["News", "Q&amp;A"]), post("d", 4)], None),
    (DAYS[4], [post("ghost", 6)], "HTTP 500"),
]
# Reloaded long after, outside the lookback window: day 1 now also lists an old post Z.
DAY1_RELOAD = [post("c", 3), post("b", 2), post("a", 1), post("z", 1, title="Old Z")]


def load(data_dir: Path, day: date, items: list[dict[str, Any]], error: str | None, **kw) -> None:
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        ensure_schema(conn)
        insert_fetch(conn, "gamma", day, items, error=error, **kw)
    finally:
        conn.close()


def tables(database: Path) -> dict[str, list[tuple]]:
    conn = duckdb.connect(str(database), read_only=True)
    try:
        return {t: conn.execute(f"select * from {t} order by all").fetchall() for t in COMPARED}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built after each day's load, then after a late reload of day 1."""
    data_dir = tmp_path_factory.mktemp("incremental")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDWAREHOUSE_DATA_DIR", str(data_dir))
        for day, items, error in FETCHES:
            load(data_dir, day, items, error)
            # models and snapshots only, for speed; the last build runs every test
            dbt_build(data_dir, "--resource-type", "model", "--resource-type", "snapshot")
        load(data_dir, DAYS[0], DAY1_RELOAD, None, fetched_at=datetime(2024, 6, 9, 8, 0))
        dbt_build(data_dir)
    return data_dir


def test_incremental_builds_equal_a_full_refresh(incremental: Path, tmp_path: Path):
    copy = tmp_path / "full"
    copy.mkdir()
    shutil.copy(incremental / "warehouse.duckdb", copy / "warehouse.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDWAREHOUSE_DATA_DIR", str(copy))
        dbt_build(copy, "--full-refresh")
    built, refreshed = tables(incremental / "warehouse.duckdb"), tables(copy / "warehouse.duckdb")
    for table in COMPARED:
        assert built[table] == refreshed[table], table


def test_deleted_versus_scrolled_out(incremental: Path):
    conn = duckdb.connect(str(incremental / "warehouse.duckdb"), read_only=True)
    try:
        posts = conn.execute(
            "select guid, title, first_seen_on, last_seen_on, times_seen, is_deleted_from_feed"
            " from marts.posts order by guid"
        ).fetchall()
        quarantined = conn.execute(
            "select logical_date, reason from quality.quarantined_entries"
        ).fetchall()
    finally:
        conn.close()
    d1, d2, d3, d4, _ = DAYS
    assert posts == [
        ("gamma-a", "A, edited", d1, d3, 3, False),  # day 4 reached back only to D: scrolled out
        ("gamma-b", "Post b", d1, d2, 2, True),  # day 3 listed the older A but not B: deleted
        ("gamma-c", "Post c", d1, d3, 3, False),  # day 4 reached back only to D: scrolled out
        ("gamma-d", "Post d", d2, d4, 3, False),
        ("gamma-e", "Post e", d4, d4, 1, False),
        ("gamma-z", "Old Z", d1, d1, 1, False),  # the late reload of day 1 was picked up
    ]
    assert quarantined == [(d3, "no usable identity")]


def test_snapshot_keeps_edits_as_versions(incremental: Path):
    conn = duckdb.connect(str(incremental / "warehouse.duckdb"), read_only=True)
    try:
        versions = conn.execute(
            "select title, dbt_valid_to is null from snapshots.posts_snapshot"
            " where post_id = ? order by dbt_valid_from",
            [md5("gamma|gamma-a")],
        ).fetchall()
        current = conn.execute(
            "select count(*) from snapshots.posts_snapshot where dbt_valid_to is null"
        ).fetchone()[0]
    finally:
        conn.close()
    assert versions == [("Post a", False), ("A, edited", True)]
    assert current == 6
