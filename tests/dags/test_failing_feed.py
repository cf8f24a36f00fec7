"""Through Airflow itself: a failing feed is one red mapped extract task while the rest publish."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from feedwarehouse.sample import generate_sample

AIRFLOW = Path(sys.executable).parent / "airflow"
DAGS = Path(__file__).resolve().parents[2] / "dags"


def airflow(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(AIRFLOW), *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.slow
def test_one_red_extract_box_and_the_rest_publishes(tmp_path: Path):
    sample = generate_sample(tmp_path / "sample", feeds=2, items=4, seed=3)
    feeds_file = sample.feeds_file
    missing = (tmp_path / "sample" / "gone.xml").as_uri()
    feeds_file.write_text(
        feeds_file.read_text(encoding="utf-8") + f"- id: broken\n  url: {missing}\n",
        encoding="utf-8",
    )
    home, data = tmp_path / "airflow", tmp_path / "data"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "FEEDWAREHOUSE_DATA_DIR": str(data),
        "FEEDWAREHOUSE_FEEDS": str(feeds_file),
        "FEEDWAREHOUSE_TASK_RETRIES": "0",
    }
    assert airflow(["db", "migrate"], env).returncode == 0
    yesterday = (date.today() - timedelta(days=1)).isoformat()  # a live run, as scheduled
    run = airflow(["dags", "test", "feed_warehouse_daily", yesterday], env)
    assert run.returncode == 0, run.stderr[-3000:]

    db = sqlite3.connect(f"file:{home / 'airflow.db'}?mode=ro", uri=True)
    try:
        states = db.execute(
            "select task_id, rendered_map_index, state from task_instance "
            "where dag_id = 'feed_warehouse_daily' order by task_id, map_index"
        ).fetchall()
        run_state = db.execute("select state from dag_run").fetchall()
    finally:
        db.close()
    assert states == [
        ("extract", "webrtc-blog", "success"),
        ("extract", "sample-blog-2", "success"),
        ("extract", "broken", "failed"),
        ("feeds", None, "success"),
        ("load_raw", None, "success"),
        ("publish", None, "success"),
        ("transform", None, "success"),
        ("validate_marts", None, "success"),
        ("validate_raw", None, "success"),
    ]
    assert run_state == [("success",)]

    conn = duckdb.connect(str(data / "published" / "warehouse.duckdb"), read_only=True)
    try:
        per_feed = conn.execute("select feed_id, count(*) from marts.posts group by 1 order by 1")
        assert per_feed.fetchall() == [("sample-blog-2", 4), ("webrtc-blog", 4)]
    finally:
        conn.close()
    warehouse = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        errors = warehouse.execute("select feed_id, error from raw.fetches where error is not null")
        ((feed_id, error),) = errors.fetchall()
    finally:
        warehouse.close()
    assert feed_id == "broken"
    assert "gone.xml" in error
