"""`make airflow`'s scheduler pre-imports the tasks' modules; no other airflow process does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from feedwarehouse_dev.preload import LOCAL_SETTINGS, preload


@pytest.mark.parametrize("command", ["api-server", "dag-processor", "triggerer", "db", "tasks"])
def test_only_the_scheduler_preloads(command: str):
    assert preload(["/venv/bin/airflow", command]) is False


@pytest.mark.slow
def test_the_local_settings_preload_gx_dbt_parsers_and_duckdb_in_the_scheduler(tmp_path):
    (tmp_path / "airflow_local_settings.py").write_text(LOCAL_SETTINGS, encoding="utf-8")
    probe = (
        f"import sys; sys.argv = ['airflow', 'scheduler']; sys.path.insert(0, {str(tmp_path)!r}); "
        "import airflow_local_settings as s; "
        "print(s.__all__, all(m in sys.modules for m in "
        "('great_expectations', 'dbt.cli.main', 'pandas', 'duckdb', 'feedparser', "
        "'dateparser', 'lxml.etree', 'selectolax.lexbor')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[] True"
