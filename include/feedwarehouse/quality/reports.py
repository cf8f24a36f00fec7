"""What a run left, read back: rows per mart, the day's outcome per feed and gate, the newest day.

The DAG's report task (a dict for XCom and alerts) and the CLI's closing report (text) both
summarize the gates through quality_page.suite_verdicts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from feedwarehouse.config import Paths
from feedwarehouse.quality import quality_notes
from feedwarehouse.quality.quality_page import quality_page_path, suite_verdicts
from feedwarehouse.transform import dbt_build as transform
from feedwarehouse.warehouse import connect

MARTS = transform.mart_models()
EXAMPLE_QUERY = """\
select t.name as tag, count(*) as posts
from marts.post_tags pt join marts.tags t using (tag_id)
group by all order by posts desc, tag limit 10;"""


def mart_row_counts(database: Path) -> dict[str, int]:
    """Rows per mart in a warehouse file, read-only (works on the published BI file)."""
    conn = connect(database, read_only=True)
    try:
        return {
            mart: conn.execute(f"select count(*) from marts.{mart}").fetchone()[0]  # noqa: S608
            for mart in MARTS
        }
    finally:
        conn.close()


def day_outcome(
    conn: duckdb.DuckDBPyConnection, logical_date: date, paths: Paths
) -> dict[str, Any]:
    """The day's outcome per feed and gate, for the task log, XCom and alerts."""
    fetches = conn.execute(
        "select feed_id, error, entry_count from raw.fetches "
        "where logical_date = ? order by feed_id",
        [logical_date],
    ).fetchall()
    verdicts = suite_verdicts(conn, logical_date)
    bi_file = quality_notes.freshness(conn, paths.published)
    return {
        "logical_date": logical_date.isoformat(),
        "feeds_ok": [feed for feed, error, _ in fetches if error is None],
        "feeds_failed": {feed: error for feed, error, _ in fetches if error is not None},
        "feeds_warned": quality_notes.feed_warnings(conn, logical_date),
        "entries_loaded": sum(count or 0 for _, error, count in fetches if error is None),
        "validation": {
            v.suite: {"critical_failures": v.critical_failures, "warnings": v.warnings}
            for v in verdicts
        },
        "published": str(paths.published) if paths.published.exists() else None,
        "bi_file": {
            "published_through": _iso(bi_file.published_through),
            "stale_since": _iso(bi_file.stale_since),
        },
    }


def format_outcome(outcome: dict[str, Any]) -> str:
    """A day_outcome as a block of lines for a task log (not a one-line dict)."""
    lines = [f"run report for {outcome['logical_date']}:"]
    lines.append(f"  feeds ok: {', '.join(outcome['feeds_ok']) or 'none'}")
    lines += [f"  feed FAILED {feed}: {error}" for feed, error in outcome["feeds_failed"].items()]
    lines += [f"  feed WARNED {feed}: {text}" for feed, text in outcome["feeds_warned"].items()]
    lines.append(f"  entries loaded: {outcome['entries_loaded']}")
    for suite, verdict in outcome["validation"].items():
        failed, warned = verdict["critical_failures"], verdict["warnings"]
        state = "FAILED" if failed else "passed with warnings" if warned else "passed"
        lines.append(f"  {suite:<22} {state} ({failed} critical, {warned} warnings)")
    bi_file = outcome["bi_file"]
    stale = f", STALE since {bi_file['stale_since']}" if bi_file["stale_since"] else ", current"
    through = bi_file["published_through"] or "nothing yet"
    lines.append(f"  BI file {outcome['published']}: data through {through}{stale}")
    return "\n".join(lines)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def closing_report(
    paths: Paths, logical_date: date | None = None, counts: dict[str, int] | None = None
) -> str:
    """A closing report: rows per mart, the validation verdicts, where BI reads, a query.

    `counts` are the rows per mart when the caller has measured them already (a run has).
    """
    published = paths.published
    counts = counts if counts is not None else mart_row_counts(published)
    # the writer's warehouse keeps every gate run, failed ones too (as the Quality page shows);
    # the BI file only those that let a publish through
    source = paths.warehouse if paths.warehouse.exists() else published
    try:
        conn = connect(source, read_only=True)
    except duckdb.Error:  # a writer holds it right now: what was published is what we know
        source = published
        conn = connect(source, read_only=True)
    try:
        if logical_date is None:
            logical_date = quality_notes.newest_validated_day(conn)
        verdicts = suite_verdicts(conn, logical_date)
        fresh = quality_notes.freshness(conn, published)
        warned = quality_notes.feed_warnings(conn, logical_date) if source != published else {}
    finally:
        conn.close()
    lines = ["", "Marts (rows):"]
    lines += [f"  marts.{mart:<20} {rows:>6}" for mart, rows in counts.items()]
    lines += [f"Feed warning: {feed}: {text}" for feed, text in warned.items()]
    lines.append(fresh.describe())
    lines.append("Validation (latest run of each suite):")
    for v in verdicts:
        verdict = "passed" if v.passed else "FAILED"
        lines.append(
            f"  {v.suite:<22} {logical_date}  {v.met}/{v.expectations} expectations met, {verdict}"
        )
    lines += [
        f"Quality results (opens offline): {quality_page_path(paths).as_uri()}",
        f"dbt docs (opens offline): {transform.static_docs_page(paths).as_uri()}",
        "Both are also in the Docs menu of the Airflow UI that `make airflow` starts.",
        f"BI file (open it read-only): {published}",
        "Example query:",
        *(f"  {line}" for line in EXAMPLE_QUERY.splitlines()),
        "Paste it into any DuckDB client, or run:",
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{published}', read_only=True)"
        f".sql('{' '.join(EXAMPLE_QUERY.split())}').show()\"",
    ]
    return "\n".join(lines)
