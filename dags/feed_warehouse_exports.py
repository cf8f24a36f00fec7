"""Downstream of the warehouse: export the published marts as Parquet and CSV files."""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task

from feedwarehouse.orchestration.airflow_tasks import (
    PUBLISHED_ASSET_NAME,
    PUBLISHED_ASSET_URI,
    classified,
    default_args,
)


@dag(
    dag_id="feed_warehouse_exports",
    schedule=[Asset(name=PUBLISHED_ASSET_NAME, uri=PUBLISHED_ASSET_URI)],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    doc_md="Runs each time `feed_warehouse_daily` publishes: writes `exports/<mart>.parquet` "
    "and `.csv` under the data directory, for BI tools that read files rather than DuckDB.",
    tags=["feedwarehouse", "exports"],
)
def feed_warehouse_exports() -> None:
    @task
    @classified
    def export() -> list[str]:
        """Copy every mart of the published file to Parquet and CSV."""
        from airflow.sdk import Variable

        from feedwarehouse.config import DATA_DIR_ENV, data_paths
        from feedwarehouse.publish.bi_file import export_marts

        paths = data_paths(Variable.get(DATA_DIR_ENV, default=None))
        return [str(path) for path in export_marts(paths)]

    export()


feed_warehouse_exports()
