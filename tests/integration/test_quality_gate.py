"""Write-audit-publish: a failed critical expectation publishes nothing and keeps the last file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers.gates import strict_suites

from feedwarehouse.config import data_paths, load_feeds
from feedwarehouse.orchestration.daily import run_all
from feedwarehouse.quality.validate import ValidationFailed
from feedwarehouse_dev.sample import generate_sample


def test_failed_gate_keeps_the_last_published_file(tmp_path: Path):
    sample = generate_sample(tmp_path / "sample", feeds=1, items=5, seed=3)
    feeds = load_feeds(sample.feeds_file)
    paths = data_paths(tmp_path / "data")
    assert run_all(feeds, date(2026, 11, 22), paths).ok
    published_bytes = paths.published.read_bytes()

    with pytest.raises(ValidationFailed) as failure:
        run_all(feeds, date(2026, 11, 23), paths, suites_dir=strict_suites(tmp_path / "gx", 5))

    message = str(failure.value)
    assert (
        "suite marts_posts: expect_column_values_to_be_between on marts.posts.word_count" in message
    )
    assert "5 failing rows" in message
    assert paths.published.read_bytes() == published_bytes
    conn = duckdb.connect(str(paths.published), read_only=True)
    try:
        assert conn.execute("select count(*) from marts.posts").fetchone()[0] == 5
    finally:
        conn.close()
    conn = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        verdict = conn.execute(
            "select suite, column_name, unexpected_count from quality.validation_runs "
            "where logical_date = '2026-11-23' and not success"
        ).fetchall()
    finally:
        conn.close()
    assert verdict == [("marts_posts", "word_count", 5)]
