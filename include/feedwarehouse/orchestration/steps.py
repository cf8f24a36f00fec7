"""What each step of the daily run does, given its date and paths (orchestration.daily puts
them in order, for the DAG and `feedwarehouse run` alike), and the watchdog's check.

Every step is keyed on (feed, logical date) and safe to rerun. Steps that write the warehouse
hold the single-writer lock and close their connection before the next step (dbt opens the
file itself).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from feedwarehouse import tables
from feedwarehouse.config import EXPECTATIONS_DIR, Paths
from feedwarehouse.errors import NothingDelivered, NotPublished
from feedwarehouse.extract import land
from feedwarehouse.lake import is_lake
from feedwarehouse.load import raw as load
from feedwarehouse.publish import bi_file as publish
from feedwarehouse.publish.lake_publish import publish_lake
from feedwarehouse.quality import quality_page, validate
from feedwarehouse.quality.gx_checkpoint import data_docs_once
from feedwarehouse.quality.quality_notes import gate_note, published_through
from feedwarehouse.quality.reports import day_outcome
from feedwarehouse.transform import dbt_build as transform
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
    logical_date: date,
    paths: Paths,
    suites_dir: Path = EXPECTATIONS_DIR,
    *,
    docs_later: bool = False,
) -> list[validate.ValidationReport]:
    """The raw gate: the date's raw rows against expectations/raw_*.json. Its Data Docs pages
    are built once for the gate, with any pending ones; with `docs_later` (a backfill run whose
    marts a later run builds) they wait for the next build (gx_checkpoint)."""
    with writer(paths, f"validate_raw for {logical_date}") as conn:
        tables.ensure_schema(conn)
        try:
            with data_docs_once(gx_dir(paths), later=docs_later):
                return validate.validate_gate(
                    conn,
                    RAW_SUITES,
                    logical_date=logical_date,
                    suites_dir=suites_dir,
                    gx_dir=gx_dir(paths),
                )
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
    """The marts gate: every mart, and the BI file's posts still present. Its Data Docs pages
    are built once for the gate, with every pending one (the raw gates' a backfill deferred)."""
    with writer(paths, f"validate_marts for {logical_date}") as conn:
        try:
            with data_docs_once(gx_dir(paths)):
                return validate.validate_gate(
                    conn,
                    MARTS_SUITES,
                    logical_date=logical_date,
                    published=paths.published,
                    suites_dir=suites_dir,
                    gx_dir=gx_dir(paths),
                )
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
        if is_lake(conn):
            publish_lake(conn)  # BI on the lake: the published lake, one snapshot
        target = publish.publish(conn, paths)
        _write_quality_page(conn, paths)  # the BI file is current again
    log.info("published %s", target)
    return target


def run_report(logical_date: date, paths: Paths) -> dict[str, Any]:
    """The day's outcome per feed and gate (reports.day_outcome), read under the writer lock."""
    with writer(paths, f"run report for {logical_date}") as conn:
        return day_outcome(conn, logical_date, paths)


def check_published(paths: Paths, expected: date) -> date:
    """The newest logical date in the BI file; raise NotPublished if it is older than expected."""
    newest = published_through(paths.published)
    if newest is None or newest < expected:
        raise NotPublished(
            f"the BI file {paths.published} holds data through {newest or 'nothing'}, "
            f"expected {expected}: check the feed_warehouse_daily runs since then"
            f"{gate_note(paths.warehouse, paths.published)}"
        )
    return newest
