"""The writer lock is re-entrant in a thread; failpoints kill only when armed.

Refusing, waiting and naming the holder across processes: tests/faults/test_concurrency.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from feedwarehouse import failpoints
from feedwarehouse.config import data_paths
from feedwarehouse.warehouse import writer_lock


def test_the_lock_is_re_entrant_in_one_thread_and_exclusive_across_threads(tmp_path: Path):
    paths = data_paths(tmp_path)
    other_got_it = threading.Event()

    def other_thread() -> None:
        with writer_lock(paths):
            other_got_it.set()

    with writer_lock(paths, holder="outer"), writer_lock(paths, timeout=0, holder="inner"):
        thread = threading.Thread(target=other_thread)
        thread.start()
        assert not other_got_it.wait(0.3)  # blocked while this thread holds it
        # the holder written by the outermost acquisition stays
        assert paths.lock_file.read_text().endswith(": outer\n")
    thread.join(timeout=10)
    assert other_got_it.is_set()


@pytest.mark.parametrize("armed", [None, "publish.swapped", "publish.staged@5"])
def test_failpoints_do_nothing_unless_armed_at_that_hit(armed: str | None):
    script = (
        "from feedwarehouse import failpoints\n"
        "for i in range(1, 4):\n"
        "    failpoints.hit('publish.staged')\n"
        "    print(i, flush=True)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != failpoints.ENV}
    if armed is not None:
        env[failpoints.ENV] = armed
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "1\n2\n3\n", "")


def test_an_unknown_failpoint_is_an_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(failpoints.ENV, "publish.stagd@2")
    with pytest.raises(ValueError, match=r"unknown failpoint 'publish.stagd'; known: \["):
        failpoints.hit("publish.staged")


def test_an_armed_failpoint_kills_its_process_at_the_nth_hit():
    script = (
        "from feedwarehouse import failpoints\n"
        "for i in range(1, 4):\n"
        "    print(i, flush=True)\n"
        "    failpoints.hit('load.fetch_inserted')\n"
    )
    env = {**os.environ, failpoints.ENV: "load.fetch_inserted@2"}
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stdout) == (-signal.SIGKILL, "1\n2\n")


@pytest.mark.parametrize(("armed", "wrapped"), [(None, False), ("dbt.sanitize_html@3", True)])
def test_dbt_sanitizes_html_without_a_failpoint_check_per_row_unless_armed(
    monkeypatch: pytest.MonkeyPatch, armed: str | None, wrapped: bool
):
    import duckdb

    from feedwarehouse.transform import dbt_plugin

    monkeypatch.delenv(failpoints.ENV, raising=False)
    if armed is not None:
        monkeypatch.setenv(failpoints.ENV, armed)
    checked: list[str] = []
    monkeypatch.setattr(failpoints, "hit", checked.append)  # counts the per-row checks
    conn = duckdb.connect()
    dbt_plugin.Plugin("feedwarehouse", {}).configure_connection(conn)
    rows = conn.execute(
        "select sanitize_html(b) from (values ('<p onclick=\"x()\">a</p>'), (null), ('<b>c</b>'))"
        " t(b)"
    ).fetchall()
    assert rows == [("<p>a</p>",), (None,), ("<b>c</b>",)]
    assert checked == (["dbt.sanitize_html"] * 3 if wrapped else [])
