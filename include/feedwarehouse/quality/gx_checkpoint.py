"""Great Expectations, run quietly: one suite's checkpoint over a DataFrame, its Data Docs.

GX's SQL datasource cannot reflect DuckDB 2.0 files, so rows reach GX as pandas DataFrames.

Data Docs: each build also rewrites the site's index of every stored result, so builds are
batched (data_docs_once). A backfill run whose marts a later run builds leaves its pages to that
run (`later`): the results are stored at once and their identifiers wait in the site's pending
list (one JSON file per gate, beside the site), which the next build of any gate builds with its
own results and empties. A gate that fails builds its pages at once.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

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
            build_data_docs(gx_dir, [identifier])
    return checked


@contextmanager
def data_docs_once(gx_dir: Path, *, later: bool = False) -> Iterator[None]:
    """Within it, results are stored as they come but their Data Docs pages are built once,
    at the end, with those still pending: each build also rewrites the site's index of every
    stored result, so a backfill of N dates paid it 3 N times, growing with N.

    With `later` the pages are not built here: the results join the pending list, for the next
    build (see the module); unless the block raises (a failed gate shows its pages at once).
    Inside an outer data_docs_once of the same `gx_dir`, the outer one builds.
    """
    key = str(gx_dir)
    if key in _DEFERRED:
        yield
        return
    _DEFERRED[key] = []
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        identifiers = _DEFERRED.pop(key)
        if later and not failed:
            _add_pending(gx_dir, identifiers)
        else:
            build_data_docs(gx_dir, identifiers)


def build_data_docs(gx_dir: Path, identifiers: list[Any]) -> list[Any]:
    """Build the pages of these results and of every pending one (then no longer pending), and
    the index; nothing when there is nothing to build. Returns the identifiers built."""
    pending = sorted(pending_dir(gx_dir).glob("*.json"))
    context = _context(str(gx_dir))
    waiting = [
        _identifier_type().from_tuple(tuple(key))
        for path in pending
        for key in json.loads(path.read_text(encoding="utf-8"))
    ]
    # a result removed from the store since (a cleaned-up site) has no page to build
    stored = [i for i in waiting if context.validation_results_store.has_key(i)]
    everything = list(dict.fromkeys([*stored, *identifiers]))
    if everything:
        context.build_data_docs(resource_identifiers=everything)
    for path in pending:
        path.unlink(missing_ok=True)
    return everything


def pending_dir(gx_dir: Path) -> Path:
    """Where the identifiers of results whose Data Docs pages are not built yet wait."""
    return gx_dir / "gx" / "uncommitted" / "data_docs_pending"


def _add_pending(gx_dir: Path, identifiers: list[Any]) -> None:
    if not identifiers:
        return
    folder = pending_dir(gx_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    partial = folder / f"{name}.partial"  # a reader never sees half a file
    partial.write_text(json.dumps([list(i.to_tuple()) for i in identifiers]), encoding="utf-8")
    partial.replace(folder / f"{name}.json")
    log.info("Data Docs pages of %d result(s) left to the run that builds", len(identifiers))


def _identifier_type() -> Any:
    quiet_gx()
    from great_expectations.data_context.types.resource_identifiers import (
        ValidationResultIdentifier,
    )

    return ValidationResultIdentifier


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
    _read_config_values_once(context)
    return context


def _read_config_values_once(context: Any) -> None:
    """GX substitutes config variables into every context variable it reads, and for that reads
    and parses uncommitted/config_variables.yml and the environment again each time: about 140
    times a gate (0.5 s of a validate_raw task). Nothing changes them while the process runs."""
    provider = context.config_provider
    values = provider.get_values()
    provider.get_values = lambda: values
