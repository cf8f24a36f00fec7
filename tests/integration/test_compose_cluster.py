"""The compose deployment with Celery workers, for real, in a Docker engine.

`make up EXECUTOR=celery WORKERS=2 AIRGAP=1` builds the images without a registry (bases from
the Debian mirror, the project from uv.lock through the package index) and starts Postgres,
Redis, one writer worker and two extract workers. The daily DAG is unpaused, so the scheduler
starts today's run on sample feeds mounted from the host. Mid-transform the writer worker is
killed, Redis and the scheduler restart. The test then checks the run from the metadata DB:
every writer task ran on the writer worker from the `writer` queue, every other task on an
extract worker from `default`; a BI container mounting the data volume read-only opens the
published file, whose marts equal those of `feedwarehouse run` on this machine; and
`make down VOLUMES=1` leaves no container and no volume.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import httpx
import pytest
from helpers.dockerkit import compose_project_containers, compose_project_volumes, docker_engine

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WRITER_TASKS = {"load_raw", "validate_raw", "transform", "validate_marts", "publish"}
WRITER_HOST = "airflow-worker-writer"
DAG_PATH = "/api/v2/dags/feed_warehouse_daily"
# the marts compared with a run on this machine: their business columns, not build times
MARTS = {
    "marts.posts": "post_id, feed_id, guid, url, title, author_id, published_at, word_count",
    "marts.tags": "tag_id, name, slug",
    "marts.post_tags": "post_id, tag_id",
    "marts.authors": "author_id, name",
    "marts.feeds": "feed_id, title",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """One compose project of the test: make up/down and docker compose with its settings."""

    def __init__(self, workdir: Path, sample_dir: Path) -> None:
        self.project = f"fwtest{os.getpid()}"
        self.port = _free_port()
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


def _login(api: httpx.Client, user: str, password: str) -> None:
    """The printed login works: its JWT authorizes the client's next requests."""
    token = api.post("/auth/token", json={"username": user, "password": password})
    assert token.status_code == 201, token.text
    api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"


def _unpause(api: httpx.Client, timeout: float = 300) -> dict:
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


