"""Pipeline helpers that need no feeds: the publish-deadline check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from feedwarehouse.config import data_paths
from feedwarehouse.pipeline import NotPublished, check_published
from feedwarehouse.publish import publish
from feedwarehouse.warehouse import connect


def publish_days(data_dir: Path, days: list[str]) -> None:
    paths = data_paths(data_dir)
    conn = connect(paths.warehouse)
    try:
        conn.execute("create schema quality")
        conn.execute("create table quality.validation_runs (logical_date date)")
        conn.executemany("insert into quality.validation_runs values (?)", [[d] for d in days])
        publish(conn, paths)
    finally:
        conn.close()


def test_check_published_returns_the_newest_day(tmp_path: Path):
    publish_days(tmp_path, ["2026-11-22", "2026-11-23"])
    assert check_published(data_paths(tmp_path), date(2026, 11, 23)) == date(2026, 11, 23)


def test_check_published_raises_when_the_day_is_missing(tmp_path: Path):
    publish_days(tmp_path, ["2026-11-22"])
    paths = data_paths(tmp_path)
    with pytest.raises(NotPublished) as late:
        check_published(paths, date(2026, 11, 23))
    assert str(late.value) == (
        f"the BI file {paths.published} holds data through 2026-11-22, expected 2026-11-23: "
        "check the feed_warehouse_daily runs since then"
    )


def test_check_published_raises_when_nothing_was_published(tmp_path: Path):
    with pytest.raises(NotPublished, match="holds data through nothing, expected 2026-11-23"):
        check_published(data_paths(tmp_path), date(2026, 11, 23))
