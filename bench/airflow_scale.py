"""Section 5: the daily run under a real scheduler against `feedwarehouse run`, at 200 and 1,000
feeds.

The stack is `make airflow`'s (`feedwarehouse_dev.local_airflow`: PostgreSQL, api-server, scheduler
with LocalExecutor and parallelism 4, dag-processor, triggerer) on free ports of 127.0.0.1, with
the scheduler's own timetable off so that only the runs triggered here run. The feeds are the
generated sample (file:// URLs, as `make airflow` serves them), one sample per size. Each size's
`feedwarehouse run` is timed before the stack starts (its idle processes would slow the CLI)
and again after it stopped, and the mean taken: the machine's load drifts. Per size, Airflow
Variables point the DAG at that size's feeds file and a fresh data directory, one run is
triggered through the REST API, and its time is the run's own
record: queued (at the trigger) to end. Both must publish the same mart rows.
"""

# The figures speak in multiplication signs, as the results table shows them.
# ruff: noqa: RUF001

from __future__ import annotations

import shutil
import socket
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import VENV_BIN, Figure, Section, quiet_env, run_child
from feedwarehouse.config import DATA_DIR_ENV, FEEDS_ENV, Paths
from feedwarehouse.quality.reports import mart_row_counts
from feedwarehouse_dev import local_airflow
from feedwarehouse_dev.sample import generate_sample

DAG_ID = local_airflow.DAG_ID
TARGET_RATIO = 2.0
CLI_TIMEOUT_S = 1800
RUN_DEADLINE_S = 3600


def measure(work: Path, *, sizes: list[int], items: int) -> Section:
    section = Section("5. Airflow at scale")
    day = datetime.now(UTC).date() - timedelta(days=1)  # the live run, as scheduled
    samples = {
        n: generate_sample(work / f"sample-{n}", feeds=n, items=items, end_date=day) for n in sizes
    }
    cli_s: dict[int, list[float]] = {n: [] for n in sizes}
    cli_rows = {n: _run_cli(work, samples[n].feeds_file, day, cli_s[n]) for n in sizes}

    stack = local_airflow.Stack(
        work / "airflow",
        work / "airflow-data",
        samples[sizes[0]].feeds_file,
        _free_port(),
        _free_port(),
        settings=(("AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE", "False"),),
    )
    started = time.perf_counter()
    local_airflow.start(stack)
    start_s = time.perf_counter() - started
    runs: dict[int, dict[str, Any]] = {}
    try:
        with _api(stack) as api:
            api.patch(f"/api/v2/dags/{DAG_ID}", json={"is_paused": False}).raise_for_status()
            for index, n in enumerate(sizes):
                paths = Paths(work / f"airflow-{n}")
                _set_variable(api, FEEDS_ENV, str(samples[n].feeds_file))
                _set_variable(api, DATA_DIR_ENV, str(paths.data_dir))
                # one logical date per run (a DAG takes one run per logical date); the day is
                # the CLI's: the tasks use the date only
                logical = datetime(day.year, day.month, day.day, 0, index, tzinfo=UTC)
                runs[n] = _run_once(api, logical, n)
                if mart_row_counts(paths.published) != cli_rows[n]:
                    raise RuntimeError(f"{n} feeds: Airflow published other rows than the CLI")
                shutil.rmtree(paths.data_dir)
    finally:
        local_airflow.stop(stack)
    for n in sizes:  # again once the stack is gone: the machine's load changes meanwhile
        if _run_cli(work, samples[n].feeds_file, day, cli_s[n]) != cli_rows[n]:
            raise RuntimeError(f"{n} feeds: the second CLI run published other rows")
    for n in sizes:
        airflow, cli = runs[n]["queued_to_end_s"], statistics.mean(cli_s[n])
        ratio = airflow / cli
        tasks = runs[n]["tasks"]
        section.figures.append(
            Figure(section.name, f"daily run of {n} feeds: real scheduler vs feedwarehouse run",
                   "s", airflow, None, cli, ratio, "airflow ÷ cli", f"≤ {TARGET_RATIO:g}×",
                   ratio <= TARGET_RATIO,
                   f"{n} feeds × {items} items; {sum(t['count'] for t in tasks.values())} task "
                   f"processes ({tasks.get('extract', {}).get('count', 0)} extract batches); "
                   f"trigger to start {runs[n]['queued_to_start_s']:.0f} s; cli: mean of "
                   f"{' and '.join(f'{t:.0f}' for t in cli_s[n])} s, before and after", 1)
        )  # fmt: skip  # Figure's fields grouped
    section.details = {
        "sizes": sizes,
        "items_per_feed": items,
        "logical_date": day.isoformat(),
        "cli_s": cli_s,
        "airflow_runs": runs,
        "stack_start_s": round(start_s, 1),
        "parallelism": 4,
    }
    section.notes.append(
        "Airflow time: the DAG run's queued_at (set by the REST trigger) to its end_date; the "
        f"stack itself started in {start_s:.0f} s, untimed. Per task: count and summed seconds "
        "in results.json (airflow_runs)."
    )
    return section


