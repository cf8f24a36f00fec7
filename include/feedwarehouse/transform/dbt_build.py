"""dbt build (staging, intermediate, marts, snapshots) and docs, in-process via dbt's API."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from feedwarehouse.config import DATA_DIR_ENV, DBT_PROJECT_DIR, Paths
from feedwarehouse.errors import TransformFailed
from feedwarehouse.lake import lake_settings
from feedwarehouse.settings import settings

log = logging.getLogger(__name__)


def mart_models() -> tuple[str, ...]:
    """The marts dbt builds: dbt names a model after its file, models/marts/<name>.sql."""
    return tuple(sorted(path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").glob("*.sql")))


def dbt_args(command: str, paths: Paths, *extra: str) -> list[str]:
    """Command-line arguments for dbt ("build", "docs generate"), artifacts under the data dir."""
    return [
        *command.split(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(paths.data_dir / "dbt" / "target"),
        "--log-path",
        str(paths.data_dir / "dbt" / "logs"),
        *extra,
    ]


def lake_target() -> tuple[str, ...]:
    """profiles.yml's `lake` target when the warehouse is DuckLake (its settings checked)."""
    if settings().warehouse != "ducklake":
        return ()
    lake_settings()  # a ConfigError naming what is unset, before dbt reads empty strings
    return ("--target", "lake")


# a failed model or dbt test (the marts' contracts) stops the run before publish, as a gate does
TRANSFORM_REMEDY = (
    "a model or a mart's contract (dbt test) failed on the rows named; fix the model (or retire "
    "garbage posts with `feedwarehouse retire POST_ID --reason TEXT`), then clear transform "
    "with Downstream (or rerun the date)"
)


def run_dbt(command: str, paths: Paths, *extra: str) -> None:
    """Invoke one dbt command against this data directory's warehouse; raise on any failure.

    dbt's own console lines (one per model, test and snapshot, and the summary) go to this
    module's logger, so they land in the Airflow task log and the CLI's output at their level.
    """
    from dbt.cli.main import dbtRunner  # heavy import, only when a transform runs

    # stdout off: the callback logs the same lines (no colour codes, right levels)
    args = dbt_args(
        command, paths, "--log-level", "none", "--no-use-colors", *lake_target(), *extra
    )
    try:
        with _env(DATA_DIR_ENV, str(paths.data_dir)):
            result = dbtRunner(callbacks=[_log_dbt_event]).invoke(args)
    finally:
        _release_dbt_locks()
    if result.success:
        return
    failures = []
    for node in getattr(result.result, "results", None) or []:
        if str(node.status) in {"error", "fail", "runtime error"}:
            failures.append(f"{node.node.unique_id}: {node.status} ({node.message})")
    detail = "; ".join(failures) or str(result.exception or "see dbt log")
    raise TransformFailed(f"dbt {command} failed: {detail}; way out: {TRANSFORM_REMEDY}")


_DBT_LEVELS = {"info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


def _log_dbt_event(event: Any) -> None:
    """A dbt event at the level dbt prints by default (info and up), as one log line."""
    level = _DBT_LEVELS.get(event.info.level)
    if level is not None and event.info.msg.strip():
        log.log(level, "%s", event.info.msg)


def _release_dbt_locks() -> None:
    """Free dbt's multiprocessing locks now, while this process can still unlink them.

    dbt makes its adapter's and manifest's locks from a "spawn" context: named semaphores that
    multiprocessing's resource_tracker watches. An Airflow task process ends with os._exit,
    skipping the finalizers that unlink them, so the tracker reported "2 leaked semaphore
    objects" on stderr (two ERROR lines in a task that succeeded). Dropping dbt's adapters and
    collecting the garbage runs those finalizers here.
    """
    import gc

    from dbt.adapters.factory import reset_adapters

    reset_adapters()
    gc.collect()


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def docs_dir(paths: Paths) -> Path:
    return paths.data_dir / "dbt" / "target"


def static_docs_page(paths: Paths) -> Path:
    """The docs site as one file (manifest and catalog inlined): it opens offline from disk."""
    return docs_dir(paths) / "static_index.html"


def generate_docs(paths: Paths) -> Path:
    """`dbt docs generate --static` against the warehouse just built; return the site's folder.

    Run it right after the build (under the writer lock) so the catalog describes the data
    that is published. The folder holds index.html, manifest.json and catalog.json (for
    `dbt docs serve --target-path <folder>`) and static_docs_page(), which needs no server.
    """
    run_dbt("docs generate", paths, "--static")
    return docs_dir(paths)
