"""Great Expectations gate: validate a table, keep every result, fail on critical expectations.

Suites live as JSON in expectations/<suite>.json. Table-wide expectations run as DuckDB
aggregates (table_checks); the rows a run changed are read into pandas, only the columns the
row-level expectations name, and validated with GX's pandas datasource (GX's SQL datasource
cannot reflect DuckDB 2.0 files).
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

from feedwarehouse import suite_rows, table_checks
from feedwarehouse.config import EXPECTATIONS_DIR
from feedwarehouse.tables import ensure_quality_tables

log = logging.getLogger(__name__)

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
    changed_count: int = 0  # rows checked row by row (the rest only by table-wide checks)
    fingerprint: str | None = None  # of the suite file's checks, stored with every outcome

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
    reports = [
        validate_table(
            conn, name, logical_date=logical_date, published=published, run_id=run_id,
            suites_dir=suites_dir, gx_dir=gx_dir, raise_on_failure=False,
        )
        for name in suite_names
    ]  # fmt: skip
    raise_on_critical(reports)
    return reports


def raise_on_critical(reports: list[ValidationReport]) -> None:
    """Raise ValidationFailed naming every critical expectation that failed in these reports."""
    failures = [o for report in reports for o in report.critical_failures]
    if failures:
        described = "; ".join(o.describe() for o in failures)
        raise ValidationFailed(f"{len(failures)} critical expectation(s) failed: {described}")


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
    checked = _run_suite(
        suite_name, [e for _, e in row_level], frame, gx_dir, run_name, [r for _, r in results]
    )
    results += list(zip([i for i, _ in row_level], checked, strict=True))
    outcomes = [_outcome(suite_name, table, result) for _, result in sorted(results)]
    changed_count = 0 if frame is None else len(frame)
    report = ValidationReport(suite_name, table, row_count, outcomes, changed_count, fingerprint)
    _store(conn, report, logical_date, run_id)
    for warning in report.warnings:
        log.warning("warning: %s", warning.describe())
    if raise_on_failure:
        raise_on_critical([report])
    log.info(
        "suite %s: %s rows of %s validated (%s changed rows row by row)",
        suite_name, row_count, table, changed_count,
    )  # fmt: skip
    return report


def _run_suite(
    suite_name: str,
    expectations: list[dict[str, Any]],
    frame: Any,
    gx_dir: Path | None,
    run_name: str,
    table_wide: list[Any],
) -> list[Any]:
    """Validate a DataFrame with a GX checkpoint; with `gx_dir`, results and Data Docs persist.

    The table-wide results (computed in DuckDB) join the checkpoint's result before it is
    stored, so a suite's Data Docs page shows every expectation. Returns GX's own results.
    """
    gx = _gx()
    if frame is None:
        import pandas as pd

        frame = pd.DataFrame({"no_row_level_expectations": []})
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
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite_name,
            validation_definitions=[definition],
            actions=[],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": frame}, run_id=gx.RunIdentifier(run_name=run_name)
    )
    ((identifier, suite_result),) = result.run_results.items()
    checked = list(suite_result.results)
    if gx_dir:
        everything = [*checked, *table_wide]
        passed = sum(bool(r.success) for r in everything)
        suite_result.results = everything
        suite_result.success = passed == len(everything)
        suite_result.statistics.update(
            evaluated_expectations=len(everything), successful_expectations=passed,
            unsuccessful_expectations=len(everything) - passed,
            success_percent=100 * passed / len(everything) if everything else None,
        )  # fmt: skip
        context.validation_results_store.set(identifier, suite_result)
        context.build_data_docs(resource_identifiers=[identifier])
    return checked


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
    ensure_quality_tables(conn)
    now = datetime.now(UTC).replace(tzinfo=None)
    conn.executemany(
        "insert into quality.validation_runs (run_id, logical_date, validated_at, suite, "
        "table_name, expectation, column_name, severity, success, element_count, "
        "unexpected_count, observed_value, sample_values, suite_fingerprint) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [run_id, logical_date, now, o.suite, o.table_name, o.expectation, o.column_name,
             o.severity, o.success, o.element_count, o.unexpected_count, o.observed_value,
             o.sample_values, report.fingerprint]
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
