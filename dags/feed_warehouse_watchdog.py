"""Publish deadline: alert when yesterday's data has not reached the BI file by a set hour."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from feedwarehouse.orchestration.airflow_tasks import classified, default_args
from feedwarehouse.settings import settings

DEADLINE_HOUR = settings().publish_deadline_hour


@dag(
    dag_id="feed_warehouse_watchdog",
    schedule=f"0 {DEADLINE_HOUR} * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args=default_args(retries=1, timeout_minutes=5),
    doc_md=f"At {DEADLINE_HOUR:02d}:00 UTC (`FEEDWAREHOUSE_PUBLISH_DEADLINE_HOUR`), checks that "
    "the BI file holds yesterday's data; if not, the task fails and the failure alert fires.",
    tags=["feedwarehouse", "alerts"],
)
def feed_warehouse_watchdog() -> None:
    @task
    @classified
    def check_published() -> str:
        """Fail (and alert) unless the BI file holds the previous day."""
        from airflow.sdk import Variable, get_current_context

        from feedwarehouse.config import DATA_DIR_ENV, data_paths
        from feedwarehouse.orchestration import steps as pipeline

        run_after = get_current_context()["dag_run"].run_after
        paths = data_paths(Variable.get(DATA_DIR_ENV, default=None))
        expected = run_after.date() - timedelta(days=1)
        return pipeline.check_published(paths, expected).isoformat()

    check_published()


feed_warehouse_watchdog()
