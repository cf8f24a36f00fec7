"""DuckLake maintenance: compact small files, expire old snapshots, delete unread files."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from feedwarehouse.orchestration.airflow_tasks import (
    WRITER_POOL,
    WRITER_QUEUE,
    classified,
    default_args,
)


@dag(
    dag_id="feed_warehouse_lake_maintenance",
    schedule="30 3 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=2, timeout_minutes=60),
    doc_md="With `FEEDWAREHOUSE_WAREHOUSE=ducklake`: daily, in the writer pool, merges small "
    "Parquet files of the build and the published lake, expires snapshots older than "
    "`FEEDWAREHOUSE_LAKE_RETENTION_DAYS` and deletes the files no snapshot reads. Skipped "
    "when the warehouse is the embedded file.",
    tags=["feedwarehouse", "maintenance"],
)
def feed_warehouse_lake_maintenance() -> None:
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE, execution_timeout=timedelta(minutes=60))
    @classified
    def maintain_lake() -> list[dict[str, object]]:
        """Compact, expire and clean both lakes."""
        from dataclasses import asdict

        from airflow.sdk import Variable
        from airflow.sdk.exceptions import AirflowSkipException

        from feedwarehouse.config import DATA_DIR_ENV, data_paths
        from feedwarehouse.lake_maintenance import maintain
        from feedwarehouse.settings import settings
        from feedwarehouse.warehouse import connect

        if settings().warehouse != "ducklake":
            raise AirflowSkipException("the warehouse is the embedded file: nothing to maintain")
        paths = data_paths(Variable.get(DATA_DIR_ENV, default=None))
        conn = connect(paths.warehouse)
        try:
            return [asdict(result) for result in maintain(conn)]
        finally:
            conn.close()

    maintain_lake()


feed_warehouse_lake_maintenance()
