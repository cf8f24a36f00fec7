"""A transform outside the writer pool builds only when no other run's loaded raw rows are
unjudged (orchestration.build_gate): DagRun rows, and the lock/ask/build loop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path

import pytest
from airflow.sdk.api.datamodels._generated import DagRunState, TaskInstanceState

from feedwarehouse.config import data_paths
from feedwarehouse.orchestration import daily
from feedwarehouse.orchestration.build_gate import (
    build_when_judged,
    pending_raw_gates,
    unjudged_loads,
)
from feedwarehouse.orchestration.daily import DayRun
from feedwarehouse.transform import dbt_build
from feedwarehouse.warehouse import WriterBusy, writer_lock

THIS = "backfill__2026-11-30T00:00:00+00:00"
ACTIVE = {f"backfill__2026-11-{d:02d}T00:00:00+00:00": "running" for d in range(1, 31)}


def rid(day: int) -> str:
    return f"backfill__2026-11-{day:02d}T00:00:00+00:00"


def test_runs_with_loaded_rows_not_yet_judged_are_pending():
    states = {
        THIS: {"load_raw": "success", "validate_raw": "success"},  # this run: never waits on itself
        rid(1): {"load_raw": "success", "validate_raw": "success"},  # judged: passed
        rid(2): {"load_raw": "success", "validate_raw": "failed"},  # judged: failed, red
        rid(3): {"load_raw": "success", "validate_raw": None},  # loaded, gate not started
        rid(4): {"load_raw": "success", "validate_raw": "scheduled"},
        rid(5): {"load_raw": "running", "validate_raw": None},  # may hold the lock, writing
        rid(6): {"load_raw": "up_for_retry", "validate_raw": None},  # may have written
        rid(7): {"load_raw": "success", "validate_raw": "running"},  # being judged
        rid(8): {"load_raw": "queued", "validate_raw": None},  # cannot write under our lock
        rid(9): {"load_raw": None, "validate_raw": None},
        rid(10): {"load_raw": "failed", "validate_raw": "upstream_failed"},  # loaded nothing
        rid(11): {"load_raw": "success", "validate_raw": "upstream_failed"},
    }
    assert unjudged_loads(THIS, states, ACTIVE.__getitem__) == [
        rid(3),
        rid(4),
        rid(5),
        rid(6),
        rid(7),
    ]


def test_a_run_no_longer_active_is_not_waited_for():
    # a run failed by its timeout or by hand leaves its gate unjudged: waiting would never end
    states = {rid(3): {"load_raw": "success", "validate_raw": None}}
    assert unjudged_loads(THIS, states, {rid(3): "failed"}.__getitem__) == []
    assert unjudged_loads(THIS, states, {rid(3): "queued"}.__getitem__) == [rid(3)]


class FakeTI:
    dag_id = "feed_warehouse_daily"

    def __init__(self, states, runs):
        self.states, self.runs, self.asked = states, runs, []

    def get_task_states(self, dag_id, task_ids):
        self.asked.append((dag_id, tuple(task_ids)))
        return self.states

    def get_dagrun_state(self, dag_id, run_id):
        return self.runs[run_id]


class FakeRun:
    run_id = THIS


def test_pending_raw_gates_reads_the_task_sdk_view_with_enum_states():
    # the Task SDK's states are (str, Enum) members, whose str() is not their value
    states = {
        THIS: {"load_raw": TaskInstanceState.SUCCESS, "validate_raw": TaskInstanceState.SUCCESS},
        rid(3): {"load_raw": TaskInstanceState.SUCCESS, "validate_raw": None},
        rid(4): {"load_raw": TaskInstanceState.SUCCESS, "validate_raw": TaskInstanceState.SUCCESS},
    }
    ti = FakeTI(states, {rid(3): DagRunState.RUNNING})
    assert pending_raw_gates({"ti": ti, "dag_run": FakeRun()}) == [rid(3)]
    assert ti.asked == [("feed_warehouse_daily", ("load_raw", "validate_raw"))]


def recording_lock(events: list[str]) -> Callable[[], AbstractContextManager[None]]:
    """A lock that writes "lock" and "unlock" into `events`, in the order they happen."""

    @contextmanager
    def lock() -> Iterator[None]:
        events.append("lock")
        yield
        events.append("unlock")

    return lock


def test_the_build_waits_outside_the_lock_until_nothing_is_pending():
    events: list[str] = []
    lock = recording_lock(events)

    answers = iter([[rid(3)], [rid(3)], []])

    def pending():
        events.append("ask")
        return next(answers)

    unbuilt = build_when_judged(
        lock,
        pending,
        lambda: events.append("build"),
        poll=2.0,
        sleep=lambda s: events.append(f"sleep {s}"),
    )
    assert unbuilt == []
    assert events == [
        "lock",
        "ask",
        "unlock",
        "sleep 2.0",
        "lock",
        "ask",
        "unlock",
        "sleep 2.0",
        "lock",
        "ask",
        "build",
        "unlock",
    ]


def test_nothing_pending_builds_at_once_under_the_lock():
    events: list[str] = []
    lock = recording_lock(events)

    assert build_when_judged(lock, lambda: [], lambda: events.append("build"), sleep=None) == []
    assert events == ["lock", "build", "unlock"]


def test_after_its_patience_the_build_gives_up_unbuilt_naming_the_runs():
    """On Celery the one writer worker's one slot is what the awaited gate needs: the task
    gives it back (the DAG reschedules it) instead of waiting on."""
    now = [100.0]
    built: list[str] = []

    @contextmanager
    def lock():
        yield

    def sleep(seconds: float) -> None:
        now[0] += seconds

    unbuilt = build_when_judged(
        lock,
        lambda: [rid(3), rid(5)],
        lambda: built.append("build"),
        poll=2.0,
        patience=7.0,
        sleep=sleep,
        clock=lambda: now[0],
    )
    assert unbuilt == [rid(3), rid(5)]
    assert built == []
    assert now[0] == 108.0  # asked at 100, 102, 104, 106 and 108, then gave up


def test_a_build_waits_for_the_lock_a_load_holds_and_builds_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The DAG's build: the real writer lock (held here by another thread, as another run's
    load_raw would) is waited for, never refused; dbt runs while this build holds it."""
    paths = data_paths(tmp_path)
    day = DayRun(date(2026, 11, 30), paths)
    built: list[str] = []

    def fake_dbt(command: str, paths_: object, *extra: str) -> None:
        with pytest.raises(WriterBusy):  # another thread cannot take the lock mid-build
            run_in_thread(lambda: writer_lock(paths, timeout=0).__enter__())
        built.append(command)

    monkeypatch.setattr(dbt_build, "run_dbt", fake_dbt)
    monkeypatch.setattr(dbt_build, "generate_docs", lambda paths_: built.append("docs"))
    load_holds, load_may_go = threading.Event(), threading.Event()

    def load_raw() -> None:
        with writer_lock(paths, holder="load_raw for 2026-11-29"):
            load_holds.set()
            load_may_go.wait(30)

    loader = threading.Thread(target=load_raw)
    loader.start()
    assert load_holds.wait(30)
    builder = threading.Thread(
        target=build_when_judged,
        args=(lambda: writer_lock(paths, holder="transform"), list, lambda: daily.transform(day)),
    )
    builder.start()
    builder.join(0.5)
    assert builder.is_alive()  # waiting for the lock, not refused
    assert built == []
    load_may_go.set()
    loader.join(30)
    builder.join(60)
    assert not builder.is_alive()
    assert built == ["build", "docs"]


def run_in_thread(function: Callable[[], object]) -> object:
    """Call `function` in a new thread (the writer lock is re-entrant per thread); re-raise."""
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            function()
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    thread.join(30)
    if outcome:
        raise outcome[0]
    return None
