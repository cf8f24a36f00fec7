"""dbt in-process: its console lines reach our log; it leaves no semaphores for the tracker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dbt.adapters.duckdb.__version__ import version as duckdb_adapter_version
from dbt.version import __version__ as dbt_version

# As an Airflow task process ends: dbt runs, then os._exit (no atexit, no finalizers).
TASK_LIKE = """
import logging, os, sys
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
from feedwarehouse.transform import dbt_build as transform
from feedwarehouse.config import data_paths
if sys.argv[1] == "without-release":
    transform._release_dbt_locks = lambda: None
transform.run_dbt("parse", data_paths(sys.argv[2]))
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
"""
LEAK = "resource_tracker: There appear to be 2 leaked semaphore objects to clean up at shutdown"


def _task_like(mode: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", TASK_LIKE, mode, str(data_dir)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_dbt_logs_its_lines_and_leaks_no_semaphores(tmp_path: Path) -> None:
    # the tracker (a child that outlives the task) holds stderr open: run() waits for its report
    leaky = _task_like("without-release", tmp_path / "leaky")
    assert LEAK in leaky.stderr  # what an Airflow task's log showed as two ERROR lines

    done = _task_like("with-release", tmp_path / "data")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "leaked semaphore" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"INFO feedwarehouse.transform.dbt_build Running with dbt={dbt_version}"
    adapter = f"Registered adapter: duckdb={duckdb_adapter_version}"
    assert [line for line in lines if "Registered adapter" in line] == [
        f"INFO feedwarehouse.transform.dbt_build {adapter}"
    ]
    assert done.stdout == ""  # dbt's own console output is off: the lines come once, logged
