"""The daily run, one function per step; the DAG's tasks and `feedwarehouse run` call these.

Every step is keyed on (feed, logical date) and safe to rerun. Steps that write the warehouse
hold the single-writer lock and close their connection before the next step (dbt opens the
file itself).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from feedwarehouse import extract, land, load, publish, quality_page, tables, transform, validate
from feedwarehouse.config import EXPECTATIONS_DIR, Feed, Paths
from feedwarehouse.credentials import connection_headers
from feedwarehouse.fetch_policy import FetchPolicy
from feedwarehouse.landing_notes import log_landed, started_now
from feedwarehouse.quality_notes import gate_note
from feedwarehouse.reports import day_outcome, mart_row_counts, newest_validated_day
from feedwarehouse.warehouse import connect, writer_lock

log = logging.getLogger(__name__)


def _suite_names(prefix: str) -> tuple[str, ...]:
    """A gate's suites are the files expectations/<prefix>_*.json; those that compare with the
    BI file (`requires: published`) run last, after the checks of the warehouse itself."""
    specs = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in EXPECTATIONS_DIR.glob(f"{prefix}_*.json")
    }
    return tuple(sorted(specs, key=lambda name: (specs[name].get("requires") == "published", name)))


RAW_SUITES = _suite_names("raw")
MARTS_SUITES = _suite_names("marts")


class NotPublished(RuntimeError):
    """The BI file does not hold the day it should by now: the daily run is late or failing."""


class FeedFailed(RuntimeError):
    """One feed could not be fetched or parsed; the others still load and publish.

    `is_transient`: the failure may pass (timeouts, 5xx), so a later try is worth it; else it
    is deterministic (a 4xx, no data for the date, a missing Connection) and retrying is waste.
    """

    def __init__(self, message: str, *, is_transient: bool = False) -> None:
        super().__init__(message)
        self.is_transient = is_transient


class NothingDelivered(RuntimeError):
    """No feed delivered anything for the date: the run must not look like a good day."""


@dataclass
class RunSummary:
    """What a whole run did, for the CLI's closing report and the DAG's logs."""

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


def gx_dir(paths: Paths) -> Path:
    """Great Expectations' project (stored results, Data Docs) lives with the data."""
    return paths.data_dir / "quality"


