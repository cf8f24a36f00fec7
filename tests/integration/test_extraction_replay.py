"""`feedwarehouse replay --date`: the raw tables of a date rebuilt from the landing zone alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from feedwarehouse.cli import main
from feedwarehouse.config import data_paths, load_feeds
from feedwarehouse.extract.feeds import extract_all
from feedwarehouse.load.raw import load_raw
from feedwarehouse.warehouse import connect
from feedwarehouse_dev.sample import generate_sample

DAY = date(2026, 11, 23)
TABLES = ("select * from raw.fetches order by all", "select * from raw.entries order by all")


def _rows(database: Path) -> list[list[tuple]]:
    conn = duckdb.connect(str(database), read_only=True)
    try:
        return [conn.execute(query).fetchall() for query in TABLES]
    finally:
        conn.close()


def test_replay_rebuilds_the_raw_rows_without_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = generate_sample(tmp_path / "sample", feeds=2, items=3)
    paths = data_paths(tmp_path / "data")
    manifests = extract_all(load_feeds(sample.feeds_file), DAY, paths)
    conn = connect(paths.warehouse)
    load_raw(conn, paths, manifests)
    conn.close()
    loaded = _rows(paths.warehouse)

    paths.warehouse.unlink()
    for spec in sample.feeds:
        spec.path.unlink()  # the sources are gone: only the landing zone is left
    assert main(["replay", "--date", "2026-11-23", "--data-dir", str(paths.data_dir)]) == 0

    assert _rows(paths.warehouse) == loaded
    assert len(loaded[1]) == 6
    assert capsys.readouterr().out.splitlines() == [
        "replayed sample-blog-2 for 2026-11-23: 3 entries",
        "replayed webrtc-blog for 2026-11-23: 3 entries",
    ]


def test_replay_of_a_date_with_nothing_landed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    assert main(["replay", "--date", "2026-11-23", "--data-dir", str(data_dir)]) == 1
    landing = data_paths(data_dir).landing_dir
    assert capsys.readouterr().err == f"error: nothing landed for 2026-11-23 in {landing}\n"
