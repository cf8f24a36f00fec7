"""What the DAGs share: asset and pool names, default task arguments (cheap to import at parse).

No I/O and no heavy modules here: the dag-processor imports this every time it parses a DAG.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from feedwarehouse.alerts import on_task_failure

# The Airflow Asset marked when a run publishes; downstream DAGs are scheduled on it.
PUBLISHED_ASSET_NAME = "published_warehouse"
PUBLISHED_ASSET_URI = "file:///feedwarehouse/published/warehouse.duckdb"
# One DuckDB writer: the tasks that write the warehouse share a pool of one slot.
WRITER_POOL = "feedwarehouse_writer"
# Retries per task; 0 makes a local `airflow dags test` of a failing feed finish at once.
RETRIES_ENV = "FEEDWAREHOUSE_TASK_RETRIES"


def default_args(retries: int = 2, timeout_minutes: int = 15) -> dict[str, Any]:
    """Retries with exponential backoff, a timeout and the failure alert, for every task."""
    return {
        "retries": int(os.environ.get(RETRIES_ENV, retries)),
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
        "execution_timeout": timedelta(minutes=timeout_minutes),
        "on_failure_callback": on_task_failure,
    }
