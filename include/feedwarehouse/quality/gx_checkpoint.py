"""Great Expectations, run quietly: one suite's checkpoint over a DataFrame, its Data Docs.

GX's SQL datasource cannot reflect DuckDB 2.0 files, so rows reach GX as pandas DataFrames.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

DATASOURCE = "feedwarehouse"
# gx_dir -> the validation results whose Data Docs pages wait for data_docs_once's end
_DEFERRED: dict[str, list[Any]] = {}


def run_checkpoint(
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
    gx = quiet_gx()
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
            evaluated_expectations=len(everything),
            successful_expectations=passed,
            unsuccessful_expectations=len(everything) - passed,
            success_percent=100 * passed / len(everything) if everything else None,
        )
        context.validation_results_store.set(identifier, suite_result)
        if str(gx_dir) in _DEFERRED:
            _DEFERRED[str(gx_dir)].append(identifier)
        else:
            context.build_data_docs(resource_identifiers=[identifier])
    return checked


@contextmanager
def data_docs_once(gx_dir: Path) -> Iterator[None]:
    """Within it, results are stored as they come but their Data Docs pages are built once,
    at the end: each build also rewrites the site's index of every stored result, so a
    backfill of N dates paid it 3 N times, growing with N."""
    key = str(gx_dir)
    _DEFERRED[key] = []
    try:
        yield
    finally:
        identifiers = _DEFERRED.pop(key)
        if identifiers:
            _context(key).build_data_docs(resource_identifiers=identifiers)


def data_docs_index(gx_dir: Path) -> Path:
    """The Data Docs site GX builds under `gx_dir`, one page per validation run."""
    return gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


@cache
def quiet_gx() -> Any:
    """Import GX quietly: no analytics calls, no INFO flood in task logs (its first import
    logs "Skipping registering function …" 214 times). Every GX import goes through here."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import great_expectations as gx

    return gx


@cache
def _context(gx_dir: str | None) -> Any:
    """A file context under the data directory (results + Data Docs), else an in-memory one."""
    gx = quiet_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if gx_dir:
        context = gx.get_context(mode="file", project_root_dir=gx_dir)
    else:
        context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context
