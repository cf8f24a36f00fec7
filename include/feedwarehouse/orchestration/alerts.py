"""Alerts: one clear message per failure or missed deadline, to the log and, if set, a webhook.

The webhook (`FEEDWAREHOUSE_ALERT_WEBHOOK`, e.g. a Slack or Teams incoming webhook) receives
`{"text": message}`. Without it, alerts are logged at ERROR level, which Airflow shows in red.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from feedwarehouse.settings import env_name, settings

log = logging.getLogger(__name__)

WEBHOOK_ENV = env_name("alert_webhook")


def failure_message(context: Mapping[str, Any]) -> str:
    """What failed, for which feed and date, why, and where the log is."""
    ti = context.get("task_instance") or context.get("ti")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    rendered = getattr(ti, "rendered_map_index", None)
    where = f"{task_id}[{rendered or map_index}]" if map_index not in (-1, None) else task_id
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    logical_date = context.get("logical_date") or context.get("ds")
    reason = context.get("exception") or "unknown error"
    log_url = getattr(ti, "log_url", None)
    lines = [
        f"feed warehouse: {dag_id}.{where} failed for {logical_date}",
        f"reason: {reason}",
        "the last published BI file is unchanged",
    ]
    if log_url:
        lines.append(f"log: {log_url}")
    return "\n".join(lines)


def send(message: str, webhook: str | None = None) -> None:
    """Log the alert and post it to the webhook if one is configured; never raise."""
    log.error("%s", message)
    url = webhook or settings().alert_webhook
    if not url:
        return
    import httpx

    try:
        httpx.post(url, json={"text": message}, timeout=10.0).raise_for_status()
    except httpx.HTTPError as exc:  # an alert that cannot be sent must not hide the failure
        log.error("could not send alert to %s: %s", url, exc)


def on_task_failure(context: Mapping[str, Any]) -> None:
    """Airflow on_failure_callback."""
    send(failure_message(context))
