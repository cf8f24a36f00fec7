"""The Celery executor from the locked environment: its import and a worker that starts.

celery 5.7 removed `retry` from celery.backends.database, which apache-airflow-providers-celery
3.26 imports; uv.lock then gave a scheduler that could not load CeleryExecutor and workers that
died on start. This test starts `airflow celery worker` on the `writer` queue against a Redis
on 127.0.0.1 (Debian's redis-server, started here) and asks it, over the broker, which queues
it serves: an upgrade that breaks the executor or the worker fails here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.debian_tools import ensure_commands

BIN = Path(sys.executable).parent
WORKER_NAME = "writer@feedwarehouse-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ensure_commands({"redis-server": "redis-server"})
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip  # argv: flags by values
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, f"redis-server exited with {server.returncode}"
                assert time.monotonic() < deadline, "redis-server did not listen within 30 s"
                time.sleep(0.2)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(server)


def test_celery_executor_imports_from_the_locked_environment() -> None:
    from airflow.providers.celery.executors.celery_executor import CeleryExecutor

    assert CeleryExecutor.__module__ == "airflow.providers.celery.executors.celery_executor"


def test_airflow_celery_worker_starts_and_serves_the_writer_queue(
    redis_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}",
        "AIRFLOW__CELERY__BROKER_URL": redis_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+sqlite:///{tmp_path / 'results.db'}",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [BIN / "airflow", "celery", "worker", "--queues", "writer", "--concurrency", "1",
             "--celery-hostname", WORKER_NAME, "--skip-serve-logs", "--without-gossip"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip  # argv: flags by values
    try:
        queues = _active_queues(redis_url, worker, log)
    finally:
        _stop(worker)
    assert queues == {WORKER_NAME: ["writer"]}, log.read_text(errors="replace")[-3000:]


def _active_queues(redis_url: str, worker: subprocess.Popen, log: Path) -> dict[str, list[str]]:
    """Ask the worker over the broker which queues it consumes, once it answers (90 s at most)."""
    from celery import Celery

    app = Celery(broker=redis_url)
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            assert worker.poll() is None, (
                f"airflow celery worker exited with {worker.returncode}:\n"
                + log.read_text(errors="replace")[-3000:]
            )
            replies = app.control.inspect(destination=[WORKER_NAME], timeout=2).active_queues()
            if replies:
                return {name: [q["name"] for q in qs] for name, qs in replies.items()}
        raise AssertionError("worker did not answer within 90 s:\n" + log.read_text()[-3000:])
    finally:
        app.close()
