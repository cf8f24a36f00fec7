"""Through Airflow itself: a failing feed is one red box named by its id while the rest publish.

Extract is mapped over batches of feeds (here one batch of five); a feed that failed in its
batch gets a `refetch` box of its own, red with the reason, which does not fetch it again on
its first try (the 401's server sees one request).

The same run carries two private feeds (Basic auth, served on 127.0.0.1) whose Connections are
made with `airflow connections add` in the test's metadata DB (no AIRFLOW_CONN_ variable), read
by extract through the Task SDK: the right password loads, the wrong one is a red box naming
the feed and the 401; the password appears in no log line, task log file, landing file or table
(the fault suite's "secrets" check). Tasks keep their default retries: the deterministic
failures fail on their first try, their log says why in one line, without a traceback. A second
run in which every feed fails is not green: load_raw fails naming each feed and its reason.
"""

from __future__ import annotations

import base64
import os
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from helpers.airflow_runs import DAGS, airflow, error_lines, run_states, task_states
from helpers.faultkit import Ledger
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse_dev.sample import generate_sample

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
    private_url = httpserver.url_for("/private/feed/")
    feeds_file = sample.feeds_file
    missing = (tmp_path / "sample" / "gone.xml").as_uri()
    failing = (
        f"- id: broken\n  url: {missing}\n"
        + f"- id: private-wrong\n  url: {private_url}\n  conn_id: private_wrong\n"
    )
    feeds_file.write_text(
        feeds_file.read_text(encoding="utf-8")
        + failing
        + f"- id: private-blog\n  url: {private_url}\n  conn_id: private_blog\n",
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
        "FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS": "1",
    }
    env = {
        k: v for k, v in env.items() if not k.startswith(("AIRFLOW_CONN_", "FEEDWAREHOUSE_TASK_"))
    }
    assert airflow(["db", "migrate"], env).returncode == 0
    for conn_id, password in (("private_blog", PASSWORD), ("private_wrong", "not-the-password")):
        added = airflow(
            ["connections", "add", conn_id, "--conn-type", "http", "--conn-login", "reader",
             "--conn-password", password],
            env,
        )  # fmt: skip  # argv: flags by values
        assert added.returncode == 0, added.stderr[-2000:]
    yesterday = (date.today() - timedelta(days=1)).isoformat()  # a live run, as scheduled
    run = airflow(["dags", "test", "feed_warehouse_daily", yesterday], env)
    assert run.returncode == 0, run.stderr[-3000:]

    states = task_states(home, yesterday)
    batch = "webrtc-blog … private-blog (5 feeds)"
    assert states == [
        ("extract", batch, "success", 1),  # two feeds failed in it: it still succeeds
        ("failed_feeds", None, "success", 1),
        ("feeds", None, "success", 1),
        ("load_raw", None, "success", 1),
        ("publish", None, "success", 1),
        ("refetch", "broken", "failed", 1),  # retries=2, yet no second try: deterministic
        ("refetch", "private-wrong", "failed", 1),
        ("transform", None, "success", 1),
        ("validate_marts", None, "success", 1),
        ("validate_raw", None, "success", 1),
    ]
    assert run_states(home) == [(yesterday, "success")]
    output = run.stdout + run.stderr
    # each failed box's log: the one-line reason first, no traceback anywhere (no bug happened)
    wrong = (
        f"feed private-wrong ({private_url}) for {yesterday}: HTTP 401 Unauthorized from "
        f"{private_url}: not retried (client error); check the feed URL"
    )
    broken = (
        f"feed broken ({missing}) for {yesterday}: cannot read {missing}: No such file or directory"
    )
    alert = "feed warehouse: feed_warehouse_daily.refetch[{}] failed for {} 00:00:00+00:00"
    errors = error_lines(output)
    by_task = sorted(zip(errors[::3], errors[1::3], errors[2::3], strict=True))  # run order varies
    assert by_task == [
        (broken, "Task exited", alert.format("broken", yesterday)),
        (wrong, "Task exited", alert.format("private-wrong", yesterday)),
    ]
    assert "Traceback" not in output
    # the transform log has dbt's per-model lines
    assert "OK created sql incremental model marts.posts" in output

    conn = duckdb.connect(str(data / "published" / "warehouse.duckdb"), read_only=True)
    try:
        per_feed = conn.execute("select feed_id, count(*) from marts.posts group by 1 order by 1")
        assert per_feed.fetchall() == [
            ("private-blog", 3),
            ("sample-blog-2", 4),
            ("webrtc-blog", 4),
        ]
    finally:
        conn.close()
    warehouse = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        errors = warehouse.execute(
            "select feed_id, error from raw.fetches where error is not null order by feed_id"
        ).fetchall()
    finally:
        warehouse.close()
    assert errors == [
        ("broken", f"cannot read {missing}: No such file or directory"),
        ("private-wrong", wrong.split(": ", 1)[1]),
    ]

    # the Connection's password was sent, and is nowhere an operator or a BI user can read
    assert sorted(authorized) == [False, True]
    leaks = _files_containing(home, PASSWORD, TOKEN) + _files_containing(data, PASSWORD, TOKEN)
    leaks += [stream for stream in ("stdout", "stderr") if PASSWORD in getattr(run, stream)]
    for database in (data / "warehouse.duckdb", data / "published" / "warehouse.duckdb"):
        leaks += _tables_containing(database, PASSWORD, TOKEN)
    fault_ledger.record("secrets: a Connection's password in logs, files or tables")
    assert leaks == []
    # `dags test` writes the task logs to its own output: the private feed's task log was read
    assert "landed private-blog: " in run.stdout + run.stderr

    # a day on which no feed delivers anything is a failed run, not a green one
    feeds_file.write_text(f"feeds:\n{failing}", encoding="utf-8")
    day = (date.today() - timedelta(days=2)).isoformat()
    failed_run = airflow(["dags", "test", "feed_warehouse_daily", day], env)
    assert run_states(home) == [(day, "failed"), (yesterday, "success")]
    assert task_states(home, day) == [
        ("extract", "broken … private-wrong (2 feeds)", "success", 1),
        ("failed_feeds", None, "success", 1),
        ("feeds", None, "success", 1),
        ("load_raw", None, "failed", 1),
        ("publish", None, "upstream_failed", 0),
        ("refetch", "broken", "failed", 1),
        ("refetch", "private-wrong", "failed", 1),
        ("transform", None, "upstream_failed", 0),
        ("validate_marts", None, "upstream_failed", 0),
        ("validate_raw", None, "upstream_failed", 0),
    ]
    wrong_today = wrong.replace(yesterday, day).split(": ", 1)[1]
    nothing = (
        f"no feed delivered anything for {day}, so nothing new can be published (2 failed: "
        f"broken: cannot read {missing}: No such file or directory; private-wrong: {wrong_today})"
    )
    assert nothing in error_lines(failed_run.stdout + failed_run.stderr)
    assert "Traceback" not in failed_run.stdout + failed_run.stderr


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
