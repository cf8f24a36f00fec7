"""Great Expectations gate: validate a table, keep every result, fail on critical expectations.

Suites live as JSON in expectations/<suite>.json. Tables are read into pandas and validated with
GX's pandas datasource (GX's SQL datasource cannot reflect DuckDB 2.0 files).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from feedwarehouse.config import EXPECTATIONS_DIR

log = logging.getLogger(__name__)

RESULTS_DDL = """
create table if not exists quality.validation_runs (
    run_id varchar not null,
    logical_date date not null,
    validated_at timestamp not null,
    suite varchar not null,
    table_name varchar not null,
    expectation varchar not null,
    column_name varchar,
    severity varchar not null,
    success boolean not null,
    element_count bigint,
    unexpected_count bigint,
    observed_value varchar,
    sample_values varchar
)
"""


DATASOURCE = "feedwarehouse"


class ValidationFailed(RuntimeError):
    """A critical expectation failed: nothing may be published."""


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    table_name: str
    expectation: str
    column_name: str | None
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    observed_value: str | None
    sample_values: str | None

    def describe(self) -> str:
        where = f"{self.table_name}.{self.column_name}" if self.column_name else self.table_name
        found = f"{self.unexpected_count} failing rows" if self.unexpected_count else "failed"
        extra = f", observed {self.observed_value}" if self.observed_value else ""
        sample = f", e.g. {self.sample_values}" if self.sample_values else ""
        return f"suite {self.suite}: {self.expectation} on {where}: {found}{extra}{sample}"


@dataclass(frozen=True)
class ValidationReport:
    suite: str
    table_name: str
    row_count: int
    outcomes: list[ExpectationOutcome]

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "rows": self.row_count,
            "expectations": len(self.outcomes),
            "failed_critical": [o.describe() for o in self.critical_failures],
            "warnings": [o.describe() for o in self.warnings],
        }


def validate_gate(
    conn: duckdb.DuckDBPyConnection,
    suite_names: tuple[str, ...],
    *,
    logical_date: date,
    published: Path | None = None,
    run_id: str | None = None,
    suites_dir: Path = EXPECTATIONS_DIR,
    gx_dir: Path | None = None,
) -> list[ValidationReport]:
    """Run every suite of a gate, store every outcome, then raise if any critical one failed."""
    run_id = run_id or uuid.uuid4().hex
    reports = [
        validate_table(
            conn, name, logical_date=logical_date, published=published, run_id=run_id,
            suites_dir=suites_dir, gx_dir=gx_dir, raise_on_failure=False,
        )
        for name in suite_names
    ]  # fmt: skip
    failures = [o for report in reports for o in report.critical_failures]
    if failures:
        described = "; ".join(o.describe() for o in failures)
        raise ValidationFailed(f"{len(failures)} critical expectation(s) failed: {described}")
    return reports


def validate_table(
    conn: duckdb.DuckDBPyConnection,
    suite_name: str,
    *,
    logical_date: date,
    published: Path | None = None,
    run_id: str | None = None,
    suites_dir: Path = EXPECTATIONS_DIR,
    gx_dir: Path | None = None,
    raise_on_failure: bool = True,
) -> ValidationReport:
    """Validate one suite's rows, store the outcome rows, raise on critical failure.

    A suite file names its `table`, and may give a `query` instead of the whole table (for
    checks across tables), `scope: logical_date` (only the date's rows), and
    `requires: published` (compare with the BI file; skipped until something is published).
    Queries may use `$logical_date`.
    """
    spec = json.loads((suites_dir / f"{suite_name}.json").read_text(encoding="utf-8"))
    table = spec["table"]
    if spec.get("requires") == "published" and (published is None or not published.exists()):
        log.info("suite %s skipped: nothing has been published yet", suite_name)
        return ValidationReport(suite_name, table, 0, [])
    frame = _frame(conn, spec, logical_date, published)
    run_id = run_id or uuid.uuid4().hex
    run_name = f"{logical_date.isoformat()}-{run_id[:8]}"
    results = _run_suite(suite_name, spec["expectations"], frame, gx_dir, run_name)
    outcomes = [_outcome(suite_name, table, result) for result in results]
    report = ValidationReport(suite_name, table, len(frame), outcomes)
    _store(conn, report, logical_date, run_id)
    for warning in report.warnings:
        log.warning("warning: %s", warning.describe())
    if raise_on_failure and report.critical_failures:
        failures = "; ".join(o.describe() for o in report.critical_failures)
        raise ValidationFailed(
            f"{len(report.critical_failures)} critical expectation(s) failed: {failures}"
        )
    log.info("suite %s: %s rows of %s validated", suite_name, len(frame), table)
    return report


def _frame(
    conn: duckdb.DuckDBPyConnection,
    spec: dict[str, Any],
    logical_date: date,
    published: Path | None,
) -> Any:
    """The rows a suite validates, as a pandas DataFrame (GX's pandas datasource)."""
    # table names and queries come from our own suite files, not from input
    query = spec.get("query") or f"select * from {spec['table']}"  # noqa: S608
    if spec.get("scope") == "logical_date" and "query" not in spec:
        query += " where logical_date = $logical_date"
    params = {"logical_date": logical_date} if "$logical_date" in query else {}
    if spec.get("requires") != "published":
        return conn.execute(query, params).df()
    conn.execute(f"attach '{published}' as published (read_only)")
    try:
        return conn.execute(query, params).df()
    finally:
        conn.execute("detach published")


def _run_suite(
    suite_name: str,
    expectations: list[dict[str, Any]],
    frame: Any,
    gx_dir: Path | None,
    run_name: str,
) -> list[Any]:
    """Validate a DataFrame with a GX checkpoint; with `gx_dir`, results and Data Docs persist."""
    gx = _gx()
    context = _context(str(gx_dir) if gx_dir else None)
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite_name, expectations=expectations)
    )
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE)
    if suite_name in {asset.name for asset in datasource.assets}:
        asset = datasource.get_asset(suite_name)
    else:
        asset = datasource.add_dataframe_asset(suite_name)
    if "whole" in {batch.name for batch in asset.batch_definitions}:
        batch_definition = asset.get_batch_definition("whole")
    else:
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(data=batch_definition, suite=suite, name=suite_name)
    )
    actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs")] if gx_dir else []
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite_name,
            validation_definitions=[definition],
            actions=actions,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": frame}, run_id=gx.RunIdentifier(run_name=run_name)
    )
    (suite_result,) = result.run_results.values()
    return list(suite_result.results)


