"""Daily feed warehouse: fetch every feed, load raw, validate, build marts, validate, publish."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, Param, TriggerRule, dag, task

from feedwarehouse.orchestration.airflow_tasks import (
    DEFAULT_QUEUE,
    PUBLISHED_ASSET_NAME,
    PUBLISHED_ASSET_URI,
    WRITER_POOL,
    WRITER_QUEUE,
    classified,
    default_args,
    raw_load_routing,
)
from feedwarehouse.settings import settings

PUBLISHED_WAREHOUSE = Asset(name=PUBLISHED_ASSET_NAME, uri=PUBLISHED_ASSET_URI)
SCHEDULE = settings().schedule
MAX_ACTIVE_RUNS = 8

DOC_MD = """
### Feed warehouse, daily

One run per logical date `D`, every step idempotent per (feed, `D`): rerun or backfill any date.

1. **feeds** reads the feeds file (`FEEDWAREHOUSE_FEEDS`; an Airflow Variable of that name wins)
   and splits it into a few batches (a host's feeds in one batch).
2. **extract** (one mapped task per batch, named by its first and last feed) fetches and lands
   each feed, a private feed with its Airflow Connection (`conn_id`). A failing feed does not
   fail its batch: it is recorded in `raw.fetches.error` and gets a box of its own in
   **refetch** (mapped over the failed feeds only, named by feed id): red, the reason on its
   log's first ERROR line. Clear that box alone to fetch that feed again (as the feeds file
   defines it now). A payload that is not well-formed is a warned feed: its entries past the
   break are quarantined.
3. **load_raw** loads the date's landed payloads into `raw.fetches` / `raw.entries`; it fails,
   naming every feed and why, when no feed delivered anything for `D`.
4. **validate_raw**, **transform** (`dbt build`, per-model lines in its log), **validate_marts**:
   the quality gate. A critical expectation fails the run and nothing is published; its first
   ERROR line names the way out (docs/faults.md; `feedwarehouse retire` for a post that must go).

Every task: deterministic failures (a 4xx, no data for `D`, a failed gate or dbt build) fail at
once; transient ones (timeouts, 5xx, OS errors) are retried (`failure_kinds.py`).
5. **publish** swaps the validated marts into `published/warehouse.duckdb` (the BI file),
   marks the `published_warehouse` Asset and returns the run report as XCom.

