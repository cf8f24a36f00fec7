"""Table-wide expectations as DuckDB aggregates, returned as Great Expectations results.

Uniqueness, the column set and checks whose flag column compares tables (a post still in the
BI file, a pair whose post exists) are properties of a whole table: DuckDB computes them where
the data is, with one small result row each, instead of GX reading the table into pandas.
Each becomes an ExpectationValidationResult with GX's own configuration (kwargs checked by
GX) and GX's result keys, so the gate stores and reports it like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

# expectations that are about the whole table by their nature
TABLE_WIDE_TYPES = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_table_columns_to_match_set",
    }
)
SAMPLES = 5


def is_table_wide(expectation: dict[str, Any]) -> bool:
    """Table-wide by type, or marked `"meta": {"scope": "table"}` (a flag read across tables)."""
    meta = expectation.get("meta") or {}
    return expectation["type"] in TABLE_WIDE_TYPES or meta.get("scope") == "table"


def evaluate(
    conn: duckdb.DuckDBPyConnection,
    relation: str,
    params: dict[str, Any],
    expectations: list[dict[str, Any]],
) -> list[Any]:
    """GX results of table-wide expectations over the rows of `relation` (a SELECT)."""
    from feedwarehouse.quality.gx_checkpoint import quiet_gx

    quiet_gx()  # before GX's first import: it logs a line per function it registers
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    columns = columns_of(conn, relation, params)
    results = []
    for expectation in expectations:
        config = ExpectationConfiguration(
            type=expectation["type"],
            kwargs=expectation["kwargs"],
            meta=expectation.get("meta"),
            severity=expectation.get("severity", "critical"),
        )
        config.to_domain_obj()  # GX validates the kwargs, as it would for a pandas run
        check = _CHECKS.get(expectation["type"])
        if check is None:
            raise ValueError(
                f"{expectation['type']} cannot run as a table-wide SQL check "
                f"(supported: {', '.join(sorted(_CHECKS))})"
            )
        kwargs = expectation["kwargs"]
        missing = [c for c in _named_columns(kwargs) if c not in columns]
        if missing and expectation["type"] != "expect_table_columns_to_match_set":
            success, result = False, {"observed_value": f"missing column(s) {missing}"}
        else:
            sample_column = (expectation.get("meta") or {}).get("sample_column")
            success, result = check(conn, relation, params, kwargs, columns, sample_column)
        results.append(
            ExpectationValidationResult(success=success, expectation_config=config, result=result)
        )
    return results


def run(
    conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]
) -> duckdb.DuckDBPyConnection:
    """Execute with the named parameters the statement uses (DuckDB refuses unused ones)."""
    return conn.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})


def columns_of(conn: duckdb.DuckDBPyConnection, relation: str, params: dict[str, Any]) -> list[str]:
    """The column names of a SELECT, without running it."""
    probe = f"select * from ({relation}) limit 0"  # noqa: S608 (our suite files)
    return [d[0] for d in run(conn, probe, params).description]


def _named_columns(kwargs: dict[str, Any]) -> list[str]:
    return [kwargs["column"]] if "column" in kwargs else list(kwargs.get("column_list", []))


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _columns_match_set(conn, relation, params, kwargs, columns, sample_column):
    wanted = list(kwargs["column_set"])
    missing = [c for c in wanted if c not in columns]
    extra = [c for c in columns if c not in wanted]
    success = not missing and (not kwargs.get("exact_match", True) or not extra)
    result = {"observed_value": columns, "details": {"mismatched": {"missing": missing}}}
    if missing:
        result["partial_unexpected_list"] = missing
    return success, result


def _unique(conn, relation, params, kwargs, columns, sample_column):
    """GX semantics: every row whose value occurs more than once is unexpected; nulls skipped."""
    keys = _named_columns(kwargs)
    key_list = ", ".join(_quoted(c) for c in keys)
    present = " or ".join(f"{_quoted(c)} is not null" for c in keys)
    element_count, unexpected, samples = run(
        conn,
        f"with rel as ({relation}), "  # noqa: S608 (our suite files)
        f"counted as (select {key_list}, count(*) as copies from rel where {present} "
        f"group by all) "
        f"select (select count(*) from rel), "
        f"(select coalesce(sum(copies), 0) from counted where copies > 1), "
        f"(select list(struct_pack({key_list}) order by {key_list}) from "
        f"(select * from counted where copies > 1 order by {key_list} limit {SAMPLES}))",
        params,
    ).fetchone()
    values = [s if len(keys) > 1 else s[keys[0]] for s in samples or []]
    return unexpected == 0, _map_result(element_count, unexpected, values)


def _column_map(predicate: Callable[[str], str], *, skips_nulls: bool):
    """A per-row check counted over the whole relation (GX's column map semantics and mostly)."""

    def check(conn, relation, params, kwargs, columns, sample_column):
        column = _quoted(kwargs["column"])
        shown = _quoted(sample_column or kwargs["column"])
        bad = predicate(column)
        element_count, nonnull, unexpected, samples = run(
            conn,
            f"with rel as ({relation}) select count(*), count({column}), "  # noqa: S608
            f"count(*) filter (where {bad}), "
            f"(select list(v) from (select {shown} as v from rel where {bad} "
            f"order by 1 limit {SAMPLES})) from rel",
            {**params, "value_set": list(kwargs.get("value_set", []))},
        ).fetchone()
        checked = nonnull if skips_nulls else element_count
        mostly = kwargs.get("mostly", 1)
        success = checked == 0 or (checked - unexpected) / checked >= mostly
        return success, _map_result(element_count, unexpected, samples or [])

    return check


def _map_result(element_count: int, unexpected: int, samples: list[Any]) -> dict[str, Any]:
    return {
        "element_count": element_count,
        "unexpected_count": unexpected,
        "unexpected_percent": 100 * unexpected / element_count if element_count else 0.0,
        "partial_unexpected_list": samples,
    }


_CHECKS = {
    "expect_table_columns_to_match_set": _columns_match_set,
    "expect_column_values_to_be_unique": _unique,
    "expect_compound_columns_to_be_unique": _unique,
    "expect_column_values_to_be_in_set": _column_map(
        lambda c: f"{c} is not null and not list_contains($value_set, {c})", skips_nulls=True
    ),
    "expect_column_values_to_not_be_null": _column_map(lambda c: f"{c} is null", skips_nulls=False),
}
