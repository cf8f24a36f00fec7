"""One truth about the day: the run report, `feedwarehouse summary`, the Quality page and the
watchdog read each suite's latest verdict and the BI file's staleness the same way."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from feedwarehouse.config import Paths, data_paths
from feedwarehouse.errors import NotPublished
from feedwarehouse.orchestration.steps import check_published
from feedwarehouse.quality.quality_page import quality_page_path, suite_verdicts, write_quality_page
from feedwarehouse.quality.reports import closing_report, day_outcome, format_outcome
from feedwarehouse.tables import ensure_schema
from feedwarehouse.warehouse import connect

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 21)


def validation(conn, run_id: str, day: date, at: datetime, success: bool) -> None:
    conn.execute(
        "insert into quality.validation_runs (run_id, logical_date, validated_at, suite, "
        "table_name, expectation, severity, success) values (?, ?, ?, 'marts_published_kept', "
        "'marts.posts', 'expect_column_values_to_be_in_set', 'critical', ?)",
        [run_id, day, at, success],
    )


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    """The BI file published DAY1; DAY2's gate passed once, then failed on its latest run."""
    paths = data_paths(tmp_path)
    paths.published.parent.mkdir(parents=True)
    for database in (paths.published, paths.warehouse):
        conn = connect(database)
        ensure_schema(conn)
        validation(conn, "r1", DAY1, datetime(2026, 11, 21, 1), True)
        if database == paths.warehouse:
            validation(conn, "r2", DAY2, datetime(2026, 11, 22, 1), True)
            validation(conn, "r3", DAY2, datetime(2026, 11, 22, 2), False)
        conn.close()
    return paths


def test_the_latest_run_of_a_suite_is_its_verdict_everywhere(paths: Paths):
    conn = connect(paths.warehouse)
    try:
        verdict = suite_verdicts(conn, DAY2)
        outcome = day_outcome(conn, DAY2, paths)
        write_quality_page(conn, quality_page_path(paths), paths.published)
    finally:
        conn.close()
    assert [(v.suite, v.expectations, v.met, v.critical_failures) for v in verdict] == [
        ("marts_published_kept", 1, 0, 1)
    ]
    stale = (
        f"BI file holds data through {DAY1}: STALE since {DAY2} (the gate failed for {DAY2}; "
        "its first ERROR line and the Quality page say the way out)"
    )
    assert outcome["bi_file"] == {"published_through": str(DAY1), "stale_since": str(DAY2)}
    assert format_outcome(outcome).splitlines() == [
        f"run report for {DAY2}:",
        "  feeds ok: none",
        "  entries loaded: 0",
        "  marts_published_kept   FAILED (1 critical, 0 warnings)",
        f"  BI file {paths.published}: data through {DAY1}, STALE since {DAY2}",
    ]
    report = closing_report(paths, DAY2, counts={})
    assert stale in report.splitlines()
    assert f"  marts_published_kept   {DAY2}  0/1 expectations met, FAILED" in report
    assert stale in quality_page_path(paths).read_text(encoding="utf-8")
    with pytest.raises(NotPublished) as late:
        check_published(paths, DAY2)
    assert str(late.value).endswith(f"since then ({stale})")
