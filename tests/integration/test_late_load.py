"""A fetch loaded after newer dates were built (a retried backfill date) still reaches the marts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from feedwarehouse.config import data_paths, load_feeds
from feedwarehouse.extract.batches import extract_feed
from feedwarehouse.orchestration.steps import load_raw, transform_marts
from feedwarehouse_dev.sample import generate_sample

DAYS = [date(2026, 11, 9), date(2026, 11, 1), date(2026, 11, 10)]


def test_old_date_loaded_last_is_not_dropped_by_the_incremental_build(tmp_path: Path):
    paths = data_paths(tmp_path / "data")
    samples = {
        day: generate_sample(tmp_path / day.isoformat(), feeds=1, items=3, seed=9, end_date=day)
        for day in DAYS
    }
    feed = {day: load_feeds(sample.feeds_file)[0] for day, sample in samples.items()}
    early, old, late = DAYS

    extract_feed(feed[early], early, paths)
    load_raw(early, paths)
    transform_marts(paths)
    extract_feed(feed[old], old, paths)  # lands now, loads last (more than lookback_days back)
    extract_feed(feed[late], late, paths)
    load_raw(late, paths)
    transform_marts(paths)
    load_raw(old, paths)
    transform_marts(paths)

    conn = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        guids = {row[0] for row in conn.execute("select guid from marts.posts").fetchall()}
    finally:
        conn.close()
    assert guids == {item.guid for s in samples.values() for item in s.feeds[0].items}
