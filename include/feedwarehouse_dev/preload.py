"""Import what every task process imports, once, in the scheduler of `make airflow`'s stack.

Its LocalExecutor forks its worker processes from the scheduler and each task process from a
worker (no new interpreter on Linux), so a module imported here before the workers start is
already in every task process: validate_raw spent about 5 s of its 7 importing Great
Expectations and pandas, transform a few more importing dbt. `local_airflow` writes the
`airflow_local_settings.py` that calls `preload` into `<AIRFLOW_HOME>/config` (Airflow imports it
in every airflow process at start; only the scheduler imports anything).
"""

from __future__ import annotations

import logging
import os

LOCAL_SETTINGS = '''\
"""Written by feedwarehouse_dev.local_airflow: the scheduler pre-imports the tasks' modules."""
import sys

from feedwarehouse_dev.preload import preload

__all__: list[str] = []  # nothing here overrides Airflow's own settings
preload(sys.argv)
'''


def preload(argv: list[str]) -> bool:
    """In `airflow scheduler` only: import GX (quietly, as gx_checkpoint.quiet_gx does), pandas
    and dbt's runner, and the parsers and DuckDB that every task importing
    orchestration.daily loads (0.3 s a task on two busy cores): the heavy third-party imports.
    Not the package's own (quick, and a task must run the code as it is now, not as the
    scheduler found it when it started)."""
    if argv[1:2] != ["scheduler"]:
        return False
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import dateparser  # noqa: F401
    import duckdb  # noqa: F401
    import feedparser  # noqa: F401
    import great_expectations  # noqa: F401
    import pandas  # noqa: F401
    from dbt.cli.main import dbtRunner  # noqa: F401
    from lxml import etree  # noqa: F401
    from selectolax.lexbor import LexborHTMLParser  # noqa: F401

    return True
