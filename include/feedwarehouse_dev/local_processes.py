"""Processes `make airflow` starts, known by pid file: `<pid> <start time>`, so a reused pid
is never taken for ours, and each in its own process group, which is what stopping ends."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def pid_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def spawn(command: list[str], env: dict[str, str], log: Path, pid_file: Path) -> None:
    """Start `command` in its own session, output appended to `log`, and write its pid file."""
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pid_file.write_text(f"{process.pid} {_started_at(process.pid)}\n")


def alive(pid_file: Path) -> bool:
    """The pid file's process is still the one we started (not a reused pid)."""
    if not pid_file.exists():
        return False
    pid, started = pid_file.read_text().split()
    import psutil

    try:
        return pid_alive(int(pid)) and abs(_started_at(int(pid)) - float(started)) < 1
    except psutil.NoSuchProcess:  # it ended between the two checks
        return False


def stop_group(pid_file: Path, grace_s: float) -> None:
    """SIGTERM the pid file's process group, SIGKILL what is left after the grace period."""
    pid = int(pid_file.read_text().split()[0])
    for sig, grace in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):  # only when this process started it:
                os.waitpid(pid, os.WNOHANG)  # reaped, or its group lives on as a zombie
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def _started_at(pid: int) -> float:
    import psutil

    return psutil.Process(pid).create_time()
