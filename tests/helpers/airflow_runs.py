"""Airflow's own CLI on a test's Airflow home: run it, then read what it recorded."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

AIRFLOW = Path(sys.executable).parent / "airflow"
DAGS = Path(__file__).resolve().parents[2] / "dags"


def airflow(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(AIRFLOW), *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def task_states(home: Path, day: str) -> list[tuple]:
    return query(
        home,
        "select t.task_id, t.rendered_map_index, t.state, t.try_number from task_instance t "
        "join dag_run r using (dag_id, run_id) where substr(r.logical_date, 1, 10) = ? "
        "order by t.task_id, t.map_index",
        (day,),
    )


def run_states(home: Path) -> list[tuple]:
    return query(home, "select substr(logical_date, 1, 10), state from dag_run order by 1")


def query(home: Path, sql: str, params: tuple = ()) -> list[tuple]:
    db = sqlite3.connect(f"file:{home / 'airflow.db'}?mode=ro", uri=True)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def error_lines(output: str) -> list[str]:
    """The text of each ERROR line of `dags test` output, without time, level and logger."""
    pattern = re.compile(r"^\S+ \[error\s*\] (.*?)(?:\s+\[[\w.]+\](?: \S+=.*)?)?$")
    return [m.group(1) for line in output.splitlines() if (m := pattern.match(line))]
