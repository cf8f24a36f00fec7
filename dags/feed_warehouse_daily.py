"""Daily feed warehouse: fetch every feed, load raw, validate, build marts, validate, publish."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, TriggerRule, dag, task

PUBLISHED_WAREHOUSE = Asset(name="published_warehouse", uri="file:///feedwarehouse/published")

DOC_MD = """
### Feed warehouse, daily

One run per logical date `D`, every step idempotent per (feed, `D`): rerun or backfill any date.

1. **feeds** reads the feeds file (`FEEDWAREHOUSE_FEEDS`, Airflow Variable of the same name wins).
2. **extract** (one mapped task per feed) fetches and lands the payload bytes; a failing feed
   turns red and is recorded in `raw.fetches.error`, the others go on.
3. **load_raw** loads the date's landed payloads into `raw.fetches` / `raw.entries`.
4. **validate_raw**, **transform** (dbt build), **validate_marts**: the quality gate.
5. **publish** swaps the validated marts into `published/warehouse.duckdb`, the file BI reads.

Code: `include/feedwarehouse/pipeline.py`, one function per task.
"""


def _settings() -> tuple[Any, Any]:
    """Data paths and feeds file: Airflow Variables override the environment."""
    from airflow.sdk import Variable

    from feedwarehouse.config import DATA_DIR_ENV, FEEDS_ENV, data_paths, feeds_file

    paths = data_paths(Variable.get(DATA_DIR_ENV, default=None))
    return paths, feeds_file(Variable.get(FEEDS_ENV, default=None))


def _logical_date() -> date:
    from airflow.sdk import get_current_context

    context = get_current_context()
    moment = context.get("logical_date") or context["dag_run"].run_after
    return moment.date()


@dag(
    dag_id="feed_warehouse_daily",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # one writer: runs of different dates queue instead of interleaving
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
    },
    dagrun_timeout=timedelta(hours=2),
    doc_md=DOC_MD,
    tags=["feedwarehouse", "elt"],
)
def feed_warehouse_daily() -> None:
    @task
    def feeds() -> list[dict[str, Any]]:
        from dataclasses import asdict

        from feedwarehouse.config import load_feeds

        return [asdict(feed) for feed in load_feeds(_settings()[1])]

    @task(map_index_template="{{ task.op_kwargs['feed']['id'] }}")
    def extract(feed: dict[str, Any]) -> str:
        from feedwarehouse import pipeline
        from feedwarehouse.config import Feed

        return str(pipeline.extract_feed(Feed(**feed), _logical_date(), _settings()[0]))

    @task(trigger_rule=TriggerRule.ALL_DONE)  # load what landed; failed feeds are recorded
    def load_raw(configured: list[dict[str, Any]]) -> dict[str, Any]:
        from feedwarehouse import pipeline

        summary = pipeline.load_raw(
            _logical_date(), _settings()[0], [feed["id"] for feed in configured]
        )
        return summary.as_dict()

    @task
    def validate_raw() -> dict[str, Any]:
        from feedwarehouse import pipeline

        return pipeline.validate_raw(_logical_date(), _settings()[0]).as_dict()

    @task
    def transform() -> None:
        from feedwarehouse import pipeline

        pipeline.transform_marts(_settings()[0])

    @task
    def validate_marts() -> dict[str, Any]:
        from feedwarehouse import pipeline

        return pipeline.validate_marts(_logical_date(), _settings()[0]).as_dict()

    @task(outlets=[PUBLISHED_WAREHOUSE])
    def publish() -> str:
        from feedwarehouse import pipeline

        return str(pipeline.publish_marts(_settings()[0]))

    configured = feeds()
    landed = extract.expand(feed=configured)
    loaded = load_raw(configured)
    landed >> loaded
    loaded >> validate_raw() >> transform() >> validate_marts() >> publish()


feed_warehouse_daily()
