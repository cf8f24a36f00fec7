"""`feedwarehouse backfill`: many dates in one process, the fixed costs paid once.

Per date, in order: extract, load_raw, validate_raw (daily.py's steps; Great Expectations is
imported and its context built once per process). Then, once, for every date loaded:
transform, validate_marts and publish (the marts' incremental rule rebuilds every fetch loaded
since the last build, so one build covers them all).

The failed-day rule of `run`, per date: a date whose raw gate fails (ValidationFailed) is
named, and its rows stay out of the build (the staging models leave out every date the raw gate
refused: stg_quality__raw_gate_refusals) while the other dates still publish; so does a date
where no feed delivered anything (NothingDelivered). Either makes the exit code non-zero. A
failed transform or marts gate fails every date (nothing published).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from feedwarehouse.config import EXPECTATIONS_DIR, Feed, Paths
from feedwarehouse.errors import DAY_FAILED, NothingDelivered, ValidationFailed
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.orchestration import daily, steps
from feedwarehouse.quality.gx_checkpoint import data_docs_once
from feedwarehouse.quality.reports import mart_row_counts
from feedwarehouse.warehouse import writer_lock

MAX_DAYS = 3660  # ten years: a wrong --start is an error, not a night of fetching


@dataclass
class DateStatus:
    """One date's extract/load/raw-gate outcome (its own status, as its own DAG run has)."""

    logical_date: date
    loaded: dict[str, int] = field(default_factory=dict)
    failed_feeds: dict[str, str] = field(default_factory=dict)
    warned: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # the date failed (no delivery, or the raw gate)
    unvalidated: bool = False  # raw rows loaded but the raw gate failed

    @property
    def state(self) -> str:
        if self.unvalidated:
            return "raw gate FAILED"
        if self.error:
            return "FAILED"
        return "ok"


@dataclass
class BackfillSummary:
    dates: list[DateStatus] = field(default_factory=list)
    build_error: str | None = None  # transform or the marts gate failed
    mart_rows: dict[str, int] = field(default_factory=dict)
    published: Path | None = None

    @property
    def failed(self) -> list[DateStatus]:
        return [status for status in self.dates if status.error]

    @property
    def ok(self) -> bool:
        return self.published is not None and not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "dates": {
                s.logical_date.isoformat(): {
                    "state": s.state,
                    "loaded": s.loaded,
                    "failed_feeds": s.failed_feeds,
                    "error": s.error,
                }
                for s in self.dates
            },
            "build_error": self.build_error,
            "published": str(self.published) if self.published else None,
            "mart_rows": self.mart_rows,
        }


def backfill_dates(start: date, end: date) -> list[date]:
    """Every date from start to end, both included; a reversed or huge range is an error."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    count = (end - start).days + 1
    if count > MAX_DAYS:
        raise ValueError(f"{start} to {end} is {count} dates, more than {MAX_DAYS}")
    return [start + timedelta(days=n) for n in range(count)]


def run_backfill(
    feeds: list[Feed],
    start: date,
    end: date,
    paths: Paths,
    today: date | None = None,
    lock_timeout: float | None = 0,
    policy: FetchPolicy | None = None,
    suites_dir: Path = EXPECTATIONS_DIR,
) -> BackfillSummary:
    """The dates' raw steps one by one, then one build, marts gate and publish (see above)."""
    dates = backfill_dates(start, end)
    summary = BackfillSummary()
    feed_ids = [feed.id for feed in feeds]
    holder = f"feedwarehouse backfill --start {start} --end {end}"
    with writer_lock(paths, timeout=lock_timeout, holder=holder):
        with data_docs_once(steps.gx_dir(paths)):  # one Data Docs build, not one per suite
            for logical_date in dates:
                day = daily.DayRun(logical_date, paths, today, False, suites_dir, policy)
                summary.dates.append(_raw_steps(day, feeds, feed_ids))
        if not any(status.loaded and not status.unvalidated for status in summary.dates):
            return summary  # nothing loaded passed its raw gate: nothing new to build
        last = daily.DayRun(dates[-1], paths, today, False, suites_dir, policy)
        try:
            daily.transform(last)
            daily.validate_marts(last)
            daily.publish(last)
        except DAY_FAILED as exc:
            summary.build_error = str(exc)
            return summary
        summary.published = paths.published
        summary.mart_rows = mart_row_counts(paths.published)
    return summary


def _raw_steps(day: daily.DayRun, feeds: list[Feed], feed_ids: list[str]) -> DateStatus:
    status = DateStatus(day.logical_date)
    daily.extract(day, feeds)
    try:
        loaded = daily.load_raw(day, feed_ids)
    except NothingDelivered as exc:
        status.error = str(exc)
        return status
    status.loaded, status.failed_feeds, status.warned = loaded.loaded, loaded.failed, loaded.warned
    try:
        daily.validate_raw(day)
    except ValidationFailed as exc:
        status.error, status.unvalidated = str(exc), True
    return status


def report(summary: BackfillSummary, paths: Paths) -> int:
    """Print each date's status, what failed (stderr) and the closing report; the exit code."""
    from feedwarehouse.quality.reports import closing_report

    dates = summary.dates
    span = f"{dates[0].logical_date} to {dates[-1].logical_date}"
    for status in dates:
        loaded = ", ".join(f"{feed} {n}" for feed, n in sorted(status.loaded.items()))
        print(
            f"{status.logical_date}: {status.state}" + (f" (entries: {loaded})" if loaded else "")
        )
        for feed_id, error in sorted(status.failed_feeds.items()):
            _error(f"feed {feed_id} failed for {status.logical_date}: {error}")
        if status.error:
            _error(f"{status.logical_date} failed: {status.error}")
    if summary.build_error:
        _error(f"nothing was published for {span}: {summary.build_error}")
    elif summary.published is None:
        _error(f"nothing was published for {span}: no date loaded rows that passed the raw gate")
    if summary.published is None:
        return 1
    failed = ", ".join(str(s.logical_date) for s in summary.failed)
    if failed:
        _error(f"published {span} except {failed}")
    print(closing_report(paths, dates[-1].logical_date, summary.mart_rows))
    return 0 if summary.ok else 1


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
