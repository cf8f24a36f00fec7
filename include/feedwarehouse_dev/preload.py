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
import sys

log = logging.getLogger(__name__)

LOCAL_SETTINGS = '''\
"""Written by feedwarehouse_dev.local_airflow: the scheduler pre-imports the tasks' modules."""
import sys

from feedwarehouse_dev.preload import preload

__all__: list[str] = []  # nothing here overrides Airflow's own settings
preload(sys.argv)
'''


def preload(argv: list[str]) -> bool:
    """In `airflow scheduler` only: import GX (quietly), dbt's runner and the package's steps."""
    if argv[1:2] != ["scheduler"]:
        return False
    from dbt.cli.main import dbtRunner  # noqa: F401

    from feedwarehouse.orchestration import daily, steps  # noqa: F401
    from feedwarehouse.quality.gx_checkpoint import quiet_gx

    quiet_gx()
    log.info("preloaded for task processes: %d modules", len(sys.modules))
    return True
