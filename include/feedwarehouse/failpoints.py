"""Failpoints: named places where the fault suite kills the process with SIGKILL.

`FEEDWAREHOUSE_FAILPOINT=load.entries_inserted` (optionally `name@N`: at the Nth time the point
is reached) makes `hit("load.entries_inserted")` send SIGKILL to its own process: no cleanup,
no `finally`, exactly what the OOM killer or a lost machine does. Unset (always, outside tests)
`hit` reads the settings and returns; a caller that would hit a point on every row asks `armed`
once instead. The points sit inside the steps that write: mid-fetch, mid-transaction of the raw
load, mid-dbt model, and between the copy and the swap of a publish.
"""

from __future__ import annotations

import os
import signal
import threading

from feedwarehouse.settings import env_name, settings

ENV = env_name("failpoint")
POINTS = frozenset(
    {
        "land.payload_stored",  # a feed's bytes landed, its manifest not yet written
        "load.fetch_inserted",  # inside the raw transaction: the fetch row, no entries yet
        "load.fetch_committed",  # one feed's raw rows committed, the next feed's not
        "dbt.sanitize_html",  # inside a dbt model's statement (the HTML sanitizing UDF)
        "publish.table_copied",  # the staging BI file holds some tables, not all
        "lake_publish.table_copied",  # the published lake's transaction: some tables copied
        "publish.staged",  # the staging BI file complete, not yet renamed into place
        "publish.swapped",  # renamed into place, the directory not yet fsynced
    }
)

_lock = threading.Lock()
_hits: dict[str, int] = {}


def _armed() -> tuple[str, int] | None:
    value = settings().failpoint
    if not value:
        return None
    name, _, nth = value.partition("@")
    if name not in POINTS:
        raise ValueError(f"${ENV}={value!r}: unknown failpoint {name!r}; known: {sorted(POINTS)}")
    return name, int(nth or 1)


def armed(name: str) -> bool:
    """Whether $FEEDWAREHOUSE_FAILPOINT names this point: for a caller that hits it per row."""
    point = _armed()
    return point is not None and point[0] == name


def hit(name: str) -> None:
    """Die here (SIGKILL) if $FEEDWAREHOUSE_FAILPOINT names this point and its count is reached."""
    armed = _armed()
    if armed is None or armed[0] != name:
        return
    with _lock:
        _hits[name] = _hits.get(name, 0) + 1
        if _hits[name] >= armed[1]:
            os.kill(os.getpid(), signal.SIGKILL)
