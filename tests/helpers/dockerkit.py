"""A Docker engine for the compose test: Debian's docker.io and mmdebstrap installed when
missing (as root, like CI), dockerd started when no daemon answers and stopped afterwards;
a daemon that was already running is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.debian_tools import ensure_commands


def engine_answers() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


@contextmanager
def docker_engine(state_dir: Path) -> Iterator[None]:
    """A daemon that answers `docker info`; one started here is stopped on exit."""
    ensure_commands({"dockerd": "docker.io", "docker": "docker.io", "mmdebstrap": "mmdebstrap"})
    if engine_answers():
        yield
        return
    log = state_dir / "dockerd.log"
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            ["dockerd"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while not engine_answers():
            assert daemon.poll() is None, f"dockerd exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"dockerd silent for 60 s:\n{log.read_text()}"
            time.sleep(1)
        yield
    finally:
        os.kill(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()


def compose_project_containers(project: str) -> list[str]:
    """Every container (running or not) of a compose project."""
    listed = subprocess.run(
        ["docker", "ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={project}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()


def compose_project_volumes(project: str) -> list[str]:
    listed = subprocess.run(
        ["docker", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={project}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()
