"""One place per check: dbt tests guard the marts' contracts (keys, not null, relationships,
ranges, formats) and fail the build; the GX marts suites gate what dbt cannot see (the column
set the BI file promises, dates against the load, the BI file itself) and record quality
warnings. No column is gated by both."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from feedwarehouse.config import DBT_PROJECT_DIR, EXPECTATIONS_DIR


def dbt_tested_columns() -> dict[tuple[str, str], list[str]]:
    tested: dict[tuple[str, str], list[str]] = {}
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            for column in model.get("columns", []):
                tests = column.get("data_tests") or []
                if tests:
                    names = [t if isinstance(t, str) else next(iter(t)) for t in tests]
                    tested[(f"marts.{model['name']}", column["name"])] = names
    return tested


def gx_checked_columns(path: Path, severity: str) -> set[tuple[str, str]]:
    suite = json.loads(path.read_text(encoding="utf-8"))
    checked = set()
    for expectation in suite["expectations"]:
        if expectation.get("severity", "critical") != severity:
            continue
        kwargs = expectation["kwargs"]
        for column in [kwargs.get("column"), *kwargs.get("column_list", [])]:
            if column is not None:
                checked.add((suite["table"], column))
    return checked


def both(severity: str) -> dict[tuple[str, str, str], list[str]]:
    tested = dbt_tested_columns()
    return {
        (path.stem, table, column): tested[(table, column)]
        for path in sorted(EXPECTATIONS_DIR.glob("marts_*.json"))
        for table, column in gx_checked_columns(path, severity)
        if (table, column) in tested
    }


def test_no_mart_column_is_gated_by_dbt_and_by_gx():
    assert both("critical") == {}


def test_gx_warnings_on_dbt_tested_columns_watch_something_else():
    # dbt: the contract; GX, as a warning on the quality page: how many rows lack a value
    assert both("warning") == {
        ("marts_posts", "marts.posts", "has_unparsed_date"): ["not_null"],
        ("marts_posts", "marts.posts", "published_at"): ["not_in_future", "accepted_range"],
    }
