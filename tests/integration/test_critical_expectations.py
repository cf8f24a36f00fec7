"""Every critical expectation: a tampered warehouse breaks it, the gate fails naming it, and the
BI file's bytes stay exactly as they were.

One real run builds a warehouse and publishes it; each case copies that warehouse, tampers with
one table the way a bug or a bad load would, and runs the gate the DAG runs before publish.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from feedwarehouse.config import EXPECTATIONS_DIR, Paths, data_paths, load_feeds
from feedwarehouse.orchestration.daily import run_all
from feedwarehouse.orchestration.steps import (
    MARTS_SUITES,
    RAW_SUITES,
    publish_marts,
    writer,
)
from feedwarehouse.quality.validate import ValidationFailed, validate_gate
from feedwarehouse_dev.sample import generate_sample

RUN_DATE = date(2026, 11, 23)


def unconstrained(table: str) -> str:
    """Drop keys and NOT NULLs the way a hand-made table (or a migration bug) would."""
    return f"create or replace table {table} as select * from {table}"


POST = "(select min(post_id) from marts.posts)"
# (suite, expectation, column or None, tampering SQL)
CASES = [
    ("raw_fetches", "expect_table_columns_to_match_set", None,
     ["alter table raw.fetches drop column etag"]),
    ("raw_fetches", "expect_column_values_to_not_be_null", "fetch_id",
     [unconstrained("raw.fetches"), "update raw.fetches set fetch_id = null"]),
    ("raw_fetches", "expect_column_values_to_be_unique", "fetch_id",
     [unconstrained("raw.fetches"),
      "insert into raw.fetches by name select * replace ('other' as feed_id) from raw.fetches"]),
    ("raw_fetches", "expect_column_values_to_be_unique", "feed_id",
     [unconstrained("raw.fetches"),
      "insert into raw.fetches by name select * replace ('x' as fetch_id) from raw.fetches"]),
    ("raw_fetches", "expect_column_values_to_be_between", "http_status",
     ["update raw.fetches set http_status = 999"]),
    ("raw_fetches", "expect_column_values_to_match_regex", "payload_sha256",
     ["update raw.fetches set payload_sha256 = 'not-a-hash'"]),
    ("raw_volume", "expect_column_values_to_be_in_set", "has_entries_when_changed",
     ["update raw.fetches set entry_count = 0, is_unchanged = false"]),
    ("raw_entries", "expect_table_columns_to_match_set", None,
     ["alter table raw.entries drop column content"]),
    ("raw_entries", "expect_column_values_to_not_be_null", "fetch_id",
     [unconstrained("raw.entries"), "update raw.entries set fetch_id = null"]),
    ("raw_entries", "expect_column_values_to_not_be_null", "feed_id",
     [unconstrained("raw.entries"), "update raw.entries set feed_id = null"]),
    ("raw_entries", "expect_column_values_to_not_be_null", "entry_index",
     [unconstrained("raw.entries"), "update raw.entries set entry_index = null"]),
    ("raw_entries", "expect_compound_columns_to_be_unique", "fetch_id,entry_index",
     [unconstrained("raw.entries"), "insert into raw.entries select * from raw.entries"]),
    ("marts_posts", "expect_table_columns_to_match_set", None,
     ["alter table marts.posts drop column summary"]),
    ("marts_posts", "expect_column_values_to_be_in_set", "is_dated_in_future",
     [f"update marts.posts set published_at = '2030-01-01' where post_id = {POST}"]),
    ("marts_tags", "expect_table_columns_to_match_set", None,
     ["alter table marts.tags drop column name"]),
    ("marts_published_kept", "expect_column_values_to_be_in_set", "is_still_present",
     [f"delete from marts.posts where post_id = {POST}"]),
]  # fmt: skip  # a case a row


def critical_expectations() -> set[tuple[str, str, str | None]]:
    """Every critical expectation of every gate suite, from the suite files themselves."""
    found = set()
    for suite in (*RAW_SUITES, *MARTS_SUITES):
        spec = json.loads((EXPECTATIONS_DIR / f"{suite}.json").read_text(encoding="utf-8"))
        for expectation in spec["expectations"]:
            if expectation.get("severity", "critical") == "critical":
                kwargs = expectation["kwargs"]
                column = kwargs.get("column") or ",".join(kwargs.get("column_list", [])) or None
                found.add((suite, expectation["type"], column))
    return found


def gate_then_publish(paths: Paths, suite: str) -> None:
    """The DAG's order: the gate, then (only if it passed) the publish."""
    with writer(paths) as conn:
        validate_gate(conn, (suite,), logical_date=RUN_DATE, published=paths.published)
    publish_marts(paths)


def test_every_critical_expectation_has_a_case():
    assert {case[:3] for case in CASES} == critical_expectations()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    root = tmp_path_factory.mktemp("baseline")
    sample = generate_sample(root / "sample", feeds=1, items=6, seed=5)
    paths = data_paths(root / "data")
    assert run_all(load_feeds(sample.feeds_file), RUN_DATE, paths).ok
    return paths


@pytest.mark.parametrize(
    ("suite", "expectation", "column", "tampering"),
    CASES,
    ids=[f"{c[0]}-{c[1].removeprefix('expect_')}-{c[2]}" for c in CASES],
)
def test_tampering_fails_the_gate_and_keeps_the_bi_file(
    baseline: Paths, tmp_path: Path, suite, expectation, column, tampering
):
    paths = data_paths(tmp_path)
    paths.published.parent.mkdir(parents=True)
    shutil.copy(baseline.warehouse, paths.warehouse)
    shutil.copy(baseline.published, paths.published)
    before = paths.published.read_bytes()
    with writer(paths) as conn:
        for statement in tampering:
            conn.execute(statement)

    with pytest.raises(ValidationFailed) as failure:
        gate_then_publish(paths, suite)

    where = f"{expectation} on {'raw' if suite.startswith('raw') else 'marts'}."
    assert f"suite {suite}: {where}" in str(failure.value)
    if column:
        assert f".{column}:" in str(failure.value)
    remedy = json.loads((EXPECTATIONS_DIR / f"{suite}.json").read_text(encoding="utf-8"))["remedy"]
    assert str(failure.value).endswith(f"; way out: {remedy}")
    assert paths.published.read_bytes() == before
