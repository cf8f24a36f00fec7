"""Tests for feedwarehouse.extract.batches: batches of feeds, and a verdict per failed feed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers.landing_feed import DAY, RSS
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.config import Feed, Paths
from feedwarehouse.errors import FeedFailed
from feedwarehouse.extract.batches import (
    FeedBatch,
    extract_batch,
    failed_feeds,
    feed_batches,
    settle_feed,
)
from feedwarehouse.extract.credentials import MissingCredentials
from feedwarehouse.extract.land import read_manifest


def test_a_hosts_feeds_stay_in_one_batch_labelled_by_first_and_last_feed() -> None:
    def on(host: str, feed_id: str) -> Feed:
        return Feed(feed_id, f"https://{host}/{feed_id}/feed/")

    def file_feed(feed_id: str) -> Feed:
        return Feed(feed_id, f"file:///feeds/{feed_id}.xml")

    feeds = [
        on("a.example", "a1"),
        file_feed("f1"),
        on("a.example", "a2"),
        on("b.example", "b1"),
        file_feed("f2"),
        on("b.example", "b2"),
        file_feed("f3"),
    ]
    batches = feed_batches(feeds, min_size=3)
    assert [(b.label, [f.id for f in b.feeds]) for b in batches] == [
        ("a1 … f1 (3 feeds)", ["a1", "a2", "f1"]),
        ("b1 … f2 (3 feeds)", ["b1", "b2", "f2"]),
        ("f3 (1 feed)", ["f3"]),
    ]
    # a host with more feeds than a batch holds is not split: its batch is bigger
    crowded = [on("big.example", f"x{i}") for i in range(5)] + [file_feed("f1")]
    assert [len(b.feeds) for b in feed_batches(crowded, min_size=3)] == [5, 1]


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(10, [10]), (60, [25, 25, 10]), (200, [25] * 8), (1000, [125] * 8)],
)
def test_batches_are_few_and_grow_with_the_feed_count(count: int, sizes: list[int]) -> None:
    feeds = [Feed(f"blog-{i}", f"file:///feeds/blog-{i}.xml") for i in range(count)]
    batches = feed_batches(feeds)
    assert [len(batch.feeds) for batch in batches] == sizes
    assert [f for b in batches for f in b.feeds] == feeds  # every feed once, in file order
    assert FeedBatch.from_dict(batches[0].as_dict()) == batches[0]  # through XCom and back


def test_a_failed_feed_is_recorded_not_raised_and_is_the_only_one_left(
    tmp_path: Path, paths: Paths
) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(RSS)
    missing = tmp_path / "gone.xml"
    feeds = [
        Feed("good", good.as_uri(), file_root=str(tmp_path)),
        Feed("broken", missing.as_uri(), file_root=str(tmp_path)),
    ]
    outcome = extract_batch(feeds, DAY, paths)

    reason = (
        f"feed broken ({missing.as_uri()}) for {DAY}: cannot read {missing.as_uri()}: "
        "No such file or directory"
    )
    assert outcome.as_dict() == {"landed": 1, "failed": {"broken": reason}}
    never_run = Feed("never-run", good.as_uri(), file_root=str(tmp_path))  # its batch died
    assert failed_feeds([*feeds, never_run], DAY, paths) == [feeds[1], never_run]


def test_a_failed_feed_is_fetched_again_only_when_asked(paths: Paths, httpserver: HTTPServer):
    requests: list[str] = []
    served = {"status": 404}

    def handler(request: Request) -> Response:
        requests.append(request.headers.get("Authorization", ""))
        if served["status"] != 200:
            return Response("not here", status=served["status"])
        return Response(RSS, content_type="application/rss+xml")

    httpserver.expect_request("/feed/").respond_with_handler(handler)
    url = httpserver.url_for("/feed/")
    lookups: list[str] = []

    def credentials(conn_id: str) -> dict[str, str]:
        lookups.append(conn_id)
        if conn_id != "blog_login":
            raise MissingCredentials(f"Connection {conn_id!r} is not defined")
        return {"Authorization": "Bearer t0ken"}

    feeds = [
        Feed("blog", url, allow_private_host=True, conn_id="blog_login"),
        Feed("blog-too", url, allow_private_host=True, conn_id="blog_login"),
        Feed("no-login", url, allow_private_host=True, conn_id="nobody"),
    ]
    outcome = extract_batch(feeds, DAY, paths, credentials=credentials)
    assert sorted(lookups) == ["blog_login", "nobody"]  # each Connection looked up once
    assert requests == ["Bearer t0ken", "Bearer t0ken"]
    assert sorted(outcome.failed) == ["blog", "blog-too", "no-login"]
    assert outcome.failed["no-login"] == (
        f"feed no-login ({url}) for {DAY}: feed no-login: Connection 'nobody' is not defined"
    )

    # its first verdict is the batch's: the 404 is not asked for a second time
    with pytest.raises(FeedFailed) as first:
        settle_feed(feeds[0], DAY, paths, fetch_again=False, credentials=credentials)
    assert str(first.value) == outcome.failed["blog"]
    assert len(requests) == 2

    served["status"] = 200  # fixed; a clear of its box fetches it again, that feed alone
    manifest_file = settle_feed(feeds[0], DAY, paths, fetch_again=True, credentials=credentials)
    assert len(requests) == 3
    assert read_manifest(manifest_file).ok
    assert [f.id for f in failed_feeds(feeds, DAY, paths)] == ["blog-too", "no-login"]


def test_the_extract_log_says_reused_on_a_rerun_and_warns_of_a_broken_payload(
    tmp_path: Path, paths: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    cut = RSS[: RSS.rindex(b"</item>")]  # the last item never closed
    broken = tmp_path / "cut.xml"
    broken.write_bytes(cut)
    feed = Feed("cut", broken.as_uri(), file_root=str(tmp_path))
    caplog.set_level("INFO", logger="feedwarehouse")

    extract_batch([feed], DAY, paths)
    first = [(r.levelname, r.getMessage()) for r in caplog.records if "cut" in r.getMessage()]
    manifest = read_manifest(paths.landing_dir / "manifests" / DAY.isoformat() / "cut.json")
    size = f"{manifest.payload_bytes} bytes, sha256 {manifest.payload_sha256}"
    lines = cut.decode().splitlines()
    warning = (
        f"feed cut ({broken.as_uri()}): not well-formed at line {len(lines)}, column "
        f"{len(lines[-1])} (no element found): {RSS.count(b'</item>') - 1} entries end before "
        "the break; the raw load quarantines what is past it"
    )
    assert first[:2] == [("INFO", f"landed cut: {size}"), ("WARNING", warning)]

    caplog.clear()
    time.sleep(1)  # fetched_at has whole seconds: the rerun starts in a later one
    extract_batch([feed], DAY, paths, today=DAY)  # a rerun of the date
    again = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cut:")]
    assert again == [
        f"cut: reused the payload landed at {manifest.fetched_at} UTC for {DAY} ({size}); "
        "not fetched again"
    ]
