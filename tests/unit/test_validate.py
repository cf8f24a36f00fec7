"""The gate's two halves: table-wide checks as DuckDB aggregates, row checks on changed rows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from feedwarehouse.config import Paths, data_paths
from feedwarehouse.publish.bi_file import publish
from feedwarehouse.quality import gx_checkpoint, validate
from feedwarehouse.quality.validate import ValidationFailed, validate_table
from feedwarehouse.warehouse import connect

DAY1, DAY2 = date(2026, 11, 22), date(2026, 11, 23)
SUITE = {
    "table": "marts.posts",
    "changed": (
        "last_seen_on = $logical_date or not exists (select 1 from published.marts.posts as old "
        "where old.post_id = rel.post_id and old.version_hash = rel.version_hash)"
    ),
    "expectations": [
        {
            "type": "expect_column_values_to_be_unique",
            "kwargs": {"column": "post_id"},
            "severity": "critical",
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "word_count", "min_value": 0},
            "severity": "critical",
        },
    ],
}


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "posts.json").write_text(json.dumps(SUITE))
    return data_paths(tmp_path / "data")


def write_posts(paths: Paths, rows: list[tuple[str, int, date]]) -> None:
    """marts.posts with an HTML body, a version per (post, word count, last seen)."""
    conn = connect(paths.warehouse)
    try:
        conn.execute("create schema if not exists marts")
        conn.execute(
            "create or replace table marts.posts (post_id varchar, word_count integer, "
            "last_seen_on date, content_html varchar, version_hash varchar)"
        )
        conn.executemany(
            "insert into marts.posts values (?, ?, ?, '<p>body</p>', md5(? || ? || ?))",
            [[post, words, seen, post, words, seen] for post, words, seen in rows],
        )
    finally:
        conn.close()


def gate(paths: Paths, day: date, suites: Path) -> validate.ValidationReport:
    conn = connect(paths.warehouse)
    try:
        return validate_table(
            conn, "posts", logical_date=day, published=paths.published, suites_dir=suites
        )
    finally:
        conn.close()


def publish_now(paths: Paths) -> None:
    conn = connect(paths.warehouse)
    try:
        publish(conn, paths)
    finally:
        conn.close()


def test_row_checks_read_only_the_changed_rows_and_the_columns_they_name(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    suites = tmp_path / "suites"
    frames = []
    run_checkpoint = gx_checkpoint.run_checkpoint
    monkeypatch.setattr(
        gx_checkpoint, "run_checkpoint", lambda *a: frames.append(a[2].copy()) or run_checkpoint(*a)
    )
    write_posts(paths, [("p1", 10, DAY1), ("p2", 20, DAY1)])
    first = gate(paths, DAY1, suites)
    publish_now(paths)
    assert (first.row_count, first.changed_count) == (2, 2)
    # day 2: p1 unchanged, p2 edited (a new version), p3 new; no p1 in today's feed
    write_posts(paths, [("p1", 10, DAY1), ("p2", -1, DAY1), ("p3", -2, DAY2)])

    with pytest.raises(ValidationFailed) as failure:
        gate(paths, DAY2, suites)

    assert list(frames[-1].columns) == ["word_count"]  # never the HTML body
    assert sorted(frames[-1]["word_count"]) == [-2, -1]
    assert (
        "suite posts: expect_column_values_to_be_between on marts.posts.word_count: "
        "2 failing rows" in str(failure.value)
    )


def test_table_wide_checks_count_every_row_in_duckdb(paths: Paths, tmp_path: Path):
    write_posts(paths, [("p1", 10, DAY1), ("p2", 20, DAY1)])
    gate(paths, DAY1, tmp_path / "suites")
    publish_now(paths)
    # an old post duplicated: not a changed row, but the whole table is no longer unique
    write_posts(paths, [("p1", 10, DAY1), ("p1", 10, DAY1), ("p2", 20, DAY1)])

    with pytest.raises(ValidationFailed) as failure:
        gate(paths, DAY2, tmp_path / "suites")

    assert str(failure.value) == (
        "1 critical expectation(s) failed: suite posts: expect_column_values_to_be_unique on "
        'marts.posts.post_id: 2 failing rows, e.g. ["p1"]'
    )
    conn = connect(paths.warehouse, read_only=True)
    try:
        stored = conn.execute(
            "select expectation, element_count, unexpected_count, sample_values "
            "from quality.validation_runs where logical_date = ? order by expectation",
            [DAY2],
        ).fetchall()
    finally:
        conn.close()
    assert stored == [
        ("expect_column_values_to_be_between", 0, 0, None),
        ("expect_column_values_to_be_unique", 3, 2, '["p1"]'),
    ]


def test_an_edited_suite_checks_every_row_once(paths: Paths, tmp_path: Path):
    suites = tmp_path / "suites"
    write_posts(paths, [("p1", 10, DAY1), ("p2", 20, DAY1)])
    gate(paths, DAY1, suites)
    publish_now(paths)
    assert gate(paths, DAY2, suites).changed_count == 0  # nothing changed, nothing re-read
    strict = {**SUITE, "expectations": [*SUITE["expectations"]]}
    strict["expectations"][1] = {
        **strict["expectations"][1],
        "kwargs": {"column": "word_count", "min_value": 0, "max_value": 15},
    }
    (suites / "posts.json").write_text(json.dumps(strict))

    with pytest.raises(ValidationFailed) as failure:
        gate(paths, DAY2, suites)

    assert "marts.posts.word_count: 1 failing rows, e.g. [20]" in str(failure.value)


def test_a_critical_failure_ends_with_its_suites_way_out(paths: Paths, tmp_path: Path):
    remedy = "retire it with `feedwarehouse retire POST_ID --reason TEXT`, then rerun"
    suites = tmp_path / "suites"
    (suites / "posts.json").write_text(json.dumps({**SUITE, "remedy": remedy}))
    write_posts(paths, [("p1", 10, DAY1), ("p1", 10, DAY1)])

    with pytest.raises(ValidationFailed) as failure:
        gate(paths, DAY1, suites)

    assert str(failure.value) == (
        "1 critical expectation(s) failed: suite posts: expect_column_values_to_be_unique on "
        f'marts.posts.post_id: 2 failing rows, e.g. ["p1"]; way out: {remedy}'
    )


def test_every_gate_suite_names_its_way_out_here_and_in_the_docs():
    from feedwarehouse.config import EXPECTATIONS_DIR

    faults = (EXPECTATIONS_DIR.parent / "docs" / "faults.md").read_text(encoding="utf-8")
    way_out = faults.split("## Way out of a failed gate", 1)[1]
    missing = []
    for path in sorted(EXPECTATIONS_DIR.glob("*.json")):
        remedy = json.loads(path.read_text(encoding="utf-8")).get("remedy", "")
        documented = remedy.removesuffix("; see docs/faults.md#way-out-of-a-failed-gate")
        if not remedy or f"| `{path.stem}` | {documented} |" not in way_out:
            missing.append(path.stem)
    assert missing == []
