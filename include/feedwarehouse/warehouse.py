"""The one DuckDB connection helper and the single-writer lock."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from feedwarehouse.config import Paths

SCHEMAS = ("raw", "staging", "intermediate", "marts", "snapshots", "quality")


class WriterBusy(RuntimeError):
    """Another process is writing the warehouse; runs of the warehouse never interleave."""


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file; writers make sure its folder exists."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


@contextmanager
def writer_lock(paths: Paths, *, wait: bool = True) -> Iterator[None]:
    """Hold the warehouse's writer lock (an OS file lock, released even if the process dies)."""
    paths.lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise WriterBusy(
                f"another run is writing {paths.warehouse} (lock {paths.lock_file} is held); "
                "wait for it to finish, then rerun"
            ) from None
        yield
    finally:
        os.close(fd)
