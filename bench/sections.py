"""The sections by number, each module imported only when its section runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Section


def _section(number: int) -> Callable[..., Section]:
    """Each section's module is imported only when it runs (dlt and lxml are bench-only)."""
    if number == 1:
        from bench import parse_load as module
    elif number == 2:
        from bench import fetch_http as module
    elif number == 3:
        from bench import growth as module
    elif number == 4:
        from bench import orchestration as module
    elif number == 5:
        from bench import airflow_scale as module
    else:
        from bench import backfill as module
    return module.measure


def measure(number: int, work: Path, options: dict[str, Any]) -> dict[str, Any]:
    """One section's record as a dict; `python -m bench` runs it in its own process."""
    section: Section = _section(number)(work, **options)
    return dataclasses.asdict(section)
