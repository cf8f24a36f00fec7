"""Section 6: backfill throughput, each backfill against one daily run in the same bench run.

(a) UI-equivalent: `make airflow`'s stack (`feedwarehouse_dev.local_airflow`, the scheduler's
own timetable off so only the runs made here run), the sample `make airflow` generates (2 feeds,
daily archives). One daily run is triggered through the REST API (yesterday, live) and timed
queued to end; then a backfill of the `airflow_days` dates before it is created with
POST /api/v2/backfills, the body the UI's Trigger → Backfill sends with *Max active runs* at the
form's maximum (the DAG's max_active_runs), into a fresh data directory; timed from the
backfill's created_at to the last of its runs' end. (b) CLI: `feedwarehouse backfill` of
`cli_days` dates against one `feedwarehouse run` of yesterday, both on a sample of 2 feeds with
enough weekly posts that every date's archive lists some. Both backfills must publish exactly
the posts of their dates' archives.
"""

# The figures speak in multiplication signs, as the results table shows them.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx

from bench.airflow_scale import _api, _at, _free_port, _run_once, _set_variable
from bench.common import VENV_BIN, Figure, Section, quiet_env, run_child
from feedwarehouse.config import DATA_DIR_ENV, FEEDS_ENV, Paths
from feedwarehouse_dev import local_airflow
from feedwarehouse_dev.sample import generate_sample

DAG_ID = local_airflow.DAG_ID
TARGET_RATIO = 5.0
BACKFILL_DEADLINE_S = 7200
CLI_TIMEOUT_S = 7200
GUID = re.compile(r"<guid[^>]*>([^<]+)</guid>")


def measure(work: Path, *, airflow_days: int, cli_days: int) -> Section:
    section = Section("6. Backfill throughput")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    details: dict[str, Any] = {"airflow_days": airflow_days, "cli_days": cli_days}
    if cli_days:  # first: the cheaper one fails sooner
        # weekly posts: enough that the earliest date's archive lists some (an archive without
        # a post is a collapse that fails the raw gate, and then nothing is published)
        items = cli_days // 7 + 8
        sample = generate_sample(
            work / "sample-cli", items=items, end_date=yesterday, archive_days=cli_days + 1
        )
        figure, details["cli"] = _cli(work, sample.feeds_file, yesterday, cli_days)
        details["cli"]["items_per_feed"] = items
        section.figures.append(figure)
    if airflow_days:  # `make airflow`'s sample: 2 feeds of 20 weekly posts, daily archives
        sample = generate_sample(work / "sample", end_date=yesterday, archive_days=airflow_days + 1)
        figure, details["airflow"] = _airflow(work, sample.feeds_file, yesterday, airflow_days)
        section.figures.append(figure)
    section.details = details
    section.notes.append(
        "Before this section's changes (issue 25): a 30-day UI backfill took 17.5 min, 31 runs "
        "of about 34 s one after another (the form's Max active runs was capped at 1), ~31× a "
        "daily run."
    )
    return section


def _airflow(work: Path, feeds: Path, yesterday: date, days: int) -> tuple[Figure, dict]:
    stack = local_airflow.Stack(
        work / "airflow",
        work / "airflow-data",
        feeds,
        _free_port(),
        _free_port(),
        settings=(("AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE", "False"),),
    )
    local_airflow.start(stack)
    try:
        with _api(stack) as api:
            api.patch(f"/api/v2/dags/{DAG_ID}", json={"is_paused": False}).raise_for_status()
            _set_variable(api, FEEDS_ENV, str(feeds))
            _set_variable(api, DATA_DIR_ENV, str(work / "daily-data"))
            logical = datetime(yesterday.year, yesterday.month, yesterday.day, tzinfo=UTC)
            daily = _run_once(api, logical, 2)
            _set_variable(api, DATA_DIR_ENV, str(work / "backfill-data"))
            dag = api.get(f"/api/v2/dags/{DAG_ID}/details").json()
            first = yesterday - timedelta(days=days)
            backfill = _backfill(api, first, yesterday - timedelta(days=1), dag["max_active_runs"])
    finally:
        local_airflow.stop(stack)
    _check_posts(Paths(work / "backfill-data"), feeds, first, days)
    ratio = backfill["created_to_end_s"] / daily["queued_to_end_s"]
    figure = Figure(
        "6. Backfill throughput",
        f"{days}-day backfill, UI-equivalent (REST backfills API)",
        "s",
        backfill["created_to_end_s"],
        None,
        daily["queued_to_end_s"],
        ratio,
        "backfill ÷ one daily run",
        f"≤ {TARGET_RATIO:g}×",
        ratio <= TARGET_RATIO,
        f"{days} runs, max_active_runs {backfill['max_active_runs']}, "
        f"{backfill['transforms_run']} transform(s) run, {backfill['transforms_skipped']} "
        f"skipped (coalesced); one daily run {daily['queued_to_end_s']:.0f} s on the same "
        f"stack; {backfill['created_to_end_s'] / days:.1f} s per date",
        1,
    )
    return figure, {"daily": daily, "backfill": backfill}


