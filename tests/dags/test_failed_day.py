"""One rule for a failed day, whichever runs it: the same bad day through `feedwarehouse run`
and through Airflow (`airflow dags test`) ends the same way.

A good day is published first; then every feed fails for the next day. From two copies of that
data dir, the CLI and the DAG each run the bad day: the CLI exits 1 and the DAG run is failed
(at load_raw, publish never runs), both with the same reason naming every feed; the BI file is
byte-identical to the good day's; raw.fetches records the same failures; and the watchdog's
check (check_published, as feed_warehouse_watchdog calls it) raises NotPublished for the day.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from helpers.airflow_runs import DAGS, airflow, error_lines, run_states, task_states

from feedwarehouse.cli import main
from feedwarehouse.config import data_paths, load_feeds
from feedwarehouse.errors import NotPublished
from feedwarehouse.orchestration.daily import run_all
from feedwarehouse.orchestration.steps import check_published
from feedwarehouse_dev.sample import generate_sample

# live runs, as scheduled: a logical date long before today would read archives instead
BAD_DAY = date.today() - timedelta(days=1)
GOOD_DAY = BAD_DAY - timedelta(days=1)


@pytest.mark.slow
def test_a_day_no_feed_delivered_fails_alike_in_the_cli_and_the_dag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    sample = generate_sample(tmp_path / "sample", feeds=2, items=3, seed=11, end_date=GOOD_DAY)
    good = data_paths(tmp_path / "good")
    assert run_all(load_feeds(sample.feeds_file), GOOD_DAY, good).ok
    published = good.published.read_bytes()

    gone = [(tmp_path / "sample" / f"gone-{n}.xml").as_uri() for n in (1, 2)]
    bad_feeds = tmp_path / "bad-feeds.yml"
    bad_feeds.write_text(
        f"feeds:\n- id: sample-blog-1\n  url: {gone[0]}\n- id: sample-blog-2\n  url: {gone[1]}\n",
        encoding="utf-8",
    )
    reasons = "; ".join(
        f"sample-blog-{n}: cannot read {url}: No such file or directory"
        for n, url in ((1, gone[0]), (2, gone[1]))
    )
    nothing = (
        f"no feed delivered anything for {BAD_DAY}, so nothing new can be published "
        f"(2 failed: {reasons})"
    )

    # through the CLI
    cli_data = tmp_path / "cli"
    shutil.copytree(good.data_dir, cli_data)
    argv = ["run", "--feeds", str(bad_feeds), "--date", str(BAD_DAY)]
    assert main([*argv, "--data-dir", str(cli_data)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: nothing was published for {BAD_DAY}: {nothing}"
    ]

    # through Airflow: the DAG's tasks are the same steps
    dag_data = tmp_path / "dag"
    shutil.copytree(good.data_dir, dag_data)
    home = tmp_path / "airflow"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW_CONN_", "FEEDWAREHOUSE_", "AIRFLOW__"))
    }
    env |= {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "FEEDWAREHOUSE_DATA_DIR": str(dag_data),
        "FEEDWAREHOUSE_FEEDS": str(bad_feeds),
        "FEEDWAREHOUSE_TASK_RETRIES": "0",
    }
    assert airflow(["db", "migrate"], env).returncode == 0
    run = airflow(["dags", "test", "feed_warehouse_daily", str(BAD_DAY)], env)
    assert run_states(home) == [(str(BAD_DAY), "failed")]
    states = {task: state for task, _, state, _ in task_states(home, str(BAD_DAY))}
    assert (states["load_raw"], states["validate_raw"], states["publish"]) == (
        "failed",
        "upstream_failed",
        "upstream_failed",
    )
    assert nothing in error_lines(run.stdout + run.stderr)

    # the same outcome in both: nothing published, the same failures recorded, the watchdog fires
    for data_dir in (cli_data, dag_data):
        paths = data_paths(data_dir)
        assert paths.published.read_bytes() == published, data_dir.name
        conn = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            recorded = conn.execute(
                "select feed_id, error from raw.fetches where logical_date = ? order by feed_id",
                [BAD_DAY],
            ).fetchall()
        finally:
            conn.close()
        assert recorded == [
            (f"sample-blog-{n}", f"cannot read {url}: No such file or directory")
            for n, url in ((1, gone[0]), (2, gone[1]))
        ], data_dir.name
        with pytest.raises(NotPublished, match=f"holds data through {GOOD_DAY}, expected"):
            check_published(paths, BAD_DAY)
