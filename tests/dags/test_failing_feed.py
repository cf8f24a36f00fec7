"""Through Airflow itself: a failing feed is one red mapped extract task while the rest publish.

The same run carries a private feed (Basic auth, served on 127.0.0.1) whose Connection comes
from the environment (AIRFLOW_CONN_PRIVATE_BLOG): it loads, and its password appears in no log
line, task log file, landing file or table (the fault suite's "secrets" check).
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from faultkit import Ledger
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.sample import generate_sample

AIRFLOW = Path(sys.executable).parent / "airflow"
DAGS = Path(__file__).resolve().parents[2] / "dags"


def airflow(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(AIRFLOW), *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


PASSWORD = "pw-7f3a9c1e-never-logged"  # noqa: S105 - the test's own throwaway secret
TOKEN = base64.b64encode(f"reader:{PASSWORD}".encode()).decode()


@pytest.mark.slow
@pytest.mark.faults
def test_one_red_extract_box_and_the_rest_publishes(
    tmp_path: Path, httpserver: HTTPServer, fault_ledger: Ledger
):
    sample = generate_sample(tmp_path / "sample", feeds=2, items=4, seed=3)
    private = generate_sample(tmp_path / "private", feeds=1, items=3, seed=5).feeds[0]
    authorized: list[bool] = []

    def basic_auth(request: Request) -> Response:
        authorized.append(request.headers.get("Authorization") == f"Basic {TOKEN}")
        if not authorized[-1]:
            return Response("login required", status=401)
        return Response(private.path.read_bytes(), content_type="application/rss+xml")

    httpserver.expect_request("/private/feed/").respond_with_handler(basic_auth)
    feeds_file = sample.feeds_file
    missing = (tmp_path / "sample" / "gone.xml").as_uri()
    feeds_file.write_text(
        feeds_file.read_text(encoding="utf-8")
        + f"- id: broken\n  url: {missing}\n"
        + f"- id: private-blog\n  url: {httpserver.url_for('/private/feed/')}\n"
        + "  conn_id: private_blog\n",
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
        "FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS": "1",
        "AIRFLOW_CONN_PRIVATE_BLOG": json.dumps(
            {"conn_type": "http", "login": "reader", "password": PASSWORD}
        ),
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
        ("extract", "private-blog", "success"),
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
        assert per_feed.fetchall() == [
            ("private-blog", 3), ("sample-blog-2", 4), ("webrtc-blog", 4)
        ]  # fmt: skip
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

    # the Connection's password was sent, and is nowhere an operator or a BI user can read
    assert authorized == [True]
    leaks = _files_containing(home, PASSWORD, TOKEN) + _files_containing(data, PASSWORD, TOKEN)
    leaks += [stream for stream in ("stdout", "stderr") if PASSWORD in getattr(run, stream)]
    for database in (data / "warehouse.duckdb", data / "published" / "warehouse.duckdb"):
        leaks += _tables_containing(database, PASSWORD, TOKEN)
    fault_ledger.record("secrets: a Connection's password in logs, files or tables")
    assert leaks == []
    # `dags test` writes the task logs to its own output: the private feed's task log was read
    assert "landed private-blog: " in run.stdout + run.stderr


def _files_containing(root: Path, *secrets: str) -> list[str]:
    return [
        str(path)
        for path in root.rglob("*")
        if path.is_file() and any(secret.encode() in path.read_bytes() for secret in secrets)
    ]


def _tables_containing(database: Path, *secrets: str) -> list[str]:
    """Tables holding a secret in any value (the file's bytes may be compressed)."""
    conn = duckdb.connect(str(database), read_only=True)
    try:
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
        return [
            table
            for (table,) in tables
            for row in [str(conn.execute(f"select * from {table}").fetchall())]
            if any(secret in row for secret in secrets)
        ]
    finally:
        conn.close()
