"""On DuckLake load_raw leaves the writer pool and queue; every other writer task stays
(transform on the writer queue, outside the pool, on either warehouse)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
ROUTES = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
dag = DagBag(sys.argv[1]).dags["feed_warehouse_daily"]
print(json.dumps({t.task_id: [t.pool, t.queue] for t in dag.tasks}))
"""
WRITERS = ("validate_raw", "validate_marts", "publish")


def _routes(warehouse: str) -> dict[str, list[str]]:
    """The daily DAG's (pool, queue) per task, parsed with FEEDWAREHOUSE_WAREHOUSE set."""
    env = {
        **os.environ,
        "FEEDWAREHOUSE_WAREHOUSE": warehouse,
        "FEEDWAREHOUSE_LAKE_CATALOG": "host=127.0.0.1 dbname=lake",
        "FEEDWAREHOUSE_LAKE_DATA": "/lake",
    }
    done = subprocess.run(
        [sys.executable, "-c", ROUTES, str(DAGS_DIR / "feed_warehouse_daily.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_on_the_lake_load_raw_runs_on_default_outside_the_writer_pool() -> None:
    routes = _routes("ducklake")
    assert routes["load_raw"] == ["default_pool", "default"]
    for task in WRITERS:
        assert routes[task] == ["feedwarehouse_writer", "writer"], task
    assert routes["transform"] == ["default_pool", "writer"]
    assert routes["extract"] == ["default_pool", "default"]


def test_on_the_file_load_raw_stays_a_writer() -> None:
    routes = _routes("file")
    for task in ("load_raw", *WRITERS):
        assert routes[task] == ["feedwarehouse_writer", "writer"], task
    assert routes["transform"] == ["default_pool", "writer"]
