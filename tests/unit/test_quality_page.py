"""Tests for feedwarehouse.quality.quality_page: the offline page of quality.validation_runs."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from feedwarehouse.config import data_paths
from feedwarehouse.quality.quality_page import quality_page_path, write_quality_page
from feedwarehouse.tables import RESULTS_DDL

D1, D2 = date(2026, 11, 22), date(2026, 11, 23)


def _row(
    run: str,
    day: date,
    at: datetime,
    suite: str,
    expectation: str,
    success: bool,
    severity: str = "critical",
    failing: int | None = None,
    sample: str | None = None,
) -> list:
    """One stored outcome: 10 rows checked on column guid of the suite's table."""
    return [
        run,
        day,
        at,
        suite,
        suite.replace("_", "."),
        expectation,
        "guid",
        severity,
        success,
        10,
        failing,
        None,
        sample,
    ]


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute("create schema quality")
    conn.execute(RESULTS_DDL)
    rows = [
        # D1: a failed run, then a rerun that passed: only the rerun is shown
        _row("r1", D1, datetime(2026, 11, 23, 0, 5), "raw_entries", "expect_not_null", False,
             failing=3, sample='["<b>x</b>"]'),
        _row("r2", D1, datetime(2026, 11, 23, 9, 0), "raw_entries", "expect_not_null", True),
        _row("r2", D1, datetime(2026, 11, 23, 9, 0), "raw_entries", "expect_unique", True),
        # D2: one critical failure and one warning
        _row("r3", D2, datetime(2026, 11, 24, 0, 5), "marts_posts", "expect_unique", False,
             failing=2, sample='["<script>"]'),
        _row("r3", D2, datetime(2026, 11, 24, 0, 5), "marts_posts", "expect_not_null", True),
        _row("r4", D2, datetime(2026, 11, 24, 0, 6), "marts_tags", "expect_len", False,
             severity="warning", failing=1),
    ]  # fmt: skip  # an outcome a row
    columns = (
        "run_id, logical_date, validated_at, suite, table_name, expectation, column_name,"
        " severity, success, element_count, unexpected_count, observed_value, sample_values"
    )
    conn.executemany(
        f"insert into quality.validation_runs ({columns}) values ({', '.join('?' * 13)})", rows
    )
    return conn


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_page_shows_the_latest_run_of_each_suite_newest_date_first(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    page = write_quality_page(conn, quality_page_path(data_paths(tmp_path)))
    assert page == tmp_path / "quality" / "results.html"
    html = page.read_text(encoding="utf-8")
    text = _text(html)
    assert text.index("Logical date 2026-11-23") < text.index("Logical date 2026-11-22")
    assert "marts_posts marts.posts 2026-11-24 00:05:00 1 / 2 FAILED" in text
    assert "marts_tags marts.tags 2026-11-24 00:06:00 0 / 1 passed with warnings" in text
    assert "raw_entries raw.entries 2026-11-23 09:00:00 2 / 2 passed" in text
    assert "marts_posts expect_unique guid critical 10 2" in text
    assert "marts_tags expect_len guid warning 10 1" in text
    # the D1 failure was rerun: its sample row is not on the page
    assert "expect_not_null guid critical 10 3" not in text
    # values are escaped, and nothing is loaded from elsewhere
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r"(src|href)=", html)
    assert not list(page.parent.glob(".*.tmp"))


def test_page_without_results(tmp_path: Path) -> None:
    conn = duckdb.connect()
    conn.execute("create schema quality")
    conn.execute(RESULTS_DDL)
    page = write_quality_page(conn, tmp_path / "q.html")
    assert "No validation has run yet." in page.read_text(encoding="utf-8")
