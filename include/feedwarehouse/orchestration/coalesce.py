"""Backfill runs of the daily DAG: whose build and publish a later run of the backfill redoes.

The marts' incremental rule rebuilds every fetch loaded since the last build, so when a later
backfill run (run id `backfill__…`: of this backfill, or of another one running beside it) is
still to transform, this run's transform, validate_marts and publish
would only be repeated by it: they are skipped, the transform's log naming the run that will
publish this date. Every run keeps its own extract, load_raw and validate_raw (its date's status
and raw gate); nothing is skipped before the date's raw rows passed their gate (transform runs
only after validate_raw succeeded), so what the later run builds and publishes is validated.

Never coalesced: a run that is not a backfill run (the scheduled daily run, a manual trigger),
and the last run of a backfill (no later run is left to transform). A later run counts only while
it is active (queued or running), its transform has not started and neither its load_raw nor its
validate_raw failed; of those, the latest (the backfill's last run, in the usual forward order)
is named. Cheap to import: the dag-processor never imports it, the transform task does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

BACKFILL = "backfill"  # DagRunType.BACKFILL_JOB; its run ids are "backfill__<run_after>"
WATCHED_TASKS = ("load_raw", "validate_raw", "transform")
NOT_STARTED = frozenset({None, "none", "scheduled"})
FAILED = frozenset({"failed", "upstream_failed", "skipped", "removed"})
ACTIVE_RUN = frozenset({"queued", "running"})


@dataclass(frozen=True)
class RunRow:
    """One DagRun as the decision sees it: its id, type, run_after and watched task states."""

    run_id: str
    run_type: str
    run_after: datetime
    tasks: Mapping[str, str | None]


def backfill_row(run_id: str, tasks: Mapping[str, str | None]) -> RunRow | None:
    """A row for a backfill run id ("backfill__<run_after ISO>"), None for any other run."""
    prefix = f"{BACKFILL}__"
    if not run_id.startswith(prefix):
        return None
    try:
        run_after = datetime.fromisoformat(run_id[len(prefix) :])
    except ValueError:
        return None
    return RunRow(run_id, BACKFILL, run_after, tasks)


def candidates(this: RunRow, rows: Iterable[RunRow]) -> list[str]:
    """Later runs of the backfill that will still transform, latest first (see the module)."""
    if this.run_type != BACKFILL:
        return []
    later = [
        row
        for row in rows
        if row.run_type == BACKFILL
        and row.run_id != this.run_id
        and row.run_after > this.run_after
        and "transform" in row.tasks
        and row.tasks["transform"] in NOT_STARTED
        and not any(row.tasks.get(task) in FAILED for task in ("load_raw", "validate_raw"))
    ]
    return [row.run_id for row in sorted(later, key=lambda row: row.run_after, reverse=True)]


def coalesce_into(
    this: RunRow, rows: Iterable[RunRow], run_state: Callable[[str], str]
) -> str | None:
    """The run that will build and publish this run's date, or None: this run builds it."""
    for run_id in candidates(this, rows):
        if state_name(run_state(run_id)) in ACTIVE_RUN:
            return run_id
    return None


def state_name(state: Any) -> str | None:
    """A state as its plain value: the Task SDK hands out (str, Enum) members, whose str() is
    "DagRunState.RUNNING", not "running"."""
    return None if state is None else str(getattr(state, "value", state))


def _view(context: Mapping[str, Any]) -> tuple[RunRow, list[RunRow], str | None]:
    """This run's row, the backfill runs' rows (watched task states) and coalesce_into's
    answer, from the Task SDK's view of the runs; a run that is not a backfill asks nothing."""
    ti, dag_run = context["ti"], context["dag_run"]
    run_type = str(getattr(dag_run.run_type, "value", dag_run.run_type))
    if run_type != BACKFILL:
        return RunRow(dag_run.run_id, run_type, dag_run.run_after, {}), [], None
    states = ti.get_task_states(dag_id=ti.dag_id, task_ids=list(WATCHED_TASKS))
    this = RunRow(dag_run.run_id, run_type, dag_run.run_after, states.get(dag_run.run_id, {}))
    plain = {
        run_id: {task: state_name(state) for task, state in tasks.items()}
        for run_id, tasks in states.items()
    }
    rows = [row for run_id, tasks in plain.items() if (row := backfill_row(run_id, tasks))]
    publisher = coalesce_into(this, rows, lambda run_id: ti.get_dagrun_state(ti.dag_id, run_id))
    return this, rows, publisher


def builder_after(context: Mapping[str, Any]) -> str | None:
    """The later backfill run that, as things stand, builds and publishes this run's date (the
    one publishing_run would name now), else None. validate_raw leaves its Data Docs pages to
    it; whichever gate builds pages next builds them too (gx_checkpoint). If the Task SDK
    cannot answer, None: the gate builds its own pages rather than fail over them."""
    try:
        _, _, publisher = _view(context)
    except Exception:  # only where the pages are built depends on the answer
        log.warning("could not ask which run builds: Data Docs pages built here", exc_info=True)
        return None
    if publisher:
        log.info("Data Docs pages left to %s, the later backfill run that builds", publisher)
    return publisher


def publishing_run(context: Mapping[str, Any]) -> str | None:
    """coalesce_into for the running transform task, from the Task SDK's view of the runs."""
    this, rows, publisher = _view(context)
    if this.run_type != BACKFILL:
        return None  # asked nothing: a daily run always builds
    later = [row for row in rows if row.run_after > this.run_after]
    # the decision first: the UI shows a log line cut at the panel's width
    if publisher:
        log.info(
            "not built here: %s, a later backfill run, builds, validates and publishes "
            "this date; transform, validate_marts and publish skip",
            publisher,
        )
    else:
        log.info("built here: no later backfill run is still to transform")
    log.info(
        "backfill run %s: %d later run(s) of backfills: %s",
        this.run_id,
        len(later),
        ", ".join(f"{row.run_id} {dict(row.tasks)}" for row in later) or "none",
    )
    return publisher


def skip_message(logical_date: Any, publisher: str) -> str:
    return (
        f"{logical_date}: raw loaded and validated; built, validated and published by the "
        f"later backfill run {publisher} (the marts' incremental rule rebuilds every "
        "date loaded since the last build): transform, validate_marts and publish skipped here"
    )