def _backfill(api: httpx.Client, first: date, last: date, max_active_runs: int) -> dict[str, Any]:
    """POST /api/v2/backfills as the UI's form does; wait for every run; its timings."""
    body = {
        "dag_id": DAG_ID,
        "from_date": f"{first}T00:00:00Z",
        "to_date": f"{last}T00:00:00Z",
        "run_backwards": False,
        "dag_run_conf": {},
        "reprocess_behavior": "none",
        "max_active_runs": max_active_runs,
        "run_on_latest_version": True,
    }
    created = api.post("/api/v2/backfills", json=body)
    created.raise_for_status()
    backfill = created.json()
    deadline = time.monotonic() + BACKFILL_DEADLINE_S
    runs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        time.sleep(5)
        try:
            runs = api.get(
                f"/api/v2/dags/{DAG_ID}/dagRuns",
                params={"run_type": "backfill", "limit": 100},
            ).json()["dag_runs"]
        except httpx.TimeoutException:
            continue
        if runs and all(run["state"] in ("success", "failed") for run in runs):
            break
    bad = [run["dag_run_id"] for run in runs if run["state"] != "success"]
    if bad or not runs:
        raise RuntimeError(f"backfill {backfill['id']}: runs not successful: {bad or 'none'}")
    ids = {run["dag_run_id"] for run in runs}
    tasks: dict[str, dict[str, Any]] = {}
    for task_id in ("extract", "load_raw", "validate_raw", "transform", "publish"):
        instances = api.get(
            f"/api/v2/dags/{DAG_ID}/dagRuns/~/taskInstances",
            params={"task_id": task_id, "limit": 100},
        ).json()["task_instances"]
        mine = [ti for ti in instances if ti["dag_run_id"] in ids]
        ran = [ti["duration"] or 0.0 for ti in mine if ti["state"] == "success"]
        tasks[task_id] = {
            "success": len(ran),
            "skipped": sum(ti["state"] == "skipped" for ti in mine),
            "mean_s": round(sum(ran) / len(ran), 1) if ran else None,
        }
    states = tasks["transform"]
    end = max(_at(run["end_date"]) for run in runs)
    return {
        "backfill_id": backfill["id"],
        "runs": len(runs),
        "max_active_runs": max_active_runs,
        "created_to_end_s": round((end - _at(backfill["created_at"])).total_seconds(), 1),
        "transforms_run": states["success"],
        "transforms_skipped": states["skipped"],
        "tasks": tasks,
    }


def _cli(work: Path, feeds: Path, yesterday: date, days: int) -> tuple[Figure, dict]:
    daily_paths, backfill_paths = Paths(work / "cli-daily"), Paths(work / "cli-backfill")
    env = quiet_env()
    fw = str(VENV_BIN / "feedwarehouse")
    daily_s = run_child(
        [
            fw,
            "run",
            "--feeds",
            str(feeds),
            "--date",
            str(yesterday),
            "--data-dir",
            str(daily_paths.data_dir),
        ],
        env=env,
        log=work / "logs" / "cli-daily.log",
        timeout=CLI_TIMEOUT_S,
    )
    first, last = yesterday - timedelta(days=days), yesterday - timedelta(days=1)
    backfill_s = run_child(
        [
            fw,
            "backfill",
            "--feeds",
            str(feeds),
            "--start",
            str(first),
            "--end",
            str(last),
            "--data-dir",
            str(backfill_paths.data_dir),
        ],
        env=env,
        log=work / "logs" / "cli-backfill.log",
        timeout=CLI_TIMEOUT_S,
    )
    _check_posts(backfill_paths, feeds, first, days)
    ratio = backfill_s / daily_s
    figure = Figure(
        "6. Backfill throughput",
        f"{days}-day backfill, feedwarehouse backfill (CLI)",
        "s",
        backfill_s,
        None,
        daily_s,
        ratio,
        "backfill ÷ one daily run",
        "",
        None,
        f"{days} dates in one process (one transform, marts gate, publish); one "
        f"`feedwarehouse run` {daily_s:.0f} s; {backfill_s / days:.2f} s per date",
        1,
    )
    for paths in (daily_paths, backfill_paths):
        shutil.rmtree(paths.data_dir, ignore_errors=True)
    return figure, {"daily_s": round(daily_s, 1), "backfill_s": round(backfill_s, 1)}


def _check_posts(paths: Paths, feeds: Path, first: date, days: int) -> None:
    """The BI file holds exactly the posts of the backfilled dates' archives."""
    archive = feeds.parent / "archive"
    expected = {
        guid
        for n in range(days)
        for path in (archive / (first + timedelta(days=n)).strftime("%Y/%m/%d")).glob("*.xml")
        for guid in GUID.findall(path.read_text(encoding="utf-8"))
    }
    conn = duckdb.connect(str(paths.published), read_only=True)
    try:
        got = {guid for (guid,) in conn.execute("select guid from marts.posts").fetchall()}
    finally:
        conn.close()
    if got != expected:
        raise RuntimeError(f"{paths.published}: {len(got)} posts, expected {len(expected)}")
