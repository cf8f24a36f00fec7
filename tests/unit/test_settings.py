"""One typed settings object: every FEEDWAREHOUSE_* variable, read when asked."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from feedwarehouse import config, warehouse
from feedwarehouse.errors import ConfigError
from feedwarehouse.extract.fetch_policy import default_policy
from feedwarehouse.settings import Settings, env_name, settings

PACKAGE = Path(config.__file__).resolve().parent


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in Settings.model_fields:
        monkeypatch.delenv(env_name(field), raising=False)


def test_defaults() -> None:
    assert settings().model_dump() == {
        "data_dir": Path("data"),
        "feeds": None,
        "schedule": "@daily",
        "publish_deadline_hour": 6,
        "task_retries": None,
        "alert_webhook": None,
        "allow_private_hosts": False,
        "file_roots": (),
        "writer_open_wait": 60.0,
        "memory_limit": "400MB",
        "warehouse": "file",
        "lake_catalog": None,
        "lake_data": None,
        "lake_retention_days": 30,
        "failpoint": None,
    }


def test_values_are_typed_and_read_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FEEDWAREHOUSE_FILE_ROOTS", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    monkeypatch.setenv("FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS", "yes")
    monkeypatch.setenv("FEEDWAREHOUSE_WRITER_OPEN_WAIT", "1.5")
    monkeypatch.setenv("FEEDWAREHOUSE_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("FEEDWAREHOUSE_DATA_DIR", str(tmp_path / "data"))
    assert default_policy().file_roots == (tmp_path / "a", tmp_path / "b")
    assert default_policy().allow_private is True
    assert settings().writer_open_wait == 1.5
    assert warehouse.duckdb_config()["memory_limit"] == "1GB"
    assert config.data_paths().data_dir == tmp_path / "data"


def test_the_settings_are_built_again_only_when_what_they_read_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = settings()
    assert settings() is first
    monkeypatch.setenv("FEEDWAREHOUSE_MEMORY_LIMIT", "1GB")
    assert settings() is not first
    assert settings().memory_limit == "1GB"
    # pydantic-settings matches the names in any case, so a change in any case counts
    monkeypatch.setenv("feedwarehouse_writer_open_wait", "2.5")
    assert settings().writer_open_wait == 2.5
    monkeypatch.delenv("feedwarehouse_writer_open_wait")
    monkeypatch.delenv("FEEDWAREHOUSE_MEMORY_LIMIT")
    assert (settings().memory_limit, settings().writer_open_wait) == ("400MB", 60.0)


def test_file_roots_resolve_against_the_working_directory_and_home_of_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path.resolve()
    for folder in ("a", "b", "home1", "home2"):
        (root / folder).mkdir()
    monkeypatch.setenv("FEEDWAREHOUSE_FILE_ROOTS", f"feeds{os.pathsep}~/more")
    monkeypatch.setenv("HOME", str(root / "home1"))
    monkeypatch.chdir(root / "a")
    assert settings().file_roots == (root / "a" / "feeds", root / "home1" / "more")
    monkeypatch.chdir(root / "b")
    assert settings().file_roots == (root / "b" / "feeds", root / "home1" / "more")
    monkeypatch.setenv("HOME", str(root / "home2"))
    assert settings().file_roots == (root / "b" / "feeds", root / "home2" / "more")


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDWAREHOUSE_DATA_DIR", "")
    monkeypatch.setenv("FEEDWAREHOUSE_TASK_RETRIES", "")
    assert (settings().data_dir, settings().task_retries) == (Path("data"), None)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FEEDWAREHOUSE_PUBLISH_DEADLINE_HOUR", "24", "less than or equal to 23"),
        ("FEEDWAREHOUSE_TASK_RETRIES", "two", "a valid integer"),
        ("FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS", "maybe", "a valid boolean"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(
        ConfigError, match=rf"^bad setting: \${name}: .*{message}.* \(got '{value}'\)$"
    ):
        settings()


def test_no_module_reads_a_setting_from_the_environment_itself() -> None:
    touching = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"os\.environ|getenv", path.read_text(encoding="utf-8"))
    }
    # settings.py reads through pydantic-settings (and looks whether the variables changed since
    # it last did); what the others touch is not ours to type: dbt's profile variable, GX's
    # analytics switch, Airflow's AIRFLOW_CONN_<ID> (read the way Airflow's own environment
    # backend does)
    assert touching == {
        "settings.py",
        "transform/dbt_build.py",
        "quality/gx_checkpoint.py",
        "extract/credentials.py",
    }