Writer tasks share the `feedwarehouse_writer` pool (one slot): DuckDB has one writer; transform
stays outside it (deciding to skip needs no writer; a build takes the file lock and waits for
every loaded date's raw gate). On Celery the writer tasks and transform go to the `writer` queue
(one writer worker), extract and refetch to `default`. On DuckLake
(`FEEDWAREHOUSE_WAREHOUSE=ducklake`) load_raw is an append: it runs on `default`, outside the pool.
Up to 8 runs may be active (the Backfill form's *Max active runs*): extracts run in parallel,
writes queue.
In a backfill, a run whose later run will still build skips transform, validate_marts and
publish (pink), its transform log naming that run; the last run always builds, validates and
publishes. Code: `include/feedwarehouse/orchestration/daily.py` (the steps, in order;
`feedwarehouse run` runs the same ones), `coalesce.py` and `extract/batches.py`.
"""


def _settings() -> tuple[Any, Any]:
    """Data paths and feeds file: Airflow Variables override the environment."""
    from airflow.sdk import Variable

    from feedwarehouse.config import DATA_DIR_ENV, FEEDS_ENV, data_paths, feeds_file

    paths = data_paths(Variable.get(DATA_DIR_ENV, default=None))
    return paths, feeds_file(Variable.get(FEEDS_ENV, default=None))


def _day() -> Any:
    """This run's DayRun: its logical date, the day it really started (a logical date long
    before it is a backfill), the data paths and the `full_refresh` param."""
    from airflow.sdk import get_current_context

    from feedwarehouse.orchestration.daily import DayRun

    context = get_current_context()
    dag_run = context["dag_run"]
    logical_date = (context.get("logical_date") or dag_run.run_after).date()
    started = (dag_run.start_date or dag_run.run_after).date()
    full_refresh = bool((context.get("params") or {}).get("full_refresh"))
    return DayRun(logical_date, _settings()[0], today=started, full_refresh=full_refresh)


writer = {"pool": WRITER_POOL, "queue": WRITER_QUEUE, "execution_timeout": timedelta(minutes=30)}
# transform: outside the pool (deciding to coalesce needs no writer; the file lock serialises a
# build, which waits for every loaded date's raw gate: build_gate.py), on the writer's machine
builder = {"queue": WRITER_QUEUE, "execution_timeout": timedelta(minutes=30)}
# load_raw: a writer with the file; on the lake an append any extract worker may run at once
raw_loader = {"execution_timeout": timedelta(minutes=30), **raw_load_routing(settings().warehouse)}


@dag(
    dag_id="feed_warehouse_daily",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    # scheduled runs never overlap in practice (catchup off, a run is far shorter than a day); a
    # backfill may run up to this many at once (the UI's form allows no more): extracts run in
    # parallel, the one-slot writer pool serialises writes, and coalesce.py skips the builds a
    # later run of the backfill redoes
    max_active_runs=MAX_ACTIVE_RUNS,
    default_args=default_args(),
    dagrun_timeout=timedelta(hours=3),
    doc_md=DOC_MD,
    tags=["feedwarehouse", "elt"],
    params={
        "full_refresh": Param(
            False,
            type="boolean",
            description="Rebuild every mart from all of raw (once, after an upgrade that "
            "changes the models' rules, so history gets the new values too).",
        )
    },
)
def feed_warehouse_daily() -> None:
    @task
    @classified
    def feeds() -> list[dict[str, Any]]:
        """Read the feeds file, in the batches the extract tasks are mapped over."""
        from feedwarehouse.config import load_feeds
        from feedwarehouse.extract.batches import feed_batches

        return [batch.as_dict() for batch in feed_batches(load_feeds(_settings()[1]))]

    @task(map_index_template="{{ task.op_kwargs['batch']['label'] }}", queue=DEFAULT_QUEUE)
    @classified
    def extract(batch: dict[str, Any]) -> dict[str, Any]:
        """Fetch and land a batch of feeds (Connections through the Task SDK); a feed's failure
        is recorded for its refetch box, it does not fail the batch."""
        from feedwarehouse.extract.batches import FeedBatch, as_configured_now
        from feedwarehouse.extract.credentials import airflow_connection_headers
        from feedwarehouse.orchestration import daily

        feeds = as_configured_now(FeedBatch.from_dict(batch).feeds, _settings()[1])  # after a fix
        return daily.extract(_day(), feeds, credentials=airflow_connection_headers).as_dict()

    @task(trigger_rule=TriggerRule.ALL_DONE)  # a batch that died leaves its feeds unrecorded
    @classified
    def failed_feeds(batches: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The feeds whose fetch failed (or was never recorded): refetch is mapped over them."""
        from dataclasses import asdict

        from feedwarehouse.extract.batches import FeedBatch
        from feedwarehouse.extract.batches import failed_feeds as failed

        day = _day()
        configured = [feed for b in batches for feed in FeedBatch.from_dict(b).feeds]
        return [asdict(feed) for feed in failed(configured, day.logical_date, day.paths)]

    @task(map_index_template="{{ task.op_kwargs['feed']['id'] }}", queue=DEFAULT_QUEUE)
    @classified
    def refetch(feed: dict[str, Any]) -> str:
        """One failed feed's own box: red with the reason (first try: the batch's outcome, not
        fetched again); a retry or a clear fetches this feed again, alone."""
        from airflow.sdk import get_current_context

        from feedwarehouse.config import Feed
        from feedwarehouse.extract.batches import as_configured_now, settle_feed
        from feedwarehouse.extract.credentials import airflow_connection_headers

        day = _day()
        fetch_again = get_current_context()["ti"].try_number > 1
        (current,) = as_configured_now([Feed(**feed)], _settings()[1])  # a fixed URL after a clear
        manifest = settle_feed(
            current,
            day.logical_date,
            day.paths,
            fetch_again=fetch_again,
            today=day.today,
            credentials=airflow_connection_headers,
        )
        return str(manifest)

    # The steps of orchestration.daily, one task each; `feedwarehouse run` runs the same ones.
    @task(trigger_rule=TriggerRule.ALL_DONE, **raw_loader)  # load what landed; failures recorded
    @classified
    def load_raw(batches: list[dict[str, Any]]) -> dict[str, Any]:
        """Load the date's landed payloads into raw.fetches and raw.entries; fail if no feed
        delivered anything (one bad feed never fails the run, all of them do)."""
        from feedwarehouse.orchestration import daily

        feed_ids = [feed["id"] for batch in batches for feed in batch["feeds"]]
        return daily.load_raw(_day(), feed_ids).as_dict()

    @task(**writer)
    @classified
    def validate_raw() -> dict[str, Any]:
        """Great Expectations on the date's raw rows. In a backfill run whose marts a later run
        builds (coalesce.py), its Data Docs pages are left to that run's build."""
        from airflow.sdk import get_current_context

        from feedwarehouse.orchestration import coalesce, daily

        later = coalesce.builder_after(get_current_context()) is not None
        return daily.validate_raw(_day(), docs_later=later)

    @task(**builder)
    def transform() -> None:
        """dbt build: staging, intermediate, marts, snapshots and their tests (all of raw again
        when the run's `full_refresh` param is set). In a backfill, skipped (with validate_marts
        and publish) when a later run of it will build and publish this date (coalesce.py)."""
        from airflow.sdk import get_current_context
        from airflow.sdk.exceptions import AirflowRescheduleException, AirflowSkipException

        from feedwarehouse.orchestration import build_gate, coalesce, daily
        from feedwarehouse.warehouse import writer_lock

        @classified
        def build() -> tuple[str | None, list[str]]:
            day, context = _day(), get_current_context()
            publisher = None if day.full_refresh else coalesce.publishing_run(context)
            if publisher is not None:
                return publisher, []
            unjudged = build_gate.build_when_judged(
                lambda: writer_lock(day.paths, holder=f"transform for {day.logical_date}"),
                lambda: build_gate.pending_raw_gates(context),
                lambda: daily.transform(_day()),
            )
            return None, unjudged

        publisher, unjudged = build()
        # a skip or a reschedule is not a failure: raised outside `classified`
        if publisher is not None:
            raise AirflowSkipException(coalesce.skip_message(_day().logical_date, publisher))
        if unjudged:
            raise AirflowRescheduleException(build_gate.reschedule_at(unjudged))

    @task(**writer)
    @classified
    def validate_marts() -> dict[str, Any]:
        """Great Expectations on the marts: the last gate before BI."""
        from feedwarehouse.orchestration import daily

        return daily.validate_marts(_day())

    @task(outlets=[PUBLISHED_WAREHOUSE], **writer)
    @classified
    def publish() -> dict[str, Any]:
        """Swap the validated marts into the BI file; return the run report."""
        from feedwarehouse.orchestration import daily

        return daily.publish(_day())

    batches = feeds()
    extracted = extract.expand(batch=batches)
    failed = failed_feeds(batches)
    refetched = refetch.expand(feed=failed)
    loaded = load_raw(batches)
    extracted >> failed
    refetched >> loaded
    loaded >> validate_raw() >> transform() >> validate_marts() >> publish()


feed_warehouse_daily()