def _finished(api: httpx.Client, run_id: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while (run := api.get(f"{DAG_PATH}/dagRuns/{run_id}").json())["state"] not in {
        "success",
        "failed",
    }:
        assert time.monotonic() < deadline, f"run not finished in {timeout} s: {run}"
        time.sleep(5)
    return run


def _faults_mid_transform(cluster: Cluster, timeout: float = 600) -> None:
    """While dbt runs on the writer worker: `docker kill` it (then start it again), restart
    Redis and restart the scheduler. The lost transform is found by its missing heartbeat and
    retried; the run must still publish exactly the marts of a run on one machine."""
    deadline = time.monotonic() + timeout
    while _task_state(cluster, "transform") != [["running", "1"]]:
        assert time.monotonic() < deadline, _task_state(cluster, "transform")
        time.sleep(2)
    cluster.compose("kill", "airflow-worker-writer")
    cluster.compose("restart", "redis")
    cluster.compose("restart", "airflow-scheduler")
    cluster.compose("start", "airflow-worker-writer")


def _task_state(cluster: Cluster, task_id: str) -> list[list[str]]:
    return cluster.sql(
        "select state, try_number from task_instance "
        f"where dag_id = 'feed_warehouse_daily' and task_id = '{task_id}'"
    )


def _marts(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return {
            mart: conn.sql(f"select {columns} from {mart} order by all").fetchall()
            for mart, columns in MARTS.items()
        }


@pytest.fixture(scope="module")
def workdir() -> Path:
    # under /tmp and world-readable: the containers run as uid 50000 and read the sample here
    path = Path(tempfile.mkdtemp(prefix="feedwarehouse-compose-"))
    path.chmod(0o755)
    return path


def test_celery_cluster_runs_the_daily_dag_with_writer_routing(workdir: Path) -> None:
    sample = workdir / "sample"
    run = [BIN / "feedwarehouse", "sample", "--out", sample, "--feeds", "4", "--items", "15",
           "--end-date", str(date.today())]  # fmt: skip  # argv: flags by values
    subprocess.run(run, check=True, capture_output=True)
    cluster = Cluster(workdir, sample)
    with docker_engine(workdir):
        try:
            up = cluster.make("up", "EXECUTOR=celery", "WORKERS=2", f"AIRFLOW_PORT={cluster.port}")
            lines = up.splitlines()
            assert f"Airflow UI: http://localhost:{cluster.port}" in lines, up[-2000:]
            assert "user: admin" in lines, up[-2000:]
            password = next(line for line in lines if line.startswith("password: ")).split()[1]
            extract_hosts = cluster.hostnames("airflow-worker")
            assert len(extract_hosts) == 2
            assert cluster.hostnames("airflow-worker-writer") == {WRITER_HOST}

            with httpx.Client(base_url=f"http://127.0.0.1:{cluster.port}", timeout=30) as api:
                _login(api, "admin", password)
                dag_run = _unpause(api)
                logical_date = dag_run["logical_date"][:10]
                # the same feeds and date on this machine, while the cluster works
                single = workdir / "single"
                cli = subprocess.Popen(
                    [BIN / "feedwarehouse", "run", "--feeds", sample / "feeds.yml",
                     "--date", logical_date],
                    env={**os.environ, "FEEDWAREHOUSE_DATA_DIR": str(single)},
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                )  # fmt: skip  # argv: flags by values
                _faults_mid_transform(cluster)
                dag_run = _finished(api, dag_run["dag_run_id"], timeout=900)
            assert _task_state(cluster, "transform") == [["success", "2"]]  # killed once
            tis = cluster.sql(
                "select task_id, map_index, state, queue, hostname from task_instance "
                "where dag_id = 'feed_warehouse_daily' order by task_id, map_index"
            )
            assert dag_run["state"] == "success", tis
            ran = [ti for ti in tis if ti[2] != "skipped"]  # refetch: no failed feed, no box
            assert {ti[2] for ti in ran} == {"success"}, tis
            writer_tis = [ti for ti in ran if ti[0] in WRITER_TASKS]
            assert {ti[0] for ti in writer_tis} == WRITER_TASKS
            assert {(ti[3], ti[4]) for ti in writer_tis} == {("writer", WRITER_HOST)}, tis
            others = [ti for ti in ran if ti[0] not in WRITER_TASKS]
            assert {ti[0] for ti in others} == {"feeds", "extract", "failed_feeds"}, tis
            assert {ti[3] for ti in others} == {"default"}, tis
            assert {ti[4] for ti in others} <= extract_hosts, (tis, extract_hosts)

            # BI: a container with the data volume mounted read-only opens the published file
            volume = f"{cluster.project}_warehouse-data"
            bi = subprocess.run(
                ["docker", "run", "--rm", "-v", f"{volume}:/data:ro", "feedwarehouse:latest",
                 "python", "-c", "import duckdb; print(duckdb.connect("
                 "'/data/published/warehouse.duckdb', read_only=True)"
                 ".sql('select count(*) from marts.posts').fetchall()[0][0])"],
                capture_output=True, text=True,
            )  # fmt: skip  # argv: flags by values
            assert bi.returncode == 0, bi.stderr

            assert cli.wait(timeout=600) == 0, cli.stderr.read().decode()[-3000:]
            expected = _marts(single / "published" / "warehouse.duckdb")
            assert int(bi.stdout) == len(expected["marts.posts"]) > 0
            copy = workdir / "cluster.duckdb"
            cat = ["docker", "run", "--rm", "-v", f"{volume}:/data:ro", "feedwarehouse:latest",
                   "cat", "/data/published/warehouse.duckdb"]  # fmt: skip  # argv: flags by values
            copy.write_bytes(subprocess.run(cat, capture_output=True, check=True).stdout)
            assert _marts(copy) == expected
        finally:
            down = cluster.make("down", "VOLUMES=1")
        assert compose_project_containers(cluster.project) == [], down
        assert compose_project_volumes(cluster.project) == [], down
