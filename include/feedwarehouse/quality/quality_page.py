"""The quality results as one self-contained HTML page, from `quality.validation_runs`.

GX's own Data Docs load their scripts and styles from CDNs, so they are blank offline; this page
has no external asset and opens from its file or through the Airflow UI's plugin. It is written
after every gate, pass or fail, from the writer's warehouse (which keeps failed runs too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

import duckdb

from feedwarehouse.config import Paths
from feedwarehouse.quality import quality_notes

DATES_SHOWN = 30
TITLE = "Feed warehouse: quality results"
# the latest run of each (logical date, suite), every expectation it checked
LATEST_RUNS = """
with latest as (
    select logical_date, suite, arg_max(run_id, validated_at) as run_id
    from quality.validation_runs
    where logical_date in (
        select distinct logical_date from quality.validation_runs
        order by logical_date desc limit ?
    )
    group by all
)
select v.logical_date, v.suite, v.validated_at, v.table_name, v.expectation, v.column_name,
       v.severity, v.success, v.element_count, v.unexpected_count, v.observed_value,
       v.sample_values
from quality.validation_runs v join latest using (logical_date, suite, run_id)
order by v.logical_date desc, v.suite, v.success, v.expectation, v.column_name
"""
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.8rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } .num { text-align: right; }
.passed { color: #1a7f37; font-weight: 600; } .failed { color: #cf222e; font-weight: 600; }
.warning { color: #9a6700; font-weight: 600; } code { font-size: 12px; }
"""


@dataclass(frozen=True)
class SuiteVerdict:
    """How one suite went on a logical date, over every run of it that date."""

    suite: str
    expectations: int
    met: int
    critical_failures: int
    warnings: int

    @property
    def passed(self) -> bool:
        return self.critical_failures == 0


def suite_verdicts(conn: duckdb.DuckDBPyConnection, logical_date: date) -> list[SuiteVerdict]:
    """Each suite's verdict for a date, from its latest run that date (as this page shows it):
    the run report of the CLI, of the DAG (XCom) and `feedwarehouse summary`."""
    rows = conn.execute(
        "with latest as (select suite, arg_max(run_id, validated_at) as run_id "
        "from quality.validation_runs where logical_date = ? group by suite) "
        "select suite, count(*), count(*) filter (where success), "
        "count(*) filter (where not success and severity = 'critical'), "
        "count(*) filter (where not success and severity <> 'critical') "
        "from quality.validation_runs join latest using (suite, run_id) "
        "where logical_date = ? group by suite order by suite",
        [logical_date, logical_date],
    ).fetchall()
    return [SuiteVerdict(*row) for row in rows]


def quality_page_path(paths: Paths) -> Path:
    """Where the page is written: next to GX's project under the data directory."""
    return paths.data_dir / "quality" / "results.html"


def write_quality_page(
    conn: duckdb.DuckDBPyConnection, target: Path, published: Path | None = None
) -> Path:
    """Render the latest validation of each suite for the most recent dates into `target`
    (with whether the BI file `published` is stale, when given)."""
    rows = conn.execute(LATEST_RUNS, [DATES_SHOWN]).fetchall()
    notes = quality_notes.read_notes(conn, DATES_SHOWN, published)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.tmp")
    staging.write_text(render(rows, datetime.now(UTC), notes), encoding="utf-8")
    staging.replace(target)  # a reader never sees half a page
    return target


def render(
    rows: list[tuple], generated_at: datetime, notes: quality_notes.Notes | None = None
) -> str:
    """The page for rows of LATEST_RUNS (newest date first), with the feeds' warnings per
    date and the retired posts (`notes`)."""
    notes = notes or quality_notes.Notes()
    by_date: dict[object, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_date[row[0]][row[1]].append(row)
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{TITLE}</title>"
        f"<style>{STYLE}</style></head><body><h1>{TITLE}</h1>",
        f"<p>Generated {generated_at:%Y-%m-%d %H:%M} UTC from <code>quality.validation_runs"
        f"</code>: the latest validation of each suite, for the {DATES_SHOWN} most recent "
        "logical dates. A failed <em>critical</em> expectation stops the run before publish; "
        "a failed <em>warning</em> is reported only.</p>",
    ]
    parts.append(quality_notes.freshness_html(notes))
    if not by_date:
        parts.append("<p>No validation has run yet.</p>")
    for day, suites in by_date.items():
        parts.append(f"<h2>Logical date {day}</h2>{_summary(suites)}")
        parts.append(quality_notes.warnings_html(notes.warnings.get(day, [])))
        failed = [row for outcomes in suites.values() for row in outcomes if not row[7]]
        if failed:
            parts.append(_failures(failed))
    parts.append(quality_notes.retired_html(notes.retired))
    parts.append("</body></html>")
    return "\n".join(parts)


def _summary(suites: dict[str, list[tuple]]) -> str:
    lines = [
        "<table><tr><th>Suite</th><th>Table</th><th>Validated at</th>"
        "<th class='num'>Expectations met</th><th>Verdict</th></tr>"
    ]
    for suite, outcomes in suites.items():
        met = sum(1 for row in outcomes if row[7])
        critical = any(not row[7] and row[6] == "critical" for row in outcomes)
        warned = any(not row[7] for row in outcomes)
        verdict = (
            "<span class='failed'>FAILED</span>"
            if critical
            else "<span class='warning'>passed with warnings</span>"
            if warned
            else "<span class='passed'>passed</span>"
        )
        lines.append(
            f"<tr><td>{escape(suite)}</td><td>{escape(outcomes[0][3])}</td>"
            f"<td>{outcomes[0][2]:%Y-%m-%d %H:%M:%S}</td>"
            f"<td class='num'>{met} / {len(outcomes)}</td><td>{verdict}</td></tr>"
        )
    lines.append("</table>")
    return "".join(lines)


def _failures(failed: list[tuple]) -> str:
    lines = [
        "<table><tr><th>Suite</th><th>Expectation</th><th>Column</th><th>Severity</th>"
        "<th class='num'>Rows checked</th><th class='num'>Failing rows</th><th>Observed</th>"
        "<th>Sample values</th></tr>"
    ]
    for row in failed:
        _, suite, _, _, expectation, column, severity, _, checked, failing, observed, sample = row
        lines.append(
            f"<tr><td>{escape(suite)}</td><td>{escape(expectation)}</td>"
            f"<td>{escape(column or '')}</td><td>{escape(severity)}</td>"
            f"<td class='num'>{'' if checked is None else checked}</td>"
            f"<td class='num'>{'' if failing is None else failing}</td>"
            f"<td><code>{escape(observed or '')}</code></td>"
            f"<td><code>{escape(sample or '')}</code></td></tr>"
        )
    lines.append("</table>")
    return "".join(lines)
