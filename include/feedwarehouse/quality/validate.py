"""Great Expectations gate: validate a table, keep every result, fail on critical expectations.

Suites live as JSON in expectations/<suite>.json. Table-wide expectations run as DuckDB
aggregates (table_checks); the rows a run changed are read into pandas, only the columns the
row-level expectations name, and validated with GX's pandas datasource (GX's SQL datasource
cannot reflect DuckDB 2.0 files).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from feedwarehouse.config import EXPECTATIONS_DIR
from feedwarehouse.errors import ValidationFailed
from feedwarehouse.quality import gx_checkpoint, suite_rows, table_checks
from feedwarehouse.tables import ensure_quality_tables

log = logging.getLogger(__name__)


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
    changed_count: int = 0  # rows checked row by row (the rest only by table-wide checks)
    fingerprint: str | None = None  # of the suite file's checks, stored with every outcome
    remedy: str | None = None  # the suite file's way out of its failure, for the error

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
            "rows_changed": self.changed_count,
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
    ensure_quality_tables(conn)  # a suite may read quality.retired_posts
    reports = [
        validate_table(
            conn,
            name,
            logical_date=logical_date,
            published=published,
            run_id=run_id,
            suites_dir=suites_dir,
            gx_dir=gx_dir,
            raise_on_failure=False,
        )
        for name in suite_names
    ]
    raise_on_critical(reports)
    return reports


def raise_on_critical(reports: list[ValidationReport]) -> None:
    """Raise ValidationFailed naming every critical expectation that failed in these reports."""
    failures = [o for report in reports for o in report.critical_failures]
    if failures:
        described = "; ".join(o.describe() for o in failures)
        remedies = [r.remedy for r in reports if r.critical_failures and r.remedy]
        way_out = "".join(f"; way out: {remedy}" for remedy in dict.fromkeys(remedies))
        raise ValidationFailed(
            f"{len(failures)} critical expectation(s) failed: {described}{way_out}"
        )


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
    checks across tables), `scope: logical_date` (only the date's rows), `requires: published`
    (compare with the BI file; skipped until something is published) and `changed`: a
    condition on the query's rows naming those this run changed. Queries may use
    `$logical_date`; a condition may read the BI file as `published` (before anything is
    published, every row counts as changed).

    Table-wide expectations (table_checks.is_table_wide) run in DuckDB over every row of the
    query; the others run in GX over the changed rows, reading only the columns they name.
    """
    spec = json.loads((suites_dir / f"{suite_name}.json").read_text(encoding="utf-8"))
    table = spec["table"]
    is_published = published is not None and published.exists()
    if spec.get("requires") == "published" and not is_published:
        log.info("suite %s skipped: nothing has been published yet", suite_name)
        return ValidationReport(suite_name, table, 0, [])
    params = {"logical_date": logical_date}
    relation = suite_rows.relation(spec)
    fingerprint = suite_rows.fingerprint(spec)
    changed = spec.get("changed")
    expectations = list(enumerate(spec["expectations"]))
    table_wide = [(i, e) for i, e in expectations if table_checks.is_table_wide(e)]
    row_level = [(i, e) for i, e in expectations if not table_checks.is_table_wide(e)]
    run_id = run_id or uuid.uuid4().hex
    run_name = f"{logical_date.isoformat()}-{run_id[:8]}"
    with suite_rows.published_attached(conn, published if is_published else None, spec):
        if changed and not (
            is_published and suite_rows.published_after(conn, suite_name, fingerprint)
        ):
            changed = None  # rows the BI file holds were not all checked by this suite yet
        try:
            counting = f"select count(*) from ({relation})"  # noqa: S608 (our suite files)
            (row_count,) = table_checks.run(conn, counting, params).fetchone()
            results = list(
                zip(
                    [i for i, _ in table_wide],
                    table_checks.evaluate(conn, relation, params, [e for _, e in table_wide]),
                    strict=True,
                )
            )
            frame = None
            if row_level:
                expected = [e for _, e in row_level]
                frame = suite_rows.changed_rows(conn, relation, changed, params, expected)
        except duckdb.Error as exc:
            raise ValidationFailed(
                f"suite {suite_name}: its query on {table} failed ({exc}); "
                f"check the table against {suites_dir / f'{suite_name}.json'}"
            ) from exc
    checked = gx_checkpoint.run_checkpoint(
        suite_name, [e for _, e in row_level], frame, gx_dir, run_name, [r for _, r in results]
    )
    results += list(zip([i for i, _ in row_level], checked, strict=True))
    outcomes = [_outcome(suite_name, table, result) for _, result in sorted(results)]
    changed_count = 0 if frame is None else len(frame)
    report = ValidationReport(
        suite_name, table, row_count, outcomes, changed_count, fingerprint, spec.get("remedy")
    )
    _store(conn, report, logical_date, run_id)
    for warning in report.warnings:
        log.warning("warning: %s", warning.describe())
    if raise_on_failure:
        raise_on_critical([report])
    log.info(
        "suite %s: %s rows of %s validated (%s changed rows row by row)",
        suite_name,
        row_count,
        table,
        changed_count,
    )
    return report


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
    ensure_quality_tables(conn)
    now = datetime.now(UTC).replace(tzinfo=None)
    conn.executemany(
        "insert into quality.validation_runs (run_id, logical_date, validated_at, suite, "
        "table_name, expectation, column_name, severity, success, element_count, "
        "unexpected_count, observed_value, sample_values, suite_fingerprint) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                logical_date,
                now,
                o.suite,
                o.table_name,
                o.expectation,
                o.column_name,
                o.severity,
                o.success,
                o.element_count,
                o.unexpected_count,
                o.observed_value,
                o.sample_values,
                report.fingerprint,
            ]
            for o in report.outcomes
        ],
    )
