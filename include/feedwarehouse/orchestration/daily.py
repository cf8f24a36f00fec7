"""The daily run as one sequence of steps: the DAG's tasks are these functions, and
`feedwarehouse run` (run_all) calls them in the same order, with the same rules.

    extract -> load_raw -> validate_raw -> transform -> validate_marts -> publish

A failed day is failed everywhere: the step that finds it raises one of errors.DAY_FAILED
(no feed delivered anything, a critical expectation, a dbt model or test), nothing after it
runs, the BI file keeps the last good day, and the watchdog's check_published alerts.
One feed failing is not a failed day: it is reported, and the others publish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from feedwarehouse.config import EXPECTATIONS_DIR, Feed, Paths
from feedwarehouse.extract.batches import BatchOutcome, extract_batch
from feedwarehouse.extract.credentials import connection_headers
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.load.raw import LoadSummary
from feedwarehouse.orchestration import steps
from feedwarehouse.quality.reports import format_outcome, mart_row_counts
from feedwarehouse.warehouse import writer_lock

log = logging.getLogger(__name__)

# The DAG's task ids for these steps, in order (tests/dags checks the DAG against it).
STEPS = ("extract", "load_raw", "validate_raw", "transform", "validate_marts", "publish")


@dataclass
class RunSummary:
    """What a whole run did, for the CLI's closing report."""

    logical_date: date
    loaded: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    warned: dict[str, str] = field(default_factory=dict)  # feed_id -> "not well-formed: …"
    validations: list[dict[str, Any]] = field(default_factory=list)
    mart_rows: dict[str, int] = field(default_factory=dict)
    published: Path | None = None

    @property
    def ok(self) -> bool:
        return self.published is not None and not self.failed


@dataclass(frozen=True)
class DayRun:
    """What every step of one run is keyed on: the logical date and where the data lives.

    `today` is the run's wall-clock start date: a logical date over a day before it is a
    backfill (archive_url, else what was landed, never the live feed); None fetches live.
    """

    logical_date: date
    paths: Paths
    today: date | None = None
    full_refresh: bool = False
    suites_dir: Path = EXPECTATIONS_DIR
    policy: FetchPolicy | None = None


def extract(
    day: DayRun,
    feeds: list[Feed],
    credentials: Callable[[str], dict[str, str]] = connection_headers,
) -> BatchOutcome:
    """Fetch and land the feeds; a feed's failure is recorded in its manifest, not raised."""
    return extract_batch(
        feeds,
        day.logical_date,
        day.paths,
        today=day.today,
        credentials=credentials,
        policy=day.policy,
    )


def load_raw(day: DayRun, feed_ids: list[str]) -> LoadSummary:
    """Load what landed for the date; raise NothingDelivered if no feed delivered anything."""
    summary = steps.load_raw(day.logical_date, day.paths, feed_ids)
    steps.require_a_delivery(summary, day.logical_date)
    return summary


def validate_raw(day: DayRun, *, docs_later: bool = False) -> dict[str, dict[str, Any]]:
    """The raw gate; raises ValidationFailed on a critical expectation. `docs_later`: its Data
    Docs pages wait for the run that builds the marts (a backfill run that run coalesces)."""
    reports = steps.validate_raw(day.logical_date, day.paths, day.suites_dir, docs_later=docs_later)
    return {report.suite: report.as_dict() for report in reports}


def transform(day: DayRun) -> None:
    """dbt build and docs; raises TransformFailed naming the model or test."""
    steps.transform_marts(day.paths, full_refresh=day.full_refresh)


def validate_marts(day: DayRun) -> dict[str, dict[str, Any]]:
    """The marts gate, the last before BI; raises ValidationFailed on a critical expectation."""
    reports = steps.validate_marts(day.logical_date, day.paths, day.suites_dir)
    return {report.suite: report.as_dict() for report in reports}


def publish(day: DayRun) -> dict[str, Any]:
    """Swap the validated marts into the BI file; return the day's report (feeds, gates)."""
    steps.publish_marts(day.paths)
    report = steps.run_report(day.logical_date, day.paths)
    log.info("%s", format_outcome(report))
    return report


def run_all(
    feeds: list[Feed],
    logical_date: date,
    paths: Paths,
    policy: FetchPolicy | None = None,
    suites_dir: Path = EXPECTATIONS_DIR,
    today: date | None = None,
    lock_timeout: float | None = 0,
    full_refresh: bool = False,
) -> RunSummary:
    """Every step in order, as the DAG runs them; a failed day raises (errors.DAY_FAILED).

    The whole run holds the writer lock, so two runs never interleave: with `lock_timeout` 0 a
    second run refuses at once (WriterBusy), None waits for the first, a number waits that many
    seconds. `full_refresh` rebuilds the marts from all of raw.
    """
    day = DayRun(logical_date, paths, today, full_refresh, suites_dir, policy)
    holder = f"feedwarehouse run --date {logical_date}"
    with writer_lock(paths, timeout=lock_timeout, holder=holder):
        summary = RunSummary(logical_date)
        extract(day, feeds)
        loaded = load_raw(day, [feed.id for feed in feeds])
        summary.loaded, summary.failed = loaded.loaded, loaded.failed
        summary.warned = loaded.warned
        summary.validations += validate_raw(day).values()
        transform(day)
        summary.validations += validate_marts(day).values()
        publish(day)
        summary.published = paths.published
        summary.mart_rows = mart_row_counts(summary.published)
    return summary
