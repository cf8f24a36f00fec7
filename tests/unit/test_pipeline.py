"""Pipeline helpers that need no feeds: the publish-deadline check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from feedwarehouse.config import Feed, data_paths
from feedwarehouse.errors import FeedFailed, NothingDelivered, NotPublished
from feedwarehouse.extract.batches import extract_feed
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.load.raw import LoadSummary
from feedwarehouse.orchestration.steps import check_published, require_a_delivery
from feedwarehouse.publish.bi_file import publish
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


def test_a_run_where_no_feed_delivered_names_every_feed_and_why():
    summary = LoadSummary(failed={"b-blog": "HTTP 404 Not Found from x", "a-blog": "no data"})
    with pytest.raises(NothingDelivered) as nothing:
        require_a_delivery(summary, date(2026, 11, 16))
    assert str(nothing.value) == (
        "no feed delivered anything for 2026-11-16, so nothing new can be published "
        "(2 failed: a-blog: no data; b-blog: HTTP 404 Not Found from x)"
    )
    # one feed that delivered (even an empty feed) is enough: the others are red on their own
    require_a_delivery(LoadSummary(loaded={"a-blog": 0}, failed=summary.failed), date(2026, 11, 16))


def test_extract_feed_says_whether_a_retry_can_help(tmp_path: Path, httpserver: HTTPServer):
    httpserver.expect_request("/busy").respond_with_data("later", status=503)
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    paths, day = data_paths(tmp_path / "data"), date(2026, 11, 16)
    policy = FetchPolicy(attempts=1, allow_private=True)
    outcomes = {}
    for name in ("busy", "gone"):
        with pytest.raises(FeedFailed) as failed:
            extract_feed(Feed(name, httpserver.url_for(f"/{name}")), day, paths, policy)
        outcomes[name] = (str(failed.value), failed.value.is_transient)
    busy, gone = httpserver.url_for("/busy"), httpserver.url_for("/gone")
    assert outcomes == {
        "busy": (
            f"feed busy ({busy}) for 2026-11-16: HTTP 503 from {busy} (gave up after 1 attempts)",
            True,
        ),
        "gone": (
            f"feed gone ({gone}) for 2026-11-16: HTTP 404 Not Found from {gone}: not "
            "retried (client error); check the feed URL",
            False,
        ),
    }
