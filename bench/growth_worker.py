"""One measured run in its own process, so its peak RSS is its own: prints one JSON line.

python -m bench.growth_worker daily --data-dir D --feeds F --date YYYY-MM-DD
    daily.run_all, each step timed (the functions `feedwarehouse run` calls)
python -m bench.growth_worker full ...   the same with `dbt build --full-refresh`
python -m bench.growth_worker dbt --data-dir D --date YYYY-MM-DD   one `dbt build` of a history,
    validated and published as of that date: the state a daily run starts from
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import resource
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from feedwarehouse.config import Paths, load_feeds
from feedwarehouse.extract import batches
from feedwarehouse.orchestration import daily
from feedwarehouse.orchestration import steps as pipeline
from feedwarehouse.transform import dbt_build as transform
from feedwarehouse.warehouse import writer_lock

STEPS = (
    (batches, "extract_all"),
    (pipeline, "load_raw"),
    (pipeline, "validate_raw"),
    (pipeline, "transform_marts"),
    (pipeline, "validate_marts"),
    (pipeline, "publish_marts"),
    (daily, "mart_row_counts"),
)


def time_steps(seconds: dict[str, float]) -> None:
    """Wrap each step function run_all calls (looked up on its module) to record its time."""

    def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    for module, name in STEPS:
        if hasattr(module, name):
            setattr(module, name, timed(name, getattr(module, name)))


def peak_rss_mb() -> float:
    """This process's own peak RSS (dbt, GX and DuckDB all run in it): VmHWM, its memory's
    high-water mark. Not ru_maxrss: Linux carries the parent's peak into a child across fork
    and exec, so a child of a parent that once held 1.5 GB reported 1.5 GB whatever it used."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def force_full_refresh() -> None:
    """Make the run's `dbt build` a `dbt build --full-refresh`."""
    run_dbt = transform.run_dbt

    def full(command: str, paths: Paths, *extra: str) -> None:
        run_dbt(command, paths, *extra, *(("--full-refresh",) if command == "build" else ()))

    transform.run_dbt = full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("daily", "full", "dbt"))
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--feeds", type=Path)
    parser.add_argument("--date", type=date.fromisoformat)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    paths = Paths(args.data_dir.resolve())
    steps: dict[str, float] = {}
    result: dict[str, Any] = {"mode": args.mode}
    start = time.perf_counter()
    if args.mode == "dbt":
        with writer_lock(paths):
            transform.run_dbt("build", paths)
            if args.date is not None:
                pipeline.validate_marts(args.date, paths)
                pipeline.publish_marts(paths)
    else:
        time_steps(steps)
        if args.mode == "full":
            force_full_refresh()
        summary = daily.run_all(load_feeds(args.feeds), args.date, paths)
        result.update(
            ok=summary.ok,
            failed=summary.failed,
            loaded=sum(summary.loaded.values()),
            mart_rows=summary.mart_rows,
        )
    result["seconds"] = time.perf_counter() - start
    result["steps"] = {name: round(value, 3) for name, value in steps.items()}
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