@contextmanager
def writer(
    paths: Paths, holder: str = "a feedwarehouse step"
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The writer's connection, under the lock (waiting for it), closed on exit."""
    with writer_lock(paths, holder=holder):
        conn = connect(paths.warehouse)
        try:
            yield conn
        finally:
            conn.close()


def extract_feed(
    feed: Feed,
    logical_date: date,
    paths: Paths,
    policy: FetchPolicy | None = None,
    today: date | None = None,
    credentials: Callable[[str], dict[str, str]] = connection_headers,
) -> Path:
    """Fetch and land one feed; raise FeedFailed (after recording it) if the fetch failed.

    `today` is the run's wall-clock date: a logical date over a day behind it is a backfill
    (archive_url, else what was landed, else "no data"); None means a live fetch.
    `credentials` turns the feed's conn_id into request headers (see extract.extract).
    """
    since = started_now()
    manifest_file = extract.extract(
        feed, logical_date, paths, policy, today=today, credentials=credentials
    )
    return require_landed(feed, manifest_file, logical_date, paths=paths, since=since)


def require_landed(
    feed: Feed,
    manifest_file: Path,
    logical_date: date,
    *,
    paths: Paths | None = None,
    since: datetime | None = None,
) -> Path:
    """The feed's manifest file if it landed; else raise FeedFailed with the recorded reason.

    Logs what landed ("reused the payload landed at …" if it landed before `since`) and, given
    `paths`, warns of a payload that is not well-formed XML.
    """
    manifest = land.read_manifest(manifest_file)
    if not manifest.ok:
        raise FeedFailed(
            f"feed {feed.id} ({manifest.url}) for {logical_date}: {manifest.error}",
            is_transient=manifest.is_transient,
        )
    log_landed(manifest, paths, since)
    return manifest_file


def load_raw(
    logical_date: date, paths: Paths, feed_ids: list[str] | None = None
) -> load.LoadSummary:
    """Load the date's landed payloads (of `feed_ids`, if given) into the raw tables."""
    manifests = land.landed_manifests(paths, logical_date)
    if feed_ids is not None:
        manifests = [m for m in manifests if m.stem in set(feed_ids)]
    with writer(paths, f"load_raw for {logical_date}") as conn:
        summary = load.load_raw(conn, paths, manifests)
    log.info("raw load for %s: %s", logical_date, summary.as_dict())
    return summary


def require_a_delivery(summary: load.LoadSummary, logical_date: date) -> None:
    """Raise NothingDelivered, naming every feed and its reason, if no feed loaded anything."""
    if summary.loaded:
        return
    reasons = "; ".join(f"{feed}: {error}" for feed, error in sorted(summary.failed.items()))
    raise NothingDelivered(
        f"no feed delivered anything for {logical_date}, so nothing new can be published "
        f"({len(summary.failed)} failed: {reasons or 'no feed was landed for that date'})"
    )


def validate_raw(
    logical_date: date, paths: Paths, suites_dir: Path = EXPECTATIONS_DIR
) -> list[validate.ValidationReport]:
    """The raw gate: the date's raw rows against expectations/raw_*.json."""
    with writer(paths, f"validate_raw for {logical_date}") as conn:
        tables.ensure_schema(conn)
        try:
            return validate.validate_gate(
                conn, RAW_SUITES, logical_date=logical_date, suites_dir=suites_dir,
                gx_dir=gx_dir(paths),
            )  # fmt: skip
        finally:
            _write_quality_page(conn, paths)


def transform_marts(paths: Paths, *, full_refresh: bool = False) -> None:
    """dbt build (models, snapshots, tests), then the docs site describing what was built.

    `full_refresh` rebuilds every incremental model from raw: after a change of the models'
    rules, so that history gets the new values too.
    """
    with writer_lock(paths, holder="dbt build"):
        connect(paths.warehouse).close()  # dbt opens it itself: wait for (or name) a reader
        transform.run_dbt("build", paths, *(["--full-refresh"] if full_refresh else []))
        transform.generate_docs(paths)


def validate_marts(
    logical_date: date, paths: Paths, suites_dir: Path = EXPECTATIONS_DIR
) -> list[validate.ValidationReport]:
    """The marts gate: every mart, and the BI file's posts still present."""
    with writer(paths, f"validate_marts for {logical_date}") as conn:
        try:
            return validate.validate_gate(
                conn, MARTS_SUITES, logical_date=logical_date, published=paths.published,
                suites_dir=suites_dir, gx_dir=gx_dir(paths),
            )  # fmt: skip
        finally:
            _write_quality_page(conn, paths)


def _write_quality_page(conn: duckdb.DuckDBPyConnection, paths: Paths) -> None:
    """Refresh the offline quality page after a gate, passed or failed; never fails the gate."""
    try:
        page = quality_page.write_quality_page(
            conn, quality_page.quality_page_path(paths), paths.published
        )
    except (duckdb.Error, OSError):
        log.exception("the quality results page was not refreshed")
    else:
        log.info("quality results: %s", page)


def publish_marts(paths: Paths) -> Path:
    """Swap the validated marts into the BI file."""
    with writer(paths, "publish") as conn:
        target = publish.publish(conn, paths)
        _write_quality_page(conn, paths)  # the BI file is current again
    log.info("published %s", target)
    return target


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
    """Every step in order; a bad feed is reported, a failed gate stops before publish.

    `today` (the caller's wall-clock date) makes an old logical date a backfill: archive_url or
    landed payloads, never the live feed. None fetches live. The whole run holds the writer
    lock, so two runs never interleave: with `lock_timeout` 0 a second run refuses at once
    (WriterBusy), None waits for the first, a number waits that many seconds.
    `full_refresh` rebuilds the marts from all of raw (see transform_marts).
    """
    holder = f"feedwarehouse run --date {logical_date}"
    with writer_lock(paths, timeout=lock_timeout, holder=holder):
        return _run_steps(feeds, logical_date, paths, policy, suites_dir, today, full_refresh)


def _run_steps(
    feeds: list[Feed],
    logical_date: date,
    paths: Paths,
    policy: FetchPolicy | None,
    suites_dir: Path,
    today: date | None,
    full_refresh: bool,
) -> RunSummary:
    summary = RunSummary(logical_date)
    # concurrently; every failure is in its manifest, and load_raw reports it
    extract.extract_all(feeds, logical_date, paths, policy, today=today)
    loaded = load_raw(logical_date, paths, [feed.id for feed in feeds])
    summary.loaded, summary.failed = loaded.loaded, loaded.failed
    summary.warned = loaded.warned
    summary.validations += [r.as_dict() for r in validate_raw(logical_date, paths, suites_dir)]
    transform_marts(paths, full_refresh=full_refresh)
    summary.validations += [r.as_dict() for r in validate_marts(logical_date, paths, suites_dir)]
    summary.published = publish_marts(paths)
    summary.mart_rows = mart_row_counts(summary.published)
    return summary


def run_report(logical_date: date, paths: Paths) -> dict[str, Any]:
    """The day's outcome per feed and gate (reports.day_outcome), read under the writer lock."""
    with writer(paths, f"run report for {logical_date}") as conn:
        return day_outcome(conn, logical_date, paths)


def check_published(paths: Paths, expected: date) -> date:
    """The newest logical date in the BI file; raise NotPublished if it is older than expected."""
    newest = None
    if paths.published.exists():
        conn = connect(paths.published, read_only=True)
        try:
            newest = newest_validated_day(conn)
        finally:
            conn.close()
    if newest is None or newest < expected:
        raise NotPublished(
            f"the BI file {paths.published} holds data through {newest or 'nothing'}, "
            f"expected {expected}: check the feed_warehouse_daily runs since then"
            f"{gate_note(paths.warehouse, paths.published)}"
        )
    return newest
