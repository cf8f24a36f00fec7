"""SIGKILL anywhere in a run, then a rerun: the warehouse equals a run that was never killed.

Day 2 runs as `feedwarehouse run` in a child process on a copy of the day-1 warehouse and kills
itself (SIGKILL: no cleanup, no `finally`) at a failpoint of feedwarehouse.failpoints: during
the fetch, inside the raw insert's transaction, inside a dbt model, and during the publish. Which
hit of the point dies is drawn from a seeded generator (seed printed; repeat a run with
FEEDWAREHOUSE_FAULT_SEED). After each kill:

- the writer's warehouse opens, and the BI file is exactly the day-1 version (or, killed after
  the swap, exactly the day-2 one): never a half-written file, no staging file left behind;
- a rerun of day 2 (undisturbed) ends with the raw, mart and snapshot rows of the undisturbed
  run, row for row: zero lost, zero duplicated (load-time stamps left out).

quality.validation_runs is left out on purpose: it is the append-only log of every validation
attempt, so a killed run that validated adds its rows there, as it should.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import duckdb
import pytest
from helpers.faultkit import MART_TABLES, Ledger, diff, differing_tables, table_rows
from helpers.faultruns import DAY2, FeedDays, Undisturbed, copy_data, run_day, run_killed

from feedwarehouse.config import data_paths

pytestmark = [pytest.mark.faults, pytest.mark.slow]

SEED = int(os.environ.get("FEEDWAREHOUSE_FAULT_SEED") or random.SystemRandom().randrange(10**6))
# failpoint -> how many times a day-2 run reaches it (2 feeds; 11 published tables; dbt
# sanitizes the content of at least 8 entries)
KILLS = {
    "land.payload_stored": 2,
    "load.fetch_inserted": 2,
    "dbt.sanitize_html": 8,
    "publish.table_copied": 11,
}


def _nth(point: str, hits: int) -> int:
    return random.Random(f"{SEED}:{point}").randint(1, hits)


def _assert_consistent_after_kill(data_dir: Path, undisturbed: Undisturbed, *, swapped: bool):
    """The writer's file opens; the BI file is one complete version; no staging file is left."""
    paths = data_paths(data_dir)
    duckdb.connect(str(paths.warehouse)).close()
    bi = table_rows(paths.published, MART_TABLES)
    assert bi == (undisturbed.bi_day2 if swapped else undisturbed.bi_day1)


def _assert_equals_undisturbed(data_dir: Path, undisturbed: Undisturbed) -> tuple[int, int]:
    paths = data_paths(data_dir)
    rows = table_rows(paths.warehouse)
    lost, duplicated = diff(undisturbed.warehouse, rows)
    assert differing_tables(undisturbed.warehouse, rows) == {}, f"seed {SEED}"
    assert table_rows(paths.published, MART_TABLES) == undisturbed.bi_day2
    assert sorted(p.name for p in paths.published.parent.iterdir()) == ["warehouse.duckdb"]
    return lost, duplicated


@pytest.mark.parametrize("point", list(KILLS))
def test_kill_then_rerun_equals_an_undisturbed_run(
    point: str,
    feed_days: FeedDays,
    after_day1: Path,
    undisturbed: Undisturbed,
    tmp_path: Path,
    fault_ledger: Ledger,
) -> None:
    failpoint = f"{point}@{_nth(point, KILLS[point])}"
    data_dir = copy_data(after_day1, tmp_path / "data")

    run_killed(feed_days, data_dir, DAY2, failpoint)
    _assert_consistent_after_kill(data_dir, undisturbed, swapped=False)
    run_day(feed_days, data_dir, DAY2)

    lost, duplicated = _assert_equals_undisturbed(data_dir, undisturbed)
    fault_ledger.record(
        f"crash: SIGKILL at {failpoint} (seed {SEED})",
        recovered=True,
        lost=lost,
        duplicated=duplicated,
    )
    assert (lost, duplicated) == (0, 0)


def test_kill_after_kill_then_rerun_equals_an_undisturbed_run(
    feed_days: FeedDays,
    after_day1: Path,
    undisturbed: Undisturbed,
    tmp_path: Path,
    fault_ledger: Ledger,
) -> None:
    """Three runs of day 2 in a row die, each past where the last one died, then one finishes."""
    chain = [
        (f"load.fetch_committed@{_nth('load.fetch_committed', 2)}", False),
        ("publish.staged", False),  # the new BI file complete, not yet swapped in
        ("publish.swapped", True),  # swapped in, the directory entry not yet fsynced
    ]
    data_dir = copy_data(after_day1, tmp_path / "data")
    for failpoint, swapped in chain:
        run_killed(feed_days, data_dir, DAY2, failpoint)
        _assert_consistent_after_kill(data_dir, undisturbed, swapped=swapped)
    run_day(feed_days, data_dir, DAY2)

    lost, duplicated = _assert_equals_undisturbed(data_dir, undisturbed)
    for failpoint, _ in chain:
        fault_ledger.record(
            f"crash: SIGKILL at {failpoint}, then again later",
            recovered=True,
            lost=lost,
            duplicated=duplicated,
        )
    assert (lost, duplicated) == (0, 0)
