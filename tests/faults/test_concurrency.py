"""Runs and readers at the same time: runs never interleave, readers never see a partial file.

- Two `feedwarehouse run`s of the same date started together: one runs, the other refuses at
  once (exit 75) naming the run that holds the warehouse; `--wait` waits for it instead.
- A BI reader holding the published file through a publish keeps reading its version, the
  publish does not wait for it, and the next open sees the new version.
- A reader that opens the writer's file (not the published copy) is refused while a step writes;
  a reader that holds it before a run makes the run stop with a message naming the reader's
  process and the published path, changing nothing; the rerun after it closes recovers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.faultkit import MART_TABLES, Ledger, diff, table_rows
from helpers.faultruns import DAY2, FeedDays, Undisturbed, cli_env, cli_run, copy_data, run_day

from feedwarehouse.config import Paths, data_paths
from feedwarehouse.orchestration.steps import writer
from feedwarehouse.warehouse import WriterBusy, writer_lock

pytestmark = [pytest.mark.faults, pytest.mark.slow]

EXIT_BUSY = 75
# a BI reader: counts posts, waits for a line on stdin, counts again on the same connection,
# then closes it and opens the file anew (DuckDB hands a process that still has the path open
# the database it already opened) and counts
READER = textwrap.dedent(
    """
    import sys, duckdb
    conn = duckdb.connect(sys.argv[1], read_only=True)
    count = lambda c: c.execute("select count(*) from marts.posts").fetchone()[0]
    print(count(conn), flush=True)
    sys.stdin.readline()
    print(count(conn), flush=True)
    conn.close()
    print(count(duckdb.connect(sys.argv[1], read_only=True)), flush=True)
    """
)
# holds a file open read-only until stdin closes
HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    conn = duckdb.connect(sys.argv[1], read_only=True)
    print("open", flush=True)
    sys.stdin.read()
    """
)


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass(frozen=True)
class TwoRuns:
    paths: Paths
    results: list[tuple[int, int, str]]  # (pid, exit code, stderr) of each run
    reader_counts: list[int]


