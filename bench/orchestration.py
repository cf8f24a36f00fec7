"""Section 4: the same daily run through `airflow dags test` and through `feedwarehouse run`.

Both start from an empty data directory each time and are timed as whole processes (start-up
included: both pay it). `airflow db migrate` runs once beforehand, untimed. The logical date is
yesterday, so a DAG that tells live runs from backfills treats both as the live run.
"""

from __future__ import annotations

import shutil
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import REPO_ROOT, VENV_BIN, Figure, Section, quiet_env, run_child
from feedwarehouse.config import Paths
from feedwarehouse_dev.sample import generate_sample

DAG_ID = "feed_warehouse_daily"
TIMEOUT_S = 1800


def measure(work: Path, *, feeds: int, items: int, runs: int) -> Section:
    section = Section("4. Orchestration overhead")
    day = datetime.now(UTC).date() - timedelta(days=1)
    sample = generate_sample(work / "sample", feeds=feeds, items=items, end_date=day)
    airflow_home = work / "airflow"
    shutil.rmtree(airflow_home, ignore_errors=True)
    airflow_home.mkdir(parents=True)
    airflow_env = {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "FEEDWAREHOUSE_FEEDS": str(sample.feeds_file),
    }
    migrate_s = run_child(
        [str(VENV_BIN / "airflow"), "db", "migrate"],
        env=quiet_env(**airflow_env),
        log=work / "logs" / "migrate.log",
        timeout=TIMEOUT_S,
    )
    cli_s: list[float] = []
    airflow_s: list[float] = []
    for r in range(runs):
        for name, seconds, args in (
            ("cli", cli_s, [str(VENV_BIN / "feedwarehouse"), "run",
                            "--feeds", str(sample.feeds_file), "--date", day.isoformat()]),
            ("airflow", airflow_s, [str(VENV_BIN / "airflow"), "dags", "test", DAG_ID,
                                    day.isoformat()]),
        ):  # fmt: skip  # argv: flags by values
            paths = Paths(work / f"{name}-{r}")
            shutil.rmtree(paths.data_dir, ignore_errors=True)
            env = quiet_env(**airflow_env, FEEDWAREHOUSE_DATA_DIR=str(paths.data_dir))
            log = work / "logs" / f"{name}-{r}.log"
            # airflow's exit code is judged below: its run can succeed and the command crash
            # a failing task retries after minutes in `dags test`: give up well before that
            timeout = TIMEOUT_S if name == "cli" else max(300.0, 10 * max(cli_s))
            seconds.append(run_child(args, env=env, log=log, timeout=timeout, check=name == "cli"))
            if not paths.published.exists():
                raise RuntimeError(f"{name} run {r} published nothing; see {log}")
            if name == "airflow":
                _check_airflow_log(log, section)
            shutil.rmtree(paths.data_dir, ignore_errors=True)
    section.notes = sorted(set(section.notes))
    cli, airflow = statistics.median(cli_s), statistics.median(airflow_s)
    share = (airflow - cli) / airflow
    section.details = {
        "feeds": feeds,
        "items_per_feed": items,
        "logical_date": day.isoformat(),
        "airflow_db_migrate_s": round(migrate_s, 1),
        "cli_s": cli_s,
        "airflow_s": airflow_s,
        "airflow_share": round(share, 3),
    }
    section.figures.append(
        Figure(section.name, f"daily run of {feeds} feeds: airflow dags test vs feedwarehouse run",
               "s", airflow, None, cli, airflow / cli, "airflow ÷ cli", "", None,
               f"Airflow's share of the wall time: {share:.0%} "
               f"(+{airflow - cli:.1f} s); db migrate {migrate_s:.0f} s untimed", runs)
    )  # fmt: skip  # Figure's fields grouped
    return section


def _check_airflow_log(log: Path, section: Section) -> None:
    """The run must have published; a crash after the run was marked successful is noted."""
    text = log.read_text(encoding="utf-8", errors="replace")
    if "end task task_id=publish" not in text:
        raise RuntimeError(f"airflow dags test did not run the publish task; see {log}")
    errors = [line for line in text.splitlines() if line.startswith(("sqlalchemy.exc.", "Error"))]
    if "Traceback" in text:
        where = "after the run was marked successful" if "successful" in text else ""
        section.notes.append(
            f"`airflow dags test` exited with a traceback {where}: "
            f"{errors[-1] if errors else 'see its log'} (timed up to its exit)"
        )