def data_docs_index(gx_dir: Path) -> Path:
    """The Data Docs site GX builds under `gx_dir`, one page per validation run."""
    return gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _outcome(suite: str, table: str, result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    sample = details.get("partial_unexpected_list")
    observed = details.get("observed_value")
    return ExpectationOutcome(
        suite=suite,
        table_name=table,
        expectation=config.type,
        column_name=config.kwargs.get("column") or _joined(config.kwargs.get("column_list")),
        severity=str(getattr(config.severity, "value", config.severity) or "critical"),
        success=bool(result.success),
        element_count=details.get("element_count"),
        unexpected_count=details.get("unexpected_count"),
        observed_value=None if observed is None else json.dumps(observed, default=str),
        sample_values=json.dumps(sample[:5], default=str, ensure_ascii=False) if sample else None,
    )


def _joined(columns: list[str] | None) -> str | None:
    return ",".join(columns) if columns else None


def _store(
    conn: duckdb.DuckDBPyConnection, report: ValidationReport, logical_date: date, run_id: str
) -> None:
    conn.execute("create schema if not exists quality")
    conn.execute(RESULTS_DDL)
    now = datetime.now(UTC).replace(tzinfo=None)
    conn.executemany(
        "insert into quality.validation_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [run_id, logical_date, now, o.suite, o.table_name, o.expectation, o.column_name,
             o.severity, o.success, o.element_count, o.unexpected_count, o.observed_value,
             o.sample_values]
            for o in report.outcomes
        ],
    )  # fmt: skip


@cache
def _gx() -> Any:
    """Import GX quietly: no analytics calls, no INFO flood in task logs."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import great_expectations as gx

    return gx


@cache
def _context(gx_dir: str | None) -> Any:
    """A file context under the data directory (results + Data Docs), else an in-memory one."""
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if gx_dir:
        context = gx.get_context(mode="file", project_root_dir=gx_dir)
    else:
        context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context
