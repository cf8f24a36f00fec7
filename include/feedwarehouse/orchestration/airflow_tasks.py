"""What the DAGs share: asset and pool names, default task arguments (cheap to import at parse).

No I/O and no heavy modules here: the dag-processor imports this every time it parses a DAG.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule

from feedwarehouse.orchestration import failure_kinds
from feedwarehouse.orchestration.alerts import on_task_failure
from feedwarehouse.settings import settings

TaskFunction = TypeVar("TaskFunction", bound=Callable[..., Any])

log = logging.getLogger(__name__)

# The Airflow Asset marked when a run publishes; downstream DAGs are scheduled on it.
PUBLISHED_ASSET_NAME = "published_warehouse"
PUBLISHED_ASSET_URI = "file:///feedwarehouse/published/warehouse.duckdb"
# One DuckDB writer: the tasks that write the warehouse share a pool of one slot.
WRITER_POOL = "feedwarehouse_writer"
# Celery queues (docker compose, EXECUTOR=celery): the writer tasks go to the one writer worker,
# the one host that holds the warehouse; extract and everything else to any extract worker.
WRITER_QUEUE = "writer"
DEFAULT_QUEUE = "default"


def raw_load_routing(warehouse: str) -> dict[str, str]:
    """Where load_raw runs, by FEEDWAREHOUSE_WAREHOUSE (decided when the DAG is parsed).

    The file has one writer: the writer pool and queue, like every task that writes it. On the
    lake a load is an append that commits concurrently with others (a conflict is retried as
    transient), so it runs on `default`, outside the pool, on whichever extract worker is free.
    """
    if warehouse == "ducklake":
        return {"queue": DEFAULT_QUEUE}
    return {"pool": WRITER_POOL, "queue": WRITER_QUEUE}


class ExpectedFailure(SystemExit):
    """A task failing for a known reason, said in one line: no traceback in its log.

    Airflow's task runner logs a SystemExit as "Task exited" with its code (here the reason)
    and no traceback, then applies the retry rules; every other exception is logged with its
    traceback, which stays for real bugs. Raised only inside Airflow tasks, never by the package.
    """


class DeterministicFailure(ExpectedFailure):
    """An expected failure that a retry cannot change (a 4xx, no data for the date)."""


# Retries are for what may pass (timeouts, 5xx, a busy database); a deterministic failure
# fails at once, so a backfill of a date without data is red in seconds, not minutes.
RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(
            exception=DeterministicFailure,
            action=RetryAction.FAIL,
            reason="deterministic failure: a retry cannot change it",
        )
    ]
)


@contextmanager
def expected_failures(*expected: type[Exception]) -> Iterator[None]:
    """Turn the package's `expected` errors into one-line task failures.

    The reason is logged first, as one ERROR line; an error with a true `is_transient` may be
    retried, any other fails at once.
    """
    try:
        yield
    except expected as exc:
        reason = str(exc)
        log.error("%s", reason)
        if getattr(exc, "is_transient", False):
            raise ExpectedFailure(reason) from None
        raise DeterministicFailure(reason) from None


@contextmanager
def classified_failures() -> Iterator[None]:
    """Every failure through one classification (failure_kinds): a deterministic one fails
    the task at once, its reason the first ERROR line; a known transient one is one line and
    keeps the retries; anything else (an OS error, a timeout, a bug) keeps its traceback and
    its retries."""
    try:
        yield
    except Exception as exc:
        transient = failure_kinds.is_transient(exc)
        if transient and not failure_kinds.is_expected(exc):
            raise
        reason = str(exc)
        log.error("%s", reason)
        if transient:
            raise ExpectedFailure(reason) from None
        raise DeterministicFailure(reason) from None


def classified(function: TaskFunction) -> TaskFunction:
    """A task function whose failures go through classified_failures (under `@task`)."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        with classified_failures():
            return function(*args, **kwargs)

    return run  # type: ignore[return-value]


def default_args(retries: int = 2, timeout_minutes: int = 15) -> dict[str, Any]:
    """Retries with exponential backoff (not for deterministic failures), a timeout and the
    failure alert, for every task. $FEEDWAREHOUSE_TASK_RETRIES overrides `retries` (0 makes a
    local `airflow dags test` of a failing feed finish at once)."""
    return {
        "retries": retries if settings().task_retries is None else settings().task_retries,
        "retry_policy": RETRY_POLICY,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
        "execution_timeout": timedelta(minutes=timeout_minutes),
        "on_failure_callback": on_task_failure,
    }