def _run_cli(work: Path, feeds_file: Path, day: date, seconds: list[float]) -> dict[str, int]:
    """One `feedwarehouse run` in a fresh data directory: its time, and the mart rows."""
    paths = Paths(work / f"cli-{feeds_file.parent.name}")
    shutil.rmtree(paths.data_dir, ignore_errors=True)
    args = [str(VENV_BIN / "feedwarehouse"), "run", "--feeds", str(feeds_file),
            "--date", day.isoformat()]  # fmt: skip  # argv: flags by values
    env = quiet_env(**{DATA_DIR_ENV: str(paths.data_dir)})
    log = work / "logs" / f"cli-{feeds_file.parent.name}-{len(seconds)}.log"
    seconds.append(run_child(args, env=env, log=log, timeout=CLI_TIMEOUT_S))
    rows = mart_row_counts(paths.published)
    shutil.rmtree(paths.data_dir)
    return rows


def _run_once(api: httpx.Client, logical: datetime, feeds: int) -> dict[str, Any]:
    """Trigger one run, wait for it, and read its timing and its tasks' from the API."""
    run_id = f"bench_{feeds}_feeds_{int(time.time())}"
    api.post(
        f"/api/v2/dags/{DAG_ID}/dagRuns",
        json={"dag_run_id": run_id, "logical_date": logical.isoformat()},
    ).raise_for_status()
    deadline = time.monotonic() + RUN_DEADLINE_S
    run: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            run = api.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()
        except httpx.TimeoutException:  # the api-server answers slowly while tasks start
            continue
        if run.get("state") in ("success", "failed"):
            break
        time.sleep(2)
    if run.get("state") != "success":
        raise RuntimeError(f"run {run_id} of {feeds} feeds ended {run.get('state')!r}: {run}")
    instances = api.get(
        f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances", params={"limit": 1000}
    ).json()["task_instances"]
    tasks: dict[str, dict[str, float]] = {}
    for ti in instances:
        task = tasks.setdefault(ti["task_id"], {"count": 0, "seconds": 0.0})
        if ti.get("start_date"):  # a skipped task (no failed feed to refetch) never ran
            task["count"] += 1
            task["seconds"] = round(task["seconds"] + (ti.get("duration") or 0.0), 1)
    queued, started, ended = (_at(run[key]) for key in ("queued_at", "start_date", "end_date"))
    return {
        "run_id": run_id,
        "queued_to_end_s": round((ended - queued).total_seconds(), 1),
        "queued_to_start_s": round((started - queued).total_seconds(), 1),
        "start_to_end_s": round((ended - started).total_seconds(), 1),
        "median_extract_batch_s": statistics.median(
            [ti.get("duration") or 0.0 for ti in instances if ti["task_id"] == "extract"]
        ),
        "tasks": tasks,
    }


def _api(stack: local_airflow.Stack) -> httpx.Client:
    """A REST API client logged in as the admin (generous timeouts: two cores, busy)."""
    token = httpx.post(
        f"{stack.url}/auth/token",
        json={"username": local_airflow.ADMIN, "password": local_airflow.admin_password(stack)},
        timeout=60,
    ).json()["access_token"]
    return httpx.Client(
        base_url=stack.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


def _set_variable(api: httpx.Client, key: str, value: str) -> None:
    created = api.post("/api/v2/variables", json={"key": key, "value": value})
    if created.status_code == 409:  # set for the previous size
        api.patch(f"/api/v2/variables/{key}", json={"key": key, "value": value}).raise_for_status()
    else:
        created.raise_for_status()


def _at(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
