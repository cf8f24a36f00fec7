"""Which run of a backfill builds and publishes a date (orchestration.coalesce): DagRun rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from airflow.sdk.api.datamodels._generated import DagRunState, TaskInstanceState

from feedwarehouse.orchestration.coalesce import (
    RunRow,
    backfill_row,
    builder_after,
    candidates,
    coalesce_into,
    publishing_run,
)


def at(day: int) -> datetime:
    return datetime(2026, 11, day, tzinfo=UTC)


def run_id(day: int) -> str:
    return f"backfill__{at(day).isoformat()}"


def row(day: int, **tasks: str | None) -> RunRow:
    states = {"load_raw": None, "validate_raw": None, "transform": None, **tasks}
    return RunRow(run_id(day), "backfill", at(day), states)


THIS = row(2, load_raw="success", validate_raw="success", transform="running")
QUEUED = {run_id(d): "queued" for d in range(1, 10)}


def test_backfill_row_parses_run_after_from_the_run_id():
    assert backfill_row("backfill__2026-11-03T00:00:00+00:00", {"transform": None}) == RunRow(
        "backfill__2026-11-03T00:00:00+00:00", "backfill", at(3), {"transform": None}
    )
    assert backfill_row("scheduled__2026-11-03T00:00:00+00:00", {}) is None
    assert backfill_row("manual__2026-11-03T00:00:00+00:00", {}) is None
    assert backfill_row("backfill__not-a-date", {}) is None


def test_an_earlier_run_coalesces_into_the_last_queued_run():
    rows = [THIS, row(3), row(4), row(1, transform="success")]
    assert candidates(THIS, rows) == [run_id(4), run_id(3)]
    assert coalesce_into(THIS, rows, QUEUED.__getitem__) == run_id(4)


def test_the_last_run_of_a_backfill_always_builds():
    last = row(4, load_raw="success", validate_raw="success", transform="running")
    rows = [row(2, transform="skipped"), row(3, transform="skipped"), last]
    assert coalesce_into(last, rows, QUEUED.__getitem__) is None


def test_a_daily_or_manual_run_never_coalesces():
    for run_type in ("scheduled", "manual", "asset_triggered"):
        daily = RunRow(f"{run_type}__x", run_type, at(2), THIS.tasks)
        assert coalesce_into(daily, [row(3), row(4)], QUEUED.__getitem__) is None


def test_later_runs_that_cannot_build_are_not_targets():
    rows = [
        THIS,
        row(3, transform="success"),  # built already: would not include this date
        row(4, transform="running"),
        row(5, load_raw="failed"),  # no delivery: will never transform
        row(6, validate_raw="failed"),  # raw gate failed
        row(7, validate_raw="upstream_failed"),
        row(8, validate_raw="success", transform="queued"),  # may be running already
    ]
    assert candidates(THIS, rows) == []
    assert coalesce_into(THIS, rows, QUEUED.__getitem__) is None


def test_an_earlier_run_is_never_a_target():
    assert candidates(THIS, [row(1)]) == []


def test_a_later_run_no_longer_active_is_skipped_for_the_next_active_one():
    rows = [THIS, row(3), row(4), row(5)]
    states = {run_id(5): "failed", run_id(4): "success", run_id(3): "running"}
    assert coalesce_into(THIS, rows, states.__getitem__) == run_id(3)
    assert coalesce_into(THIS, rows, {**states, run_id(3): "failed"}.__getitem__) is None


def test_a_run_without_task_instances_yet_is_not_a_target():
    bare = RunRow(run_id(5), "backfill", at(5), {})
    assert candidates(THIS, [bare]) == []


class FakeTI:
    dag_id = "feed_warehouse_daily"

    def __init__(self, states: dict[str, dict[str, str | None]], runs: dict[str, str]):
        self.states, self.runs, self.asked = states, runs, []

    def get_task_states(self, dag_id: str, task_ids: list[str]) -> dict:
        self.asked.append((dag_id, tuple(task_ids)))
        return self.states

    def get_dagrun_state(self, dag_id: str, run_id: str) -> str:
        return self.runs[run_id]


class FakeRun:
    def __init__(self, run_id: str, run_type: str, run_after: datetime):
        self.run_id, self.run_type, self.run_after = run_id, run_type, run_after


@pytest.mark.parametrize(("run_type", "expected"), [("backfill", run_id(3)), ("scheduled", None)])
def test_publishing_run_reads_the_task_sdk_view(run_type: str, expected: str | None):
    states = {
        run_id(2): dict(THIS.tasks),
        run_id(3): {"load_raw": "success", "validate_raw": "success", "transform": None},
        "scheduled__2026-11-09T00:00:00+00:00": {"transform": None},
    }
    # the Task SDK's states are (str, Enum) members, whose str() is not their value
    states[run_id(3)]["validate_raw"] = TaskInstanceState.SUCCESS
    ti = FakeTI(states, {run_id(3): DagRunState.RUNNING})
    this_id = run_id(2) if run_type == "backfill" else "scheduled__2026-11-02T00:00:00+00:00"
    context = {"ti": ti, "dag_run": FakeRun(this_id, run_type, at(2))}
    assert publishing_run(context) == expected
    asked = [("feed_warehouse_daily", ("load_raw", "validate_raw", "transform"))]
    assert ti.asked == (asked if run_type == "backfill" else [])


@pytest.mark.parametrize(
    ("run_type", "later_transform", "expected"),
    [
        ("backfill", None, run_id(3)),  # the later run still builds: the pages wait for it
        ("backfill", "running", None),  # its build started: this run builds its own
        ("scheduled", None, None),  # a daily run builds its own, asking nothing
    ],
)
def test_builder_after_names_the_run_that_builds_the_pages(
    run_type: str, later_transform: str | None, expected: str | None
):
    states = {  # this run's validate_raw asks
        run_id(2): {"load_raw": "success", "validate_raw": "running", "transform": None},
        run_id(3): {"load_raw": "success", "validate_raw": None, "transform": later_transform},
    }
    ti = FakeTI(states, {run_id(3): DagRunState.RUNNING})
    this_id = run_id(2) if run_type == "backfill" else "scheduled__2026-11-02T00:00:00+00:00"
    context = {"ti": ti, "dag_run": FakeRun(this_id, run_type, at(2))}
    assert builder_after(context) == expected
    asked = [("feed_warehouse_daily", ("load_raw", "validate_raw", "transform"))]
    assert ti.asked == (asked if run_type == "backfill" else [])


def test_builder_after_says_build_here_when_the_task_sdk_cannot_answer():
    class Unreachable(FakeTI):
        def get_task_states(self, dag_id: str, task_ids: list[str]) -> dict:
            raise ConnectionError("api-server gone")

    context = {"ti": Unreachable({}, {}), "dag_run": FakeRun(run_id(2), "backfill", at(2))}
    assert builder_after(context) is None
