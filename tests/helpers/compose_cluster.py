"""The compose cluster of tests/integration/test_compose_cluster.py: one compose project
(make up / down, docker compose, psql on its metadata DB) and the Airflow REST calls the
tests make on it."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import httpx

ROOT = Path(__file__).resolve().parents[2]
DAG_PATH = "/api/v2/dags/feed_warehouse_daily"
# the marts compared with a run on this machine: their business columns, not build times
MARTS = {
    "marts.posts": "post_id, feed_id, guid, url, title, author_id, published_at, word_count",
    "marts.tags": "tag_id, name, slug",
    "marts.post_tags": "post_id, tag_id",
    "marts.authors": "author_id, name",
    "marts.feeds": "feed_id, title",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """One compose project of the test: make up/down and docker compose with its settings."""

    def __init__(self, workdir: Path, sample_dir: Path, name: str = "", **env: str) -> None:
        self.project = f"fwtest{os.getpid()}{name}"
        self.port = free_port()
        self.env = {
            **os.environ,
            "COMPOSE_PROJECT_NAME": self.project,
            "ENV_FILE": str(workdir / "compose.env"),
            "COMPOSE_EXTRA": "tests/integration/compose_sample_feeds.yml",
            "COMPOSE_SAMPLE_DIR": str(sample_dir),
            "FEEDWAREHOUSE_FEEDS": str(sample_dir / "feeds.yml"),
            "FEEDWAREHOUSE_COMPOSE_STATE": str(workdir / "state"),
            "AIRFLOW_WORKER_CONCURRENCY": "2",
            "AIRFLOW_TASK_HEARTBEAT_TIMEOUT": "60",  # the killed writer's task is lost sooner
            "AIRGAP": "1",
            **env,
        }

    def make(self, *args: str, timeout: int = 900) -> str:
        done = subprocess.run(
            ["make", "--no-print-directory", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        assert done.returncode == 0, f"make {' '.join(args)}:\n{output}"
        return done.stdout

    def compose(self, *args: str) -> str:
        done = subprocess.run(
            [ROOT / "include/compose/compose.sh", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"compose {' '.join(args)}:\n{done.stderr[-3000:]}"
        return done.stdout

    def sql(self, query: str) -> list[list[str]]:
        out = self.compose(
            "exec", "-T", "postgres", "psql", "-U", "airflow", "-d", "airflow", "-AtF", "\t",
            "-c", query,
        )  # fmt: skip  # argv: flags by values
        return [line.split("\t") for line in out.splitlines() if line]

    def hostnames(self, service: str) -> set[str]:
        ids = self.compose("ps", "-q", service).split()
        inspect = ["docker", "inspect", "-f", "{{.Config.Hostname}}", *ids]
        listed = subprocess.run(inspect, capture_output=True, text=True, check=True)
        return set(listed.stdout.split())


def login(api: httpx.Client, user: str, password: str) -> None:
    """The printed login works: its JWT authorizes the client's next requests."""
    token = api.post("/auth/token", json={"username": user, "password": password})
    assert token.status_code == 201, token.text
    api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"


def unpause(api: httpx.Client, timeout: float = 300) -> dict:
    """Unpause the DAG once the dag-processor has parsed it: the scheduler then starts today's
    run (Airflow 3: a cron schedule's logical date is when it triggers). Returns that run."""
    deadline = time.monotonic() + timeout
    while (unpause := api.patch(DAG_PATH, json={"is_paused": False})).status_code == 404:
        assert time.monotonic() < deadline, "the DAG was never parsed"
        time.sleep(3)  # 404 until the dag-processor has parsed it
    assert unpause.status_code == 200, unpause.text
    while not (runs := api.get(f"{DAG_PATH}/dagRuns").json()["dag_runs"]):
        assert time.monotonic() < deadline, "the scheduler started no run"
        time.sleep(3)
    assert len(runs) == 1, runs
    return runs[0]


def finished(api: httpx.Client, run_id: str, timeout: float = 600) -> dict:
    """The run once it has ended. One poll that times out (the api-server answering slowly on a
    loaded 2-core machine: seen in CI with two clusters up) is polled again; the deadline holds."""
    deadline = time.monotonic() + timeout
    run: dict = {}
    while run.get("state") not in {"success", "failed"}:
        if run:
            assert time.monotonic() < deadline, f"run not finished in {timeout} s: {run}"
            time.sleep(5)
        try:
            run = api.get(f"{DAG_PATH}/dagRuns/{run_id}").json()
        except httpx.TimeoutException as exc:
            run = {"state": f"unknown: the poll timed out ({exc!r})"}
    return run


def task_state(cluster: Cluster, task_id: str) -> list[list[str]]:
    return cluster.sql(
        "select state, try_number from task_instance "
        f"where dag_id = 'feed_warehouse_daily' and task_id = '{task_id}'"
    )


def marts(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return {
            mart: conn.sql(f"select {columns} from {mart} order by all").fetchall()
            for mart, columns in MARTS.items()
        }
