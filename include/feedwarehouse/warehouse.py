"""The one DuckDB connection helper and the single-writer lock."""

from __future__ import annotations

import fcntl
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from feedwarehouse.config import Paths
from feedwarehouse.errors import WriterBusy
from feedwarehouse.lake import connect_lake
from feedwarehouse.settings import settings


def duckdb_config() -> dict[str, str]:
    """Settings of every DuckDB database a run opens: ours here, dbt's through its plugin."""
    return {
        # DuckDB's default is 80% of RAM, held as buffer cache: a run's RSS grew with its
        # history. The cap (400MB by default; dbt, GX and Python come on top) keeps a daily run
        # under 1 GB; past it DuckDB spills to <file>.tmp beside the warehouse.
        "memory_limit": settings().memory_limit,
        # no model relies on row order without an order by; keeping it costs memory
        "preserve_insertion_order": "false",
    }


def connect(
    path: Path, *, read_only: bool = False, wait: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file with duckdb_config(); writers make sure its folder exists.

    A writer that finds the file held by another process (an analyst who opened the writer's
    file instead of the published copy) retries for `wait` seconds, then raises WriterBusy
    naming that process: the run fails clearly and changes nothing.

    With FEEDWAREHOUSE_WAREHOUSE=ducklake the writer's warehouse (`<data dir>/warehouse.duckdb`)
    is the build lake instead (lake.py): an in-memory DuckDB with the lake as its default
    database. The BI file and other files open as files either way.
    """
    if is_lake_warehouse(path):
        return connect_lake(duckdb_config(), read_only=read_only)
    if read_only:
        return duckdb.connect(str(path), read_only=True, config=duckdb_config())
    path.parent.mkdir(parents=True, exist_ok=True)
    if wait is None:
        wait = settings().writer_open_wait
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), config=duckdb_config())
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                held = re.search(r"lock is held in (.*?\(PID \d+\))", str(exc))
                holder = held.group(1) if held else "unknown"
                raise WriterBusy(
                    f"the writer's file {path} is open in another process ({holder}) and "
                    f"stayed so for {wait:g} s: close it; BI tools and analysts must open the "
                    f"published copy {path.parent / 'published' / path.name} read-only"
                ) from None
            time.sleep(0.5)


def is_lake_warehouse(path: Path) -> bool:
    """Whether `path` names the writer's warehouse and that warehouse is the build lake."""
    return (
        settings().warehouse == "ducklake"
        and path.name == "warehouse.duckdb"
        and path.parent.name not in ("published", "publish-spare")
    )


class _Held(threading.local):
    depth: int = 0


_held: dict[Path, _Held] = {}
_held_guard = threading.Lock()


@contextmanager
def writer_lock(
    paths: Paths, *, timeout: float | None = None, holder: str = "a feedwarehouse step"
) -> Iterator[None]:
    """Hold the warehouse's writer lock: an OS file lock, released even if the process dies.

    Re-entrant in one thread, so a whole run can hold it across its steps while each step
    still takes it when called alone (an Airflow task). `timeout` None waits as long as it
    takes; 0 refuses at once, otherwise WriterBusy after `timeout` seconds. The holder's pid,
    start time and `holder` text are written into the lock file for the refusal message.
    """
    with _held_guard:
        held = _held.setdefault(paths.lock_file, _Held())
    if held.depth:
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
        return
    paths.lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, paths, timeout)
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()} since {started}: {holder}\n".encode(), 0)
        held.depth = 1
        try:
            yield
        finally:
            held.depth = 0
    finally:
        os.close(fd)


def _acquire(fd: int, paths: Paths, timeout: float | None) -> None:
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                break
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
    holder = os.pread(fd, 512, 0).decode(errors="replace").strip() or "unknown"
    waited = f" after waiting {timeout:g} s" if timeout else ""
    raise WriterBusy(
        f"another run is writing {paths.warehouse}{waited} (lock {paths.lock_file} held by "
        f"{holder}); nothing was changed: rerun when it has finished"
    )
