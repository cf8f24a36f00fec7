"""Reruns and backfills are normal days: the same date three times, or dates out of order,
end with the same rows, value for value, as one run of each date in order.

Compared: every mart in the BI file and the writer's raw, mart and snapshot tables, with the
load-time stamps left out (fetched_at, dbt's snapshot bookkeeping). Out of order: day 2 runs on
time and day 1 is backfilled a week later from the feeds' archive_url, so raw.fetches differs
from the live runs in url and fetch_mode, and only the marts are compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.faultkit import MART_TABLES, Ledger, diff, differing_tables, table_rows
from helpers.faultruns import (
    DAY1,
    DAY2,
    FeedDays,
    Undisturbed,
    backfill_today,
    copy_data,
    run_day,
)

from feedwarehouse.config import data_paths

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def test_the_same_date_three_times(
    feed_days: FeedDays, undisturbed: Undisturbed, tmp_path: Path, fault_ledger: Ledger
) -> None:
    paths = data_paths(copy_data(undisturbed.paths.data_dir, tmp_path / "data"))  # day 2 ran once
    for attempt in (2, 3):
        run_day(feed_days, paths.data_dir, DAY2)
        rows = table_rows(paths.warehouse)
        assert differing_tables(undisturbed.warehouse, rows) == {}, f"run {attempt} of {DAY2}"
        assert table_rows(paths.published, MART_TABLES) == undisturbed.bi_day2
        lost, duplicated = diff(undisturbed.warehouse, rows)
        fault_ledger.record(
            f"idempotency: {DAY2} run {attempt} times",
            recovered=True,
            lost=lost,
            duplicated=duplicated,
        )


def test_a_missed_date_backfilled_after_the_next_one(
    feed_days: FeedDays, undisturbed: Undisturbed, tmp_path: Path, fault_ledger: Ledger
) -> None:
    """Day 2 runs on time; day 1, missed, is backfilled a week later from the archive."""
    data_dir = tmp_path / "data"
    run_day(feed_days, data_dir, DAY2)
    requests = len(feed_days.requests)
    run_day(feed_days, data_dir, DAY1, today=backfill_today())
    assert sorted(feed_days.requests[requests:]) == sorted(
        [f"/archive/{DAY1}/{feed}.xml" for feed in feed_days.snapshots[DAY1]]
        + [f"/archive/{DAY1}/{feed}.xml?paged=2" for feed in feed_days.snapshots[DAY1]]
    )
    paths = data_paths(data_dir)
    marts = table_rows(paths.warehouse, MART_TABLES)
    expected = {table: undisturbed.warehouse[table] for table in MART_TABLES}
    assert differing_tables(expected, marts) == {}
    assert table_rows(paths.published, MART_TABLES) == undisturbed.bi_day2
    lost, duplicated = diff(expected, marts)
    fault_ledger.record(
        f"idempotency: {DAY1} backfilled after {DAY2}",
        recovered=True,
        lost=lost,
        duplicated=duplicated,
    )
