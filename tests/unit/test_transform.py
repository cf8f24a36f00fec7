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
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


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


def test_a_failed_dbt_build_names_the_failing_node_and_its_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed dbt test stops the run before publish like a gate: its first line says the way
    out, the same words docs/faults.md gives."""
    from types import SimpleNamespace

    import dbt.cli.main

    from feedwarehouse.config import EXPECTATIONS_DIR, data_paths
    from feedwarehouse.errors import TransformFailed
    from feedwarehouse.transform import dbt_build

    node = SimpleNamespace(
        status="fail",
        node=SimpleNamespace(unique_id="test.feedwarehouse.unique_posts_post_id"),
        message="Got 2 results, configured to fail if != 0",
    )
    failed = SimpleNamespace(success=False, result=SimpleNamespace(results=[node]), exception=None)
    monkeypatch.setattr(
        dbt.cli.main, "dbtRunner", lambda callbacks: SimpleNamespace(invoke=lambda args: failed)
    )
    with pytest.raises(TransformFailed) as raised:
        dbt_build.run_dbt("build", data_paths(tmp_path))
    assert str(raised.value) == (
        "dbt build failed: test.feedwarehouse.unique_posts_post_id: fail (Got 2 results, "
        f"configured to fail if != 0); way out: {dbt_build.TRANSFORM_REMEDY}"
    )
    faults = (EXPECTATIONS_DIR.parent / "docs" / "faults.md").read_text(encoding="utf-8")
    assert f"| dbt build (`transform`) | {dbt_build.TRANSFORM_REMEDY} |" in faults
