"""Alerts name the DAG, task, feed and date, say why, and reach the webhook when one is set."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
from pytest_httpserver import HTTPServer

from feedwarehouse.orchestration import alerts


def failed_extract_context() -> dict:
    ti = SimpleNamespace(
        task_id="extract",
        dag_id="feed_warehouse_daily",
        map_index=1,
        rendered_map_index="webrtc-blog",
        log_url="http://airflow.local/log/1",
    )
    return {"ti": ti, "ds": "2026-11-23", "exception": RuntimeError("HTTP 404 for feed")}


def test_failure_message_names_what_failed_and_where_the_log_is():
    assert alerts.failure_message(failed_extract_context()) == (
        "feed warehouse: feed_warehouse_daily.extract[webrtc-blog] failed for 2026-11-23\n"
        "reason: HTTP 404 for feed\n"
        "the last published BI file is unchanged\n"
        "log: http://airflow.local/log/1"
    )


def test_unmapped_task_has_no_index_in_the_message():
    ti = SimpleNamespace(task_id="publish", dag_id="d", map_index=-1, log_url=None)
    message = alerts.failure_message({"ti": ti, "ds": "2026-11-23", "exception": "boom"})
    assert message.splitlines()[0] == "feed warehouse: d.publish failed for 2026-11-23"
    assert "log:" not in message


def test_failure_is_posted_to_the_webhook(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv(alerts.WEBHOOK_ENV, httpserver.url_for("/hook"))
    alerts.on_task_failure(failed_extract_context())
    ((request, _),) = httpserver.log
    assert json.loads(request.data)["text"].startswith("feed warehouse: feed_warehouse_daily")


def test_unreachable_webhook_is_logged_not_raised(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
):
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    with caplog.at_level(logging.ERROR, logger="feedwarehouse.orchestration.alerts"):
        alerts.send("hello", webhook=httpserver.url_for("/hook"))
    hook = httpserver.url_for("/hook")
    assert hook.startswith("http://127.0.0.1:")
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "hello"
    assert messages[1].startswith(f"could not send alert to {hook}: Server error '500")
