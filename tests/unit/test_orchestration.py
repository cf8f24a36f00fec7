"""Expected task failures: one line, no traceback; retried only when a retry can help."""

from __future__ import annotations

import logging

import pytest
from airflow.sdk import RetryAction

from feedwarehouse.errors import FeedFailed
from feedwarehouse.orchestration.airflow_tasks import (
    RETRY_POLICY,
    DeterministicFailure,
    ExpectedFailure,
    default_args,
    expected_failures,
)


def test_a_deterministic_failure_fails_at_once_with_its_reason_first(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reason = "feed gone (http://127.0.0.1/x) for 2026-11-16: HTTP 404 Not Found from …"
    with pytest.raises(DeterministicFailure) as failed, expected_failures(FeedFailed):
        raise FeedFailed(reason)
    assert failed.value.code == reason  # what Airflow logs as "Task exited" and alerts quote
    assert failed.value.__cause__ is None
    assert failed.value.__suppress_context__
    assert [(r.levelno, r.getMessage(), r.exc_info) for r in caplog.records] == [
        (logging.ERROR, reason, None)
    ]
    decision = RETRY_POLICY.evaluate(failed.value, try_number=1, max_tries=2)
    assert decision.action == RetryAction.FAIL


def test_a_transient_failure_keeps_the_task_retries() -> None:
    with pytest.raises(ExpectedFailure) as failed, expected_failures(FeedFailed):
        raise FeedFailed("feed busy: HTTP 503 (gave up after 3 attempts)", is_transient=True)
    assert not isinstance(failed.value, DeterministicFailure)
    decision = RETRY_POLICY.evaluate(failed.value, try_number=1, max_tries=2)
    assert decision.action == RetryAction.DEFAULT


def test_a_bug_is_not_an_expected_failure() -> None:
    with pytest.raises(KeyError), expected_failures(FeedFailed):
        raise KeyError("a bug keeps its traceback and its retries")
    assert RETRY_POLICY.evaluate(KeyError("x"), try_number=1, max_tries=2).action == (
        RetryAction.DEFAULT
    )
    assert default_args()["retry_policy"] is RETRY_POLICY
