"""What every section shares: timing, child processes, machine facts, the figure record."""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


@dataclass
class Figure:
    """One row of the results table: ours against a reference measured in the same run."""

    section: str
    figure: str
    unit: str
    ours: float | None
    peer: float | None = None
    limit: float | None = None
    ratio: float | None = None
    ratio_meaning: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    runs: int = 0


@dataclass
class Section:
    """A section's figures plus the raw measurements behind them."""

    name: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def timed(func: Callable[[], T]) -> tuple[float, T]:
    """Wall time of one call in seconds, and its result."""
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def median_of(runs: int, func: Callable[[int], T]) -> tuple[float, list[float], T]:
    """Call `func(run_index)` `runs` times; median wall time, every time, the last result."""
    seconds: list[float] = []
    value: Any = None
    for index in range(runs):
        elapsed, value = timed(lambda index=index: func(index))
        seconds.append(elapsed)
    return statistics.median(seconds), seconds, value


def in_own_process(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`func(*args, **kwargs)` in a fresh (spawned) Python process; its exception re-raised here.

    Each section runs so: one section's heap, page cache of imports and peak RSS never carry
    into the next, and a child's ru_maxrss never inherits a big parent's peak.
    """
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(func, *args, **kwargs).result()


def quiet_env(**extra: str) -> dict[str, str]:
    """The child environment: offline, no telemetry, no colour, our venv first on PATH."""
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "RUNTIME__LOG_LEVEL": "ERROR",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "False",
            "SCARF_ANALYTICS": "false",
            "NO_COLOR": "1",
        }
    )
    env.update(extra)
    return env


def run_child(
    args: list[str], *, env: dict[str, str], log: Path, timeout: float, check: bool = True
) -> float:
    """Run a command to completion with its output in `log`; wall seconds, raise on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("wb") as out:
        # its own session, so a timeout ends the task processes it started too
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise RuntimeError(f"{' '.join(args[:4])}… timed out after {timeout:.0f} s") from None
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 and check:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(args[:4])}… exited {proc.returncode}; log {log}:\n{tail}")
    return elapsed


def run_json_child(args: list[str], *, env: dict[str, str], log: Path, timeout: float) -> Any:
    """Run a bench worker that prints one JSON line last; return it parsed."""
    run_child(args, env=env, log=log, timeout=timeout)
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{args} printed no JSON result; see {log}")
    return json.loads(lines[-1])


def machine_info() -> dict[str, Any]:
    """CPU, memory and versions: the context every figure is read in."""
    import duckdb
    import feedparser
    import psutil

    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "feedparser": feedparser.__version__,
        "dlt": _version("dlt"),
        "lxml": _version("lxml"),
        "airflow": _version("apache-airflow"),
        "dbt_duckdb": _version("dbt-duckdb"),
    }


def machine_label(info: dict[str, Any]) -> str:
    """The short machine name of the table's machine column."""
    return f"{info['cpus']} CPU, {info['ram_gib']:g} GiB"


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None
