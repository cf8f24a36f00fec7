"""When a transform task outside the writer pool may build: no other run's raw rows unjudged.

transform runs outside the one-slot writer pool (its coalescing decision needs no writer; the
warehouse's file lock serialises a real build), so while it waits for that lock another run's
load_raw may write rows that its validate_raw has not yet judged. A build then would carry
unvalidated rows into the marts and on to the BI file. So a build holds the writer lock (no
load can start under it), asks the Task SDK for every active run's load_raw and validate_raw,
and builds only when no other run has loaded rows its raw gate has not yet passed or failed;
otherwise it lets the lock go (that gate needs it) and asks again. Cheap to import.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from feedwarehouse.orchestration.coalesce import ACTIVE_RUN, state_name

log = logging.getLogger(__name__)

# load_raw in these states may have written the date's raw rows (running: it may hold the lock)
LOADED = frozenset({"running", "success", "up_for_retry", "up_for_reschedule", "restarting"})
# validate_raw in these states has judged (or will never judge) them
JUDGED = frozenset({"success", "failed", "upstream_failed", "skipped", "removed"})
POLL_SECONDS = 2.0
# then the task gives its worker slot back and is rescheduled: on Celery the one writer worker
# has one slot, which the gate it waits for needs
PATIENCE_SECONDS = 30.0
RESCHEDULE_SECONDS = 5.0


def unjudged_loads(
    this_run_id: str,
    states: Mapping[str, Mapping[str, str | None]],
    run_state: Callable[[str], Any],
) -> list[str]:
    """Other active runs whose load_raw may have written rows their validate_raw has not judged."""
    loaded = sorted(
        run_id
        for run_id, tasks in states.items()
        if run_id != this_run_id
        and state_name(tasks.get("load_raw")) in LOADED
        and state_name(tasks.get("validate_raw")) not in JUDGED
    )
    return [run_id for run_id in loaded if state_name(run_state(run_id)) in ACTIVE_RUN]


def pending_raw_gates(context: Mapping[str, Any]) -> list[str]:
    """unjudged_loads for the running task, from the Task SDK's view of the DAG's runs."""
    ti, dag_run = context["ti"], context["dag_run"]
    states = ti.get_task_states(dag_id=ti.dag_id, task_ids=["load_raw", "validate_raw"])
    return unjudged_loads(
        dag_run.run_id, states, lambda run_id: ti.get_dagrun_state(ti.dag_id, run_id)
    )


def build_when_judged(
    hold_lock: Callable[[], Any],
    pending: Callable[[], list[str]],
    build: Callable[[], None],
    poll: float = POLL_SECONDS,
    patience: float = PATIENCE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Under the writer lock (`hold_lock()`), `build()` once `pending()` names no run, and
    return []. Until then let the lock go, wait `poll` seconds and ask again; after `patience`
    seconds return the runs still pending, unbuilt (the task reschedules itself)."""
    deadline = clock() + patience
    while True:
        with hold_lock():
            waiting_for = pending()
            if not waiting_for:
                build()
                return []
        if clock() >= deadline:
            return waiting_for
        log.info(
            "build waits for the raw gate of %s (rows loaded, not yet judged)",
            ", ".join(waiting_for),
        )
        sleep(poll)


def reschedule_at(unjudged: list[str], delay: float = RESCHEDULE_SECONDS) -> datetime:
    """When a transform that gave up waiting runs again; logs the runs it waited for."""
    log.info(
        "raw gate of %s still pending after %g s: the build gives its slot back, again in %g s",
        ", ".join(unjudged),
        PATIENCE_SECONDS,
        delay,
    )
    return datetime.now(UTC) + timedelta(seconds=delay)
