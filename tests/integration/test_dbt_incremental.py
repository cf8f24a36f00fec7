"""Incremental dbt builds day by day equal a full refresh; history and deletions come out right."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers.dbt_raw import dbt_build, entry, insert_fetch, md5, rows
from helpers.faultkit import MART_TABLES

from feedwarehouse.load.raw import ensure_schema

DAYS = [date(2024, 6, 1) + timedelta(days=n) for n in range(5)]
COMPARED = (
    *MART_TABLES,
    "quality.quarantined_entries",
    "intermediate.int_posts_latest",
    "intermediate.int_entries_flagged",
)


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
# Reloaded long after, four dates later: day 1 now also lists an old post Z.
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
    # day 3's entry("") carries nothing at all: no post, quarantined as empty (issue 23)
    assert quarantined == [(d3, "empty entry: no guid, link, title, body or date")]


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


# A second history, newest first per fetch: day 3 deletes B (it lists the older A); a backfill
# of day 0 loads after days 1-3 and first lists Y, which day 1 (reaching back to A) then shows
# deleted; days 4-7 follow. Long after, day 3 is reloaded without A
# (so it no longer reaches back past B: B is not deleted after all, though no fetch that lists
# B changed) and day 0 without Y (Y is listed nowhere any more).
LATE_FETCHES: list[tuple[date, list[dict[str, Any]]]] = [
    (DAYS[0] + timedelta(days=1), [post("c", 3), post("b", 2), post("a", 1)]),
    (DAYS[0] + timedelta(days=2), [post("d", 4), post("c", 3), post("b", 2), post("a", 1)]),
    (DAYS[0] + timedelta(days=3), [post("d", 4), post("c", 3), post("a", 1)]),
    (DAYS[0], [post("b", 2), post("a", 1), post("y", 2)]),
    (DAYS[0] + timedelta(days=4), [post("e", 5), post("d", 4)]),
    (DAYS[0] + timedelta(days=5), [post("f", 6), post("e", 5)]),
    (DAYS[0] + timedelta(days=6), [post("g", 7), post("f", 6)]),
    (DAYS[0] + timedelta(days=7), [post("h", 8), post("g", 7)]),
]
LATE_RELOADS: list[tuple[date, list[dict[str, Any]]]] = [
    (DAYS[0] + timedelta(days=3), [post("d", 4), post("c", 3)]),
    (DAYS[0], [post("b", 2), post("a", 1)]),
]


def deletions(data_dir: Path) -> list[tuple]:
    return rows(
        data_dir,
        "select guid, first_seen_on, last_seen_on, times_seen, is_deleted_from_feed"
        " from intermediate.int_posts_latest order by guid",
    )


def test_backfills_and_reloads_of_old_dates(tmp_path: Path):
    d = [DAYS[0] + timedelta(days=n) for n in range(8)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDWAREHOUSE_DATA_DIR", str(tmp_path))
        after_backfill: list[tuple] = []
        for day, items in LATE_FETCHES:
            load(tmp_path, day, items, None)
            dbt_build(tmp_path, "--resource-type", "model", "--resource-type", "snapshot")
            if day == d[0]:
                after_backfill = deletions(tmp_path)
        # one build per reload: day 3's alone must undo B's deletion (day 0 lists B)
        after_reload: list[tuple] = []
        for day, items in LATE_RELOADS:
            load(tmp_path, day, items, None, fetched_at=datetime(2024, 6, 20, 8, 0))
            dbt_build(tmp_path)
            after_reload = after_reload or deletions(tmp_path)
        incremental = tables(tmp_path / "warehouse.duckdb")
        final = deletions(tmp_path)
        dbt_build(tmp_path, "--full-refresh")
        refreshed = tables(tmp_path / "warehouse.duckdb")
    assert after_backfill == [
        ("gamma-a", d[0], d[3], 4, False),
        ("gamma-b", d[0], d[2], 3, True),  # day 3 listed the older A but not B
        ("gamma-c", d[1], d[3], 3, False),
        ("gamma-d", d[2], d[3], 2, False),
        ("gamma-y", d[0], d[0], 1, True),  # day 1 listed the older A but not Y
    ]
    assert after_reload == [
        ("gamma-a", d[0], d[2], 3, False),  # day 3's reload no longer lists it
        ("gamma-b", d[0], d[2], 3, False),  # day 3 now reaches back only to C: scrolled out
        ("gamma-c", d[1], d[3], 3, False),
        ("gamma-d", d[2], d[4], 3, False),
        ("gamma-e", d[4], d[5], 2, False),
        ("gamma-f", d[5], d[6], 2, False),
        ("gamma-g", d[6], d[7], 2, False),
        ("gamma-h", d[7], d[7], 1, False),
        ("gamma-y", d[0], d[0], 1, True),
    ]
    assert final == after_reload[:-1]  # day 0's reload drops Y: it is listed nowhere
    for table in COMPARED:
        assert incremental[table] == refreshed[table], table


STALE = (
    "intermediate.int_entries_identified",
    "intermediate.int_entries_flagged",
    "intermediate.int_posts_latest",
    "marts.posts",
)


def test_a_build_rebuilds_only_what_is_not_built_yet(tmp_path: Path):
    """The one rule, by what a build leaves alone: after days 1-3 are built, every title in the
    incremental models is overwritten; day 4's build rewrites day 4's fetch and the posts it
    lists (D, E), and nothing else (no lookback, no post whose listings and deletion held)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDWAREHOUSE_DATA_DIR", str(tmp_path))
        for day, items, error in FETCHES[:3]:
            load(tmp_path, day, items, error)
            dbt_build(tmp_path, "--resource-type", "model")
        conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
        try:
            for table in STALE:
                conn.execute(f"update {table} set title = 'stale'")
        finally:
            conn.close()
        day, items, error = FETCHES[3]
        load(tmp_path, day, items, error)
        dbt_build(tmp_path, "--resource-type", "model")
    by_fetch = "select logical_date, bool_and(title = 'stale') from {} group by all order by all"
    by_post = "select guid, title from {} order by guid"
    d1, d2, d3, d4, _ = DAYS
    for table in STALE[:2]:
        assert rows(tmp_path, by_fetch.format(table)) == [
            (d1, True),
            (d2, True),
            (d3, True),
            (d4, False),
        ], table
    for table in STALE[2:]:
        assert rows(tmp_path, by_post.format(table)) == [
            ("gamma-a", "stale"),  # last listed on day 3, still not deleted: left alone
            ("gamma-b", "stale"),  # deleted since day 3, still: left alone
            ("gamma-c", "stale"),
            ("gamma-d", "Post d"),  # day 4 lists it again
            ("gamma-e", "Post e"),  # first listed on day 4
        ], table
