"""Every FEEDWAREHOUSE_* setting, typed, in one object read from the environment when asked.

Nothing reads these at import: `settings()` reads the environment each time it is called, so a
test or a task that sets a variable sees it. An empty variable counts as unset. A value of the
wrong type is a ConfigError naming the variable.

Building the object costs ~0.6 ms and some callers ask per feed (a failpoint per landed payload),
so the last one is kept and handed out again while what it was built from is unchanged: every
FEEDWAREHOUSE_* variable, $HOME and the working directory (file roots expand and resolve
against those two). Any change to them builds a fresh one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from feedwarehouse.errors import ConfigError

PREFIX = "FEEDWAREHOUSE_"


class Settings(BaseSettings):
    """The deployment's settings; README's Settings table describes each."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, frozen=True)

    # where the landing zone, the warehouse and the BI file live
    data_dir: Path = Path("data")
    # the feeds file; None: the repo's feeds.yml (config.DEFAULT_FEEDS_FILE)
    feeds: Path | None = None
    # the daily DAG's schedule, read when the DAG file is parsed
    schedule: str = "@daily"
    # UTC hour by which yesterday must be published, else the watchdog alerts
    publish_deadline_hour: int = Field(default=6, ge=0, le=23)
    # retries per task; None: each DAG's own default
    task_retries: int | None = Field(default=None, ge=0)
    alert_webhook: str | None = None
    allow_private_hosts: bool = False
    # where file:// feed URLs may be read, os.pathsep-separated, besides the feeds file's folder
    file_roots: Annotated[tuple[Path, ...], NoDecode] = ()
    # seconds a step waits for another process to let go of warehouse.duckdb
    writer_open_wait: float = Field(default=60.0, ge=0)
    # DuckDB's memory_limit for every connection a run opens, dbt's included
    memory_limit: str = "400MB"
    # the warehouse: the embedded DuckDB file, or DuckLake (catalog in PostgreSQL, Parquet data)
    warehouse: Literal["file", "ducklake"] = "file"
    # ducklake: the catalog's libpq connection string ("host=… port=… dbname=… user=…")
    lake_catalog: str | None = None
    # ducklake: the data root every worker reaches (a folder, or s3://bucket/prefix)
    lake_data: str | None = None
    # ducklake: days of snapshots (time travel) the maintenance DAG keeps
    lake_retention_days: int = Field(default=30, ge=0)
    # tests only: the crash point to die at (failpoints.py)
    failpoint: str | None = None

    @field_validator("file_roots", mode="before")
    @classmethod
    def _split_roots(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(
                Path(root).expanduser().resolve() for root in value.split(os.pathsep) if root
            )
        return value


# (what the settings were built from, the settings); replaced whole, so threads read it safely
_last: list[tuple[tuple[object, ...], Settings]] = []


def settings() -> Settings:
    """The settings as the environment holds them now."""
    source = _source()
    last = _last[-1] if _last else None
    if source is not None and last is not None and last[0] == source:
        return last[1]
    built = _build()
    if source is not None and _source() == source:  # unchanged while it was read
        _last[:] = [(source, built)]
    return built


def _source() -> tuple[object, ...] | None:
    """What Settings() reads: the working directory, $HOME and the prefixed variables.

    Variables match in any case, as pydantic-settings matches them. None when the working
    directory is gone (nothing is reused then).
    """
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    env = os.environ
    prefixed = [(name, env[name]) for name in env if name[: len(PREFIX)].upper() == PREFIX]
    return cwd, env.get("HOME"), *prefixed


def _build() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"${PREFIX}{'.'.join(map(str, error['loc'])).upper()}: {error['msg']} "
            f"(got {error.get('input')!r})"
            for error in exc.errors()
        )
        raise ConfigError(f"bad setting: {problems}") from None


def env_name(field: str) -> str:
    """A Settings field's environment variable: data_dir is FEEDWAREHOUSE_DATA_DIR."""
    if field not in Settings.model_fields:
        raise KeyError(field)
    return PREFIX + field.upper()
