"""A date the raw gate refused never reaches a build; once a rerun passes the gate, it does.

The staging models leave out every logical date whose latest run of a raw suite (raw_*) left a
critical expectation failed (stg_quality__raw_gate_refusals). Warnings, marts suites and
earlier runs superseded by a passing one refuse nothing.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from helpers.dbt_raw import dbt_build, entry, insert_fetch, rows

from feedwarehouse.load.raw import ensure_schema

DAY1, DAY2, DAY3 = date(2024, 7, 1), date(2024, 7, 2), date(2024, 7, 3)


def post(key: str) -> dict:
    return entry(
        f"Post {key}",
        guid=f"delta-{key}",
        link=f"https://delta.example/{key}/",
        published_at=datetime(2024, 6, 1, 12, 0),
        content=f"<p>Body of {key}</p>",
    )


def write(data_dir: Path, statements: list[tuple[str, list]]) -> None:
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        ensure_schema(conn)
        for sql, params in statements:
            conn.execute(sql, params)
    finally:
        conn.close()


def gate_run(
    day: date, suite: str, at: datetime, *, severity: str = "critical", success: bool
) -> tuple[str, list]:
    """One expectation's row of one gate run, as validate.py stores it."""
    return (
        "insert into quality.validation_runs (run_id, logical_date, validated_at, suite,"
        " table_name, expectation, severity, success) values (?, ?, ?, ?, 'raw.fetches',"
        " 'expect_something', ?, ?)",
        [f"{suite}-{day}-{at:%H%M}", day, at, suite, severity, success],
    )


def fetch(data_dir: Path, day: date, keys: list[str]) -> None:
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        ensure_schema(conn)
        insert_fetch(conn, "delta", day, [post(key) for key in keys])
    finally:
        conn.close()


def built(data_dir: Path) -> tuple[list[tuple], list[tuple]]:
    """The posts in the marts, and the dates whose entries a build took in."""
    return (
        rows(data_dir, "select guid from marts.posts order by guid"),
        rows(
            data_dir,
            "select distinct logical_date from intermediate.int_entries_identified order by 1",
        ),
    )


def test_a_refused_date_stays_out_until_its_gate_passes(tmp_path: Path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDWAREHOUSE_DATA_DIR", str(tmp_path))
        fetch(tmp_path, DAY1, ["a", "b"])
        write(
            tmp_path,
            [
                gate_run(DAY1, "raw_entries", datetime(2024, 7, 1, 2), success=True),
                # a warning and a marts suite refuse nothing
                gate_run(
                    DAY1, "raw_entries", datetime(2024, 7, 1, 2), severity="warning", success=False
                ),
                gate_run(DAY1, "marts_posts", datetime(2024, 7, 1, 3), success=False),
            ],
        )
        fetch(tmp_path, DAY2, ["c", "b", "a"])
        write(
            tmp_path,
            [
                # refused at first, then the latest run of raw_volume passes; raw_entries fails
                gate_run(DAY2, "raw_volume", datetime(2024, 7, 2, 2), success=False),
                gate_run(DAY2, "raw_volume", datetime(2024, 7, 2, 5), success=True),
                gate_run(DAY2, "raw_entries", datetime(2024, 7, 2, 5), success=False),
            ],
        )
        dbt_build(tmp_path)
        refused = built(tmp_path)
        # a rerun of DAY2's raw_entries passes; DAY3 passed raw_fetches, then a rerun failed it
        fetch(tmp_path, DAY3, ["d", "c", "b", "a"])
        write(
            tmp_path,
            [
                gate_run(DAY2, "raw_entries", datetime(2024, 7, 3, 9), success=True),
                gate_run(DAY3, "raw_fetches", datetime(2024, 7, 3, 2), success=True),
                gate_run(DAY3, "raw_fetches", datetime(2024, 7, 3, 4), success=False),
            ],
        )
        dbt_build(tmp_path)
        passed = built(tmp_path)
        refusals = rows(tmp_path, "select * from staging.stg_quality__raw_gate_refusals")
        copy = tmp_path / "full"
        copy.mkdir()
        shutil.copy(tmp_path / "warehouse.duckdb", copy / "warehouse.duckdb")
        patch.setenv("FEEDWAREHOUSE_DATA_DIR", str(copy))
        dbt_build(copy, "--full-refresh")
        refreshed = built(copy)
    assert refused == ([("delta-a",), ("delta-b",)], [(DAY1,)])
    assert passed == ([("delta-a",), ("delta-b",), ("delta-c",)], [(DAY1,), (DAY2,)])
    assert refusals == [(DAY3,)]
    assert refreshed == passed
