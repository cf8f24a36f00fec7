"""Fixtures of the fault suite: two days of two feeds, and their undisturbed warehouse.

- `feed_days`: the local feed server (tests/helpers/faultruns.py) with days 1 and 2; day 2
  adds a post to each feed and edits the others.
- `after_day1`: a data directory after an undisturbed run of day 1 (in this process).
- `undisturbed`: a copy of it after an undisturbed run of day 2: the rows every disturbed run
  of day 2 must end with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from helpers.faultkit import MART_TABLES, table_rows
from helpers.faultruns import DAY1, DAY2, ITEMS, SHAPE, FeedDays, Undisturbed, copy_data, run_day
from pytest_httpserver import HTTPServer

from feedwarehouse.config import data_paths
from feedwarehouse_dev.sample import generate_sample


@pytest.fixture(scope="session")
def feed_days(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedDays]:
    root = tmp_path_factory.mktemp("feed-days")
    snapshots = {
        day: {
            feed.feed_id: feed.path.read_bytes()
            for feed in generate_sample(
                root / day.isoformat(), **SHAPE, items=ITEMS[day], end_date=day
            ).feeds
        }
        for day in (DAY1, DAY2)
    }
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    feeds_file = root / "feeds.yml"
    feeds_file.write_text(
        yaml.safe_dump(
            {
                "feeds": [
                    {
                        "id": feed_id,
                        "url": f"{base}/live/{feed_id}.xml",
                        "archive_url": f"{base}/archive/{{Y}}-{{m}}-{{d}}/{feed_id}.xml",
                    }
                    for feed_id in snapshots[DAY1]
                ]
            }
        )
    )
    days = FeedDays(server, snapshots, feeds_file)
    server.expect_request(re.compile(r"/.*")).respond_with_handler(days.respond)
    yield days
    server.stop()


@pytest.fixture(scope="session")
def after_day1(feed_days: FeedDays, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("after-day1") / "data"
    run_day(feed_days, data_dir, DAY1)
    return data_dir


@pytest.fixture(scope="session")
def undisturbed(
    feed_days: FeedDays, after_day1: Path, tmp_path_factory: pytest.TempPathFactory
) -> Undisturbed:
    paths = data_paths(copy_data(after_day1, tmp_path_factory.mktemp("undisturbed") / "data"))
    bi_day1 = table_rows(paths.published, MART_TABLES)
    run_day(feed_days, paths.data_dir, DAY2)
    return Undisturbed(
        paths, table_rows(paths.warehouse), bi_day1, table_rows(paths.published, MART_TABLES)
    )
