"""What the Quality page, the run report, `feedwarehouse summary` and the watchdog all tell:
feeds warned (not well-formed payloads), posts retired, and whether the BI file is stale.

One reading of each fact, so the four never disagree: the writer's warehouse keeps every gate
run (failed ones too); the BI file holds what was last published.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path

import duckdb

from feedwarehouse.quality.retire import retired_posts
from feedwarehouse.warehouse import connect

# the logical dates after the BI file's newest whose latest run of some suite left a critical
# failure: the first of them is when the BI file went stale
FAILED_DATES = """
with latest as (
    select logical_date, suite, arg_max(run_id, validated_at) as run_id
    from quality.validation_runs group by all
)
select distinct v.logical_date
from quality.validation_runs v join latest using (logical_date, suite, run_id)
where not v.success and v.severity = 'critical' and v.logical_date > coalesce(?, date '0001-01-01')
order by 1
"""


@dataclass(frozen=True)
class Freshness:
    """How current the BI file is: the newest date it holds, and the dates the gate refused."""

    published_through: date | None
    failed_dates: list[date] = field(default_factory=list)

    @property
    def stale_since(self) -> date | None:
        return self.failed_dates[0] if self.failed_dates else None

    def describe(self) -> str:
        held = f"holds data through {self.published_through or 'nothing yet'}"
        if self.stale_since is None:
            return f"BI file {held}: current"
        failed = ", ".join(str(day) for day in self.failed_dates)
        return (
            f"BI file {held}: STALE since {self.stale_since} (the gate failed for {failed}; "
            "its first ERROR line and the Quality page say the way out)"
        )


@dataclass
class Notes:
    """Per logical date, the feeds' warnings; the retired posts; the BI file's freshness."""

    warnings: dict[date, list[tuple[str, str]]] = field(default_factory=dict)
    retired: list[tuple] = field(default_factory=list)
    freshness: Freshness | None = None


def newest_validated_day(conn: duckdb.DuckDBPyConnection) -> date | None:
    """The newest logical date a gate validated in this warehouse file, None before any."""
    return conn.execute("select max(logical_date) from quality.validation_runs").fetchone()[0]


def published_through(published: Path) -> date | None:
    """The newest logical date a gate validated in the BI file (None before any publish)."""
    if not published.exists():
        return None
    conn = connect(published, read_only=True)
    try:
        return newest_validated_day(conn)
    finally:
        conn.close()


def freshness(conn: duckdb.DuckDBPyConnection, published: Path) -> Freshness:
    """The BI file's freshness, `conn` being the writer's warehouse (which keeps failed runs)."""
    through = published_through(published)
    failed = [row[0] for row in conn.execute(FAILED_DATES, [through]).fetchall()]
    return Freshness(through, failed)


def gate_note(warehouse: Path, published: Path) -> str:
    """ " (BI file … STALE since D …)" when the gate refused dates since the BI file's newest,
    read from the writer's `warehouse`; "" when current or when a run holds that file."""
    try:
        conn = connect(warehouse, read_only=True)
    except duckdb.Error:  # a run is writing it: say what is known without it
        return ""
    try:
        fresh = freshness(conn, published)
    except duckdb.Error:
        return ""
    finally:
        conn.close()
    return f" ({fresh.describe()})" if fresh.stale_since else ""


def feed_warnings(conn: duckdb.DuckDBPyConnection, logical_date: date) -> dict[str, str]:
    """feed_id -> warning of the date's successful fetches that were warned."""
    if not _exists(conn, "raw", "fetches"):
        return {}
    rows = conn.execute(
        "select feed_id, warning from raw.fetches where logical_date = ? and error is null "
        "and warning is not null order by feed_id",
        [logical_date],
    ).fetchall()
    return dict(rows)


def read_notes(conn: duckdb.DuckDBPyConnection, dates: int, published: Path | None = None) -> Notes:
    """The notes of the `dates` newest logical dates, read from the writer's warehouse."""
    notes = Notes()
    if _exists(conn, "raw", "fetches"):
        rows = conn.execute(
            "select logical_date, feed_id, warning from raw.fetches where error is null "
            "and warning is not null and logical_date in (select distinct logical_date "
            "from raw.fetches order by logical_date desc limit ?) order by all",
            [dates],
        ).fetchall()
        by_date: dict[date, list[tuple[str, str]]] = defaultdict(list)
        for day, feed_id, warning in rows:
            by_date[day].append((feed_id, warning))
        notes.warnings = dict(by_date)
    if _exists(conn, "quality", "retired_posts"):
        notes.retired = retired_posts(conn)
    if published is not None:
        notes.freshness = freshness(conn, published)
    return notes


def freshness_html(notes: Notes) -> str:
    if notes.freshness is None:
        return ""
    css = "failed" if notes.freshness.stale_since else "passed"
    return f"<p class='{css}'>{escape(notes.freshness.describe())}</p>"


def warnings_html(warnings: list[tuple[str, str]]) -> str:
    if not warnings:
        return ""
    rows = "".join(
        f"<tr><td>{escape(feed)}</td><td class='warning'>{escape(text)}</td></tr>"
        for feed, text in warnings
    )
    return f"<table><tr><th>Feed</th><th>Warning</th></tr>{rows}</table>"


def retired_html(retired: list[tuple]) -> str:
    if not retired:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(post_id)}</code></td><td>{escape(reason)}</td>"
        f"<td>{retired_at:%Y-%m-%d %H:%M:%S}</td><td>{escape(by)}</td></tr>"
        for post_id, reason, retired_at, by in retired
    )
    return (
        "<h2>Retired posts</h2><p>Taken out of every mart and the BI file with "
        "<code>feedwarehouse retire POST_ID --reason TEXT</code> "
        "(<code>quality.retired_posts</code>).</p><table><tr><th>Post</th><th>Reason</th>"
        f"<th>Retired at (UTC)</th><th>By</th></tr>{rows}</table>"
    )


def _exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the table exists (a warehouse no load has created yet has none)."""
    (count,) = conn.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return count > 0
