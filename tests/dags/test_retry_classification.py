"""Every task of every DAG classifies a failure the same way (orchestration.failure_kinds):
deterministic ones (a failed gate, a failed dbt build, no data, a bad setting, a 4xx) fail at
once with the reason as the first ERROR line; transient ones (timeouts, 5xx, OS errors, a busy
warehouse) keep the task's retries.

The failure is raised where every task starts, reading its settings (Airflow's Variable.get),
so each task's own callable, as the DagBag built it, is what classifies it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import airflow.sdk
import pytest
from airflow.sdk import RetryAction

from feedwarehouse.config import ConfigError
from feedwarehouse.errors import FeedFailed, NothingDelivered, NotPublished
from feedwarehouse.orchestration.airflow_tasks import (
    RETRY_POLICY,
    DeterministicFailure,
    ExpectedFailure,
)
from feedwarehouse.quality.validate import ValidationFailed
from feedwarehouse.transform.dbt_build import TransformFailed
from feedwarehouse.warehouse import WriterBusy

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
FEED = {"id": "alpha", "url": "http://127.0.0.1:9/alpha"}
# what each task is called with (its mapped or upstream arguments)
ARGUMENTS: dict[str, dict[str, Any]] = {
    "extract": {"batch": {"label": "alpha", "feeds": [FEED]}},
    "failed_feeds": {"batches": [{"label": "alpha", "feeds": [FEED]}]},
    "refetch": {"feed": FEED},
    "load_raw": {"batches": [{"label": "alpha", "feeds": [FEED]}]},
}
REASON = "suite marts_published_kept: …; way out: `feedwarehouse retire POST_ID --reason TEXT`"
DETERMINISTIC = [
    ValidationFailed(REASON),
    TransformFailed("dbt build failed: 1 test failed"),
    NothingDelivered("no feed delivered anything for 2026-11-22"),
    NotPublished("the BI file holds data through 2026-11-20, expected 2026-11-21"),
    ConfigError("feeds file: feeds[0] has no url"),
    FeedFailed("feed alpha: HTTP 404 Not Found"),
]
TRANSIENT_EXPECTED = [
    FeedFailed("feed alpha: HTTP 503 (gave up after 3 attempts)", is_transient=True),
    WriterBusy("warehouse.duckdb is held by pid 4242 (feedwarehouse run --date 2026-11-21)"),
]
TRANSIENT_OTHER = [
    TimeoutError("timed out"),
    OSError(28, "No space left on device"),
    KeyError("a bug keeps its traceback and its retries"),
]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(DAGS_DIR))


def every_task() -> list[tuple[str, str]]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(DAGS_DIR))
    return [
        (dag_id, task.task_id) for dag_id, dag in sorted(bag.dags.items()) for task in dag.tasks
    ]


TASKS = every_task()


def test_every_dag_task_is_covered():
    assert TASKS == [
        ("feed_warehouse_daily", "feeds"),
        ("feed_warehouse_daily", "extract"),
        ("feed_warehouse_daily", "failed_feeds"),
        ("feed_warehouse_daily", "refetch"),
        ("feed_warehouse_daily", "load_raw"),
        ("feed_warehouse_daily", "validate_raw"),
        ("feed_warehouse_daily", "transform"),
        ("feed_warehouse_daily", "validate_marts"),
        ("feed_warehouse_daily", "publish"),
        ("feed_warehouse_exports", "export"),
        ("feed_warehouse_lake_maintenance", "maintain_lake"),
        ("feed_warehouse_watchdog", "check_published"),
    ]


def call_failing(dagbag, monkeypatch, dag_id: str, task_id: str, error: Exception) -> None:
    """Run the task's callable with its settings read failing with `error`."""

    def failing_get(*_args: Any, **_kwargs: Any) -> Any:
        raise error

    run_after = datetime(2026, 11, 22, tzinfo=UTC)
    context = {
        "logical_date": run_after,
        "ti": SimpleNamespace(try_number=1),
        "dag_run": SimpleNamespace(run_after=run_after, start_date=run_after),
    }
    if dag_id == "feed_warehouse_lake_maintenance":
        # on the embedded file it skips before reading anything: the lake is what it maintains
        monkeypatch.setenv("FEEDWAREHOUSE_WAREHOUSE", "ducklake")
    monkeypatch.setattr(airflow.sdk.Variable, "get", failing_get)
    monkeypatch.setattr(airflow.sdk, "get_current_context", lambda: context)
    task = dagbag.dags[dag_id].get_task(task_id)
    task.python_callable(**ARGUMENTS.get(task_id, {}))


@pytest.mark.parametrize(("dag_id", "task_id"), TASKS)
@pytest.mark.parametrize("error", DETERMINISTIC, ids=lambda e: type(e).__name__)
def test_a_deterministic_failure_fails_at_once_with_its_reason_first(
    dagbag, monkeypatch, caplog, dag_id, task_id, error
):
    caplog.set_level(logging.ERROR)
    with pytest.raises(DeterministicFailure) as failed:
        call_failing(dagbag, monkeypatch, dag_id, task_id, error)
    assert failed.value.code == str(error)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [str(error)]
    task = dagbag.dags[dag_id].get_task(task_id)
    assert task.retries >= 1  # a retry would be allowed: the policy is what refuses it
    decision = task.retry_policy.evaluate(failed.value, try_number=1, max_tries=task.retries + 1)
    assert decision.action == RetryAction.FAIL


@pytest.mark.parametrize(("dag_id", "task_id"), TASKS)
@pytest.mark.parametrize("error", TRANSIENT_EXPECTED, ids=lambda e: type(e).__name__)
def test_a_known_transient_failure_is_one_line_and_retried(
    dagbag, monkeypatch, caplog, dag_id, task_id, error
):
    caplog.set_level(logging.ERROR)
    with pytest.raises(ExpectedFailure) as failed:
        call_failing(dagbag, monkeypatch, dag_id, task_id, error)
    assert not isinstance(failed.value, DeterministicFailure)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [str(error)]
    task = dagbag.dags[dag_id].get_task(task_id)
    decision = task.retry_policy.evaluate(failed.value, try_number=1, max_tries=task.retries + 1)
    assert decision.action == RetryAction.DEFAULT


@pytest.mark.parametrize(("dag_id", "task_id"), TASKS)
@pytest.mark.parametrize("error", TRANSIENT_OTHER, ids=lambda e: type(e).__name__)
def test_timeouts_os_errors_and_bugs_keep_their_traceback_and_retries(
    dagbag, monkeypatch, dag_id, task_id, error
):
    with pytest.raises(type(error)) as failed:
        call_failing(dagbag, monkeypatch, dag_id, task_id, error)
    assert failed.value is error
    task = dagbag.dags[dag_id].get_task(task_id)
    assert task.retry_policy is RETRY_POLICY
    decision = task.retry_policy.evaluate(error, try_number=1, max_tries=task.retries + 1)
    assert decision.action == RetryAction.DEFAULT


def test_the_feeds_4xx_keeps_failing_at_once_and_its_5xx_is_retried():
    """The feed's own classification (extract's manifest) is the one the tasks use."""
    from feedwarehouse.orchestration import failure_kinds

    assert not failure_kinds.is_transient(FeedFailed("HTTP 404"))
    assert failure_kinds.is_transient(FeedFailed("HTTP 503", is_transient=True))
