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

`make up ... WAREHOUSE=ducklake` runs the same DAG on the lake (catalog in the stack's postgres,
data on a volume every worker mounts): load_raw runs on an extract worker, outside the writer
pool, and a separate container on the stack's network, as `bi_reader` with the data volume
mounted read-only, runs the README's ATTACH and reads marts equal to the file's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from helpers.compose_cluster import Cluster, finished, login, marts, task_state, unpause
from helpers.dockerkit import compose_project_containers, compose_project_volumes, docker_engine

BIN = Path(sys.executable).parent
WRITER_TASKS = {"load_raw", "validate_raw", "transform", "validate_marts", "publish"}
WRITER_HOST = "airflow-worker-writer"


def _faults_mid_transform(cluster: Cluster, timeout: float = 600) -> None:
    """While dbt runs on the writer worker: `docker kill` it (then start it again), restart
    Redis and restart the scheduler. The lost transform is found by its missing heartbeat and
    retried; the run must still publish exactly the marts of a run on one machine."""
    deadline = time.monotonic() + timeout
    while task_state(cluster, "transform") != [["running", "1"]]:
        assert time.monotonic() < deadline, task_state(cluster, "transform")
        time.sleep(2)
    cluster.compose("kill", "airflow-worker-writer")
    cluster.compose("restart", "redis")
    cluster.compose("restart", "airflow-scheduler")
    cluster.compose("start", "airflow-worker-writer")


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
                login(api, "admin", password)
                dag_run = unpause(api)
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
                dag_run = finished(api, dag_run["dag_run_id"], timeout=900)
            assert task_state(cluster, "transform") == [["success", "2"]]  # killed once
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
            expected = marts(single / "published" / "warehouse.duckdb")
            assert int(bi.stdout) == len(expected["marts.posts"]) > 0
            copy = workdir / "cluster.duckdb"
            cat = ["docker", "run", "--rm", "-v", f"{volume}:/data:ro", "feedwarehouse:latest",
                   "cat", "/data/published/warehouse.duckdb"]  # fmt: skip  # argv: flags by values
            copy.write_bytes(subprocess.run(cat, capture_output=True, check=True).stdout)
            assert marts(copy) == expected
        finally:
            down = cluster.make("down", "VOLUMES=1")
        assert compose_project_containers(cluster.project) == [], down
        assert compose_project_volumes(cluster.project) == [], down


# the README's attach (docs/ducklake.md), as `bi_reader`, in a container of its own; it copies
# the marts into /out/bi.duckdb for the comparison on this machine
BI_ATTACH = """
import os, duckdb
from feedwarehouse.lake import load_extensions
conn = duckdb.connect('/out/bi.duckdb')
load_extensions(conn)
conn.execute("ATTACH 'ducklake:postgres:host=postgres dbname=lake user=bi_reader password="
             + os.environ['BI_READER_PASSWORD'] + "' AS lake "
             "(METADATA_SCHEMA 'ducklake_published', READ_ONLY)")
conn.execute('create schema marts')
for mart in ('posts', 'tags', 'post_tags', 'authors', 'feeds'):
    conn.execute(f'create table marts.{mart} as select * from lake.marts.{mart}')
"""


def _env_value(env_file: Path, name: str) -> str:
    lines = env_file.read_text(encoding="utf-8").splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{name}="))


def test_celery_cluster_on_the_lake_loads_on_extract_workers_and_serves_bi(workdir: Path) -> None:
    root = workdir / "lake"
    root.mkdir()
    sample, out = root / "sample", root / "bi"
    out.mkdir()
    out.chmod(0o777)  # the BI container runs as uid 50000
    run = [BIN / "feedwarehouse", "sample", "--out", sample, "--feeds", "4", "--items", "15",
           "--end-date", str(date.today())]  # fmt: skip  # argv: flags by values
    subprocess.run(run, check=True, capture_output=True)
    cluster = Cluster(root, sample, "lake", WAREHOUSE="ducklake")
    with docker_engine(workdir):
        try:
            up = cluster.make("up", "EXECUTOR=celery", "WORKERS=2", "WAREHOUSE=ducklake",
                              f"AIRFLOW_PORT={cluster.port}")  # fmt: skip  # argv: flags by values
            password = next(line for line in up.splitlines() if line.startswith("password: "))
            extract_hosts = cluster.hostnames("airflow-worker")
            assert len(extract_hosts) == 2
            with httpx.Client(base_url=f"http://127.0.0.1:{cluster.port}", timeout=30) as api:
                login(api, "admin", password.split()[1])
                dag_run = unpause(api)
                single = root / "single"
                cli = subprocess.Popen(
                    [BIN / "feedwarehouse", "run", "--feeds", sample / "feeds.yml",
                     "--date", dag_run["logical_date"][:10]],
                    env={**os.environ, "FEEDWAREHOUSE_DATA_DIR": str(single)},
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                )  # fmt: skip  # argv: flags by values
                dag_run = finished(api, dag_run["dag_run_id"], timeout=900)
            tis = cluster.sql(
                "select task_id, state, pool, queue, hostname from task_instance "
                "where dag_id = 'feed_warehouse_daily' and state != 'skipped' order by task_id"
            )
            assert dag_run["state"] == "success", tis
            assert {ti[1] for ti in tis} == {"success"}, tis
            (load,) = [ti for ti in tis if ti[0] == "load_raw"]
            assert load[2:4] == ["default_pool", "default"], tis  # outside the writer pool
            assert load[4] in extract_hosts, (tis, extract_hosts)
            writes = {(ti[0], *ti[2:]) for ti in tis if ti[0] in WRITER_TASKS - {"load_raw"}}
            pooled = WRITER_TASKS - {"load_raw", "transform"}  # transform: the lock, no pool
            assert writes == {
                (task, "feedwarehouse_writer", "writer", WRITER_HOST) for task in pooled
            } | {("transform", "default_pool", "writer", WRITER_HOST)}, tis

            bi = subprocess.run(
                ["docker", "run", "--rm", "--network", f"{cluster.project}_default",
                 "-v", f"{cluster.project}_lake-data:/lake:ro", "-v", f"{out}:/out",
                 "-e", "BI_READER_PASSWORD=" + _env_value(root / "compose.env",
                                                          "BI_READER_PASSWORD"),
                 "feedwarehouse:latest", "python", "-c", BI_ATTACH],
                capture_output=True, text=True,
            )  # fmt: skip  # argv: flags by values
            assert bi.returncode == 0, bi.stderr[-3000:]
            assert cli.wait(timeout=600) == 0, cli.stderr.read().decode()[-3000:]
            expected = marts(single / "published" / "warehouse.duckdb")
            assert len(expected["marts.posts"]) > 0
            assert marts(out / "bi.duckdb") == expected
        finally:
            down = cluster.make("down", "VOLUMES=1")
        assert compose_project_containers(cluster.project) == [], down
        assert compose_project_volumes(cluster.project) == [], down