@pytest.fixture(scope="module")
def two_runs(feed_days: FeedDays, after_day1: Path, tmp_path_factory) -> TwoRuns:
    """Two runs of day 2 started together while a BI reader holds the published file."""
    paths = data_paths(copy_data(after_day1, tmp_path_factory.mktemp("two-runs") / "data"))
    reader = _python(READER, str(paths.published))
    assert reader.stdout is not None
    assert reader.stdin is not None
    first_count = int(reader.stdout.readline())
    feed_days.today = DAY2
    runs = [
        subprocess.Popen(
            cli_run(feed_days, paths.data_dir, DAY2),
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        results.append((run.pid, run.returncode, stderr))
    reader.stdin.write("again\n")
    reader.stdin.close()
    counts = [first_count, *(int(line) for line in reader.stdout.read().split())]
    reader.wait(timeout=30)
    return TwoRuns(paths, results, counts)


def test_two_runs_of_a_date_at_once_one_refuses(
    two_runs: TwoRuns, undisturbed: Undisturbed, fault_ledger: Ledger
) -> None:
    codes = sorted(code for _, code, _ in two_runs.results)
    assert codes == [0, EXIT_BUSY], two_runs.results
    (winner,) = [pid for pid, code, _ in two_runs.results if code == 0]
    (refusal,) = [err for _, code, err in two_runs.results if code == EXIT_BUSY]
    paths = two_runs.paths
    assert re.fullmatch(
        rf"error: {DAY2} not run: another run is writing {re.escape(str(paths.warehouse))} "
        rf"\(lock {re.escape(str(paths.lock_file))} held by pid {winner} since "
        rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00: feedwarehouse run --date {DAY2}\); "
        r"nothing was changed: rerun when it has finished\n",
        refusal,
    )
    lost, duplicated = diff(undisturbed.warehouse, table_rows(paths.warehouse))
    fault_ledger.record(
        "concurrency: the same date started twice at once",
        recovered=True,
        lost=lost,
        duplicated=duplicated,
    )
    assert (lost, duplicated) == (0, 0)
    assert table_rows(paths.published, MART_TABLES) == undisturbed.bi_day2


def test_a_bi_reader_holding_the_file_through_a_publish(
    two_runs: TwoRuns, undisturbed: Undisturbed, fault_ledger: Ledger
) -> None:
    day1_posts = sum(undisturbed.bi_day1["marts.posts"].values())
    day2_posts = sum(undisturbed.bi_day2["marts.posts"].values())
    assert day1_posts < day2_posts
    # its open connection keeps the version it opened; a new connection sees the new one
    assert two_runs.reader_counts == [day1_posts, day1_posts, day2_posts]
    fault_ledger.record("concurrency: a BI reader holds the published file during publish")


def test_a_second_writer_waits_when_asked_to(tmp_path: Path, fault_ledger: Ledger) -> None:
    paths = data_paths(tmp_path / "data")
    holder = _python(
        "import sys, time\n"
        "from feedwarehouse.config import data_paths\n"
        "from feedwarehouse.warehouse import writer_lock\n"
        "with writer_lock(data_paths(sys.argv[1]), holder='the first run'):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.readline()\n",
        str(paths.data_dir),
    )
    assert holder.stdout is not None
    assert holder.stdin is not None
    assert holder.stdout.readline() == "held\n"
    with pytest.raises(WriterBusy) as refused, writer_lock(paths, timeout=0):
        pass
    assert f"held by pid {holder.pid} since " in str(refused.value)
    assert str(refused.value).endswith(
        ": the first run); nothing was changed: rerun when it has finished"
    )
    with (
        pytest.raises(WriterBusy, match=r"after waiting 0\.5 s \(lock "),
        writer_lock(paths, timeout=0.5),
    ):
        pass
    holder.stdin.write("release\n")
    holder.stdin.flush()
    with writer_lock(paths, timeout=60):
        assert holder.wait(timeout=30) == 0  # acquired only once the first let go
    fault_ledger.record("concurrency: a second writer refuses, or waits with --wait")


def test_a_reader_on_the_writers_file_while_a_step_writes(
    undisturbed: Undisturbed, fault_ledger: Ledger
) -> None:
    with writer(undisturbed.paths, "a test step"):
        reader = _python(HOLDER, str(undisturbed.paths.warehouse))
        _, stderr = reader.communicate(timeout=60)
    assert reader.returncode == 1
    assert f'Could not set lock on file "{undisturbed.paths.warehouse}"' in stderr
    fault_ledger.record("concurrency: a reader opens the writer's file during a step")


def test_a_reader_holding_the_writers_file_stops_the_run_clearly(
    feed_days: FeedDays,
    after_day1: Path,
    undisturbed: Undisturbed,
    tmp_path: Path,
    fault_ledger: Ledger,
) -> None:
    paths = data_paths(copy_data(after_day1, tmp_path / "data"))
    before = table_rows(paths.warehouse)
    reader = _python(HOLDER, str(paths.warehouse))
    assert reader.stdout is not None
    assert reader.stdin is not None
    assert reader.stdout.readline() == "open\n"
    feed_days.today = DAY2
    run = subprocess.run(
        cli_run(feed_days, paths.data_dir, DAY2),
        env=cli_env(FEEDWAREHOUSE_WRITER_OPEN_WAIT="1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    reader.stdin.close()
    reader.wait(timeout=30)
    assert run.returncode == EXIT_BUSY, run.stderr
    assert run.stderr == (
        f"error: {DAY2} not run: the writer's file {paths.warehouse} is open in another "
        f"process ({os.path.realpath(sys.executable)} (PID {reader.pid})) and stayed so for 1 s: "
        "close it; BI "
        f"tools and analysts must open the published copy {paths.published} read-only\n"
    )
    assert table_rows(paths.warehouse) == before
    assert table_rows(paths.published, MART_TABLES) == undisturbed.bi_day1

    run_day(feed_days, paths.data_dir, DAY2)
    lost, duplicated = diff(undisturbed.warehouse, table_rows(paths.warehouse))
    fault_ledger.record(
        "concurrency: a reader holds the writer's file when a run starts",
        recovered=True,
        lost=lost,
        duplicated=duplicated,
    )
    assert (lost, duplicated) == (0, 0)
