"""Tests for extract.feeds: live, archive and backfill extraction into the landing zone."""

from __future__ import annotations

import hashlib
import json
import socket
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers.landing_feed import DAY, FAST, RSS, SHA
from pytest_httpserver import HTTPServer

from feedwarehouse.config import Feed, Paths
from feedwarehouse.extract.feeds import extract, extract_all, is_backfill
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.extract.land import (
    manifest_path,
    payload_path,
    previous_manifest,
    read_manifest,
    read_payload,
)
from feedwarehouse_dev.sample import generate_sample


def test_extract_lands_payload_and_manifest(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/feed/").respond_with_data(
        RSS,
        content_type="application/rss+xml; charset=UTF-8",
        headers={"ETag": '"e1"', "Last-Modified": "Mon, 23 Nov 2026 12:30:00 GMT"},
    )
    url = httpserver.url_for("/feed/")
    target = extract(Feed("blog", url), DAY, paths, FAST)

    assert target == paths.landing_dir / "manifests" / "2026-11-23" / "blog.json"
    stored = paths.landing_dir / "payloads" / SHA[:2] / SHA
    assert stored.read_bytes() == RSS
    assert [p for p in (paths.landing_dir / "payloads").rglob("*") if p.is_file()] == [stored]

    raw = json.loads(target.read_text(encoding="utf-8"))
    fetched_at = raw.pop("fetched_at")
    assert raw == {
        "feed_id": "blog",
        "url": url,
        "logical_date": "2026-11-23",
        "http_status": 200,
        "etag": '"e1"',
        "last_modified": "Mon, 23 Nov 2026 12:30:00 GMT",
        "content_type": "application/rss+xml; charset=UTF-8",
        "payload_sha256": SHA,
        "payload_bytes": len(RSS),
        "attempts": 1,
        "error": None,
        "source": "live",
        "is_unchanged": False,
        "previous_logical_date": None,
        "more_payload_sha256s": [],
        "is_transient": False,
    }
    moment = datetime.fromisoformat(fetched_at)
    assert moment.tzinfo is None
    assert fetched_at == moment.isoformat(timespec="seconds")

    manifest = read_manifest(target)
    assert manifest.ok
    assert read_payload(paths, manifest) == RSS
    # no temp files left behind by the atomic writes
    assert not list(paths.landing_dir.rglob(".*"))


def test_second_extract_same_date_does_not_refetch(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    feed = Feed("blog", httpserver.url_for("/feed"))
    first = extract(feed, DAY, paths, FAST)
    before = first.read_bytes()
    second = extract(feed, DAY, paths, FAST)
    assert second == first
    assert second.read_bytes() == before
    assert len(httpserver.log) == 1


def test_another_date_fetches_again_and_shares_the_payload(
    httpserver: HTTPServer, paths: Paths
) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    feed = Feed("blog", httpserver.url_for("/feed"))
    one = read_manifest(extract(feed, DAY, paths, FAST))
    two = read_manifest(extract(feed, date(2026, 11, 24), paths, FAST))
    assert len(httpserver.log) == 2
    assert (one.logical_date, two.logical_date) == (DAY, date(2026, 11, 24))
    assert one.payload_sha256 == two.payload_sha256 == SHA
    assert len([p for p in (paths.landing_dir / "payloads").rglob("*") if p.is_file()]) == 1


def test_failed_fetch_then_success_replaces_manifest(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data("no", status=404)
    httpserver.expect_ordered_request("/feed").respond_with_data(RSS)
    url = httpserver.url_for("/feed")
    feed = Feed("blog", url)

    target = extract(feed, DAY, paths, FAST)
    failed = read_manifest(target)
    assert failed.ok is False
    assert failed.http_status == 404
    assert failed.payload_sha256 is None
    assert failed.payload_bytes is None
    assert failed.error is not None
    assert failed.error.startswith("HTTP 404 ")
    assert f"from {url}: not retried" in failed.error
    assert not (paths.landing_dir / "payloads").exists()
    with pytest.raises(ValueError, match=r"^manifest for blog has no payload \(HTTP 404 "):
        read_payload(paths, failed)

    # a failed manifest does not block the rerun: it fetches again and replaces it
    assert extract(feed, DAY, paths, FAST) == target
    replaced = read_manifest(target)
    assert len(httpserver.log) == 2
    assert replaced.ok
    assert (replaced.http_status, replaced.error, replaced.payload_sha256) == (200, None, SHA)
    assert read_payload(paths, replaced) == RSS


def test_connection_failure_lands_error_manifest(paths: Paths) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    target = extract(Feed("down", f"http://127.0.0.1:{port}/feed"), DAY, paths, FAST)
    manifest = read_manifest(target)
    assert (manifest.http_status, manifest.payload_sha256, manifest.attempts) == (None, None, 2)
    assert manifest.error is not None
    assert manifest.error.startswith("ConnectError fetching ")
    assert manifest.error.endswith("(gave up after 2 attempts)")


def test_extract_file_url_from_generated_sample(tmp_path: Path, paths: Paths) -> None:
    sample = generate_sample(tmp_path / "sample", feeds=1, items=3)
    feed_path = sample.feeds[0].path
    feed = Feed(
        sample.feeds[0].feed_id, feed_path.resolve().as_uri(), file_root=str(sample.out_dir)
    )
    manifest = read_manifest(extract(feed, DAY, paths))
    body = feed_path.read_bytes()
    assert manifest.feed_id == "webrtc-blog"
    assert manifest.http_status == 200
    assert manifest.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert manifest.payload_bytes == len(body)
    assert manifest.etag is None
    assert read_payload(paths, manifest) == body


def test_deleting_a_corrupt_payload_then_rerunning_refetches(
    httpserver: HTTPServer, paths: Paths
) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    feed = Feed("blog", httpserver.url_for("/feed"))
    target = extract(feed, DAY, paths, FAST)
    stored = payload_path(paths, SHA)
    stored.write_bytes(b"bit rot")

    # still landed as far as extract can tell: no refetch, the corruption is caught on read
    assert extract(feed, DAY, paths, FAST) == target
    assert len(httpserver.log) == 1
    with pytest.raises(ValueError, match="is corrupt"):
        read_payload(paths, read_manifest(target))

    # the fix the error message gives: delete the payload and rerun the date
    stored.unlink()
    assert extract(feed, DAY, paths, FAST) == target
    assert len(httpserver.log) == 2
    assert stored.read_bytes() == RSS
    assert read_payload(paths, read_manifest(target)) == RSS


LATER = date(2026, 11, 24)
VALIDATORS = {"ETag": '"e1"', "Last-Modified": "Mon, 23 Nov 2026 12:30:00 GMT"}


def _rss(*guids: str) -> bytes:
    items = "".join(f"<item><title>{g}</title><guid>{g}</guid></item>" for g in guids)
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_conditional_get_304_points_at_the_previous_payload(
    httpserver: HTTPServer, paths: Paths
) -> None:
    conditional = {"If-None-Match": '"e1"', "If-Modified-Since": VALIDATORS["Last-Modified"]}
    httpserver.expect_ordered_request("/feed").respond_with_data(RSS, headers=VALIDATORS)
    httpserver.expect_ordered_request("/feed", headers=conditional).respond_with_data(
        "", status=304, headers={"ETag": '"e1"'}
    )
    httpserver.expect_ordered_request("/feed", headers=conditional).respond_with_data(
        "", status=304
    )
    feed = Feed("blog", httpserver.url_for("/feed"))
    extract(feed, DAY, paths, FAST)
    second = read_manifest(extract(feed, LATER, paths, FAST))
    third = read_manifest(extract(feed, date(2026, 11, 25), paths, FAST))
    httpserver.check_assertions()

    assert second.ok
    assert (second.http_status, second.payload_sha256, second.payload_bytes) == (304, SHA, len(RSS))
    assert (second.is_unchanged, second.previous_logical_date, second.error) == (
        True,
        DAY,
        None,
    )
    assert (second.etag, second.last_modified) == ('"e1"', VALIDATORS["Last-Modified"])
    # the validators carry over a 304 that does not repeat them
    assert (third.http_status, third.payload_sha256, third.previous_logical_date) == (
        304,
        SHA,
        LATER,
    )
    assert (third.etag, third.last_modified) == ('"e1"', VALIDATORS["Last-Modified"])


def test_unchanged_200_is_flagged(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    feed = Feed("blog", httpserver.url_for("/feed"))
    assert read_manifest(extract(feed, DAY, paths, FAST)).is_unchanged is False
    again = read_manifest(extract(feed, LATER, paths, FAST))
    assert (again.http_status, again.is_unchanged, again.previous_logical_date) == (
        200,
        True,
        DAY,
    )
    # no validators were stored, so none were sent
    assert "If-None-Match" not in httpserver.log[1][0].headers


def test_previous_manifest_is_the_latest_earlier_success(
    httpserver: HTTPServer, paths: Paths
) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data(RSS, headers=VALIDATORS)
    httpserver.expect_ordered_request("/feed").respond_with_data("down", status=500)
    feed = Feed("blog", httpserver.url_for("/feed"))
    extract(feed, DAY, paths, FAST)
    policy = FetchPolicy(attempts=1, allow_private=True)
    assert read_manifest(extract(feed, LATER, paths, policy)).ok is False
    assert previous_manifest(paths, feed, date(2026, 11, 25)) == read_manifest(
        manifest_path(paths, "blog", DAY)
    )
    assert previous_manifest(paths, feed, DAY) is None
    assert previous_manifest(paths, Feed("blog", "https://moved.example/feed"), LATER) is None


def test_304_without_validators_is_an_error(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=304)
    url = httpserver.url_for("/feed")
    manifest = read_manifest(extract(Feed("blog", url), DAY, paths, FAST))
    assert manifest.error == (
        f"HTTP 304 Not Modified from {url} although no validators were sent; "
        "nothing was landed to reuse"
    )
    assert (manifest.ok, manifest.payload_sha256) == (False, None)


@pytest.mark.parametrize(
    ("logical_date", "today", "expected"),
    [
        (date(2026, 11, 23), None, False),
        (date(2026, 11, 23), date(2026, 11, 23), False),
        (date(2026, 11, 23), date(2026, 11, 24), False),  # the daily run for D runs on D+1
        (date(2026, 11, 23), date(2026, 11, 25), True),
        (date(2025, 1, 1), date(2026, 11, 25), True),
    ],
)
def test_is_backfill(logical_date: date, today: date | None, expected: bool) -> None:
    assert is_backfill(logical_date, today) is expected


def test_backfill_fetches_paged_archive_until_404(httpserver: HTTPServer, paths: Paths) -> None:
    pages = {"": _rss("a", "b"), "paged=2": _rss("c")}
    for query, body in pages.items():
        httpserver.expect_request("/2026/11/20/feed/", query_string=query).respond_with_data(body)
    httpserver.expect_request("/2026/11/20/feed/", query_string="paged=3").respond_with_data(
        "not found", status=404
    )
    template = httpserver.url_for("/{Y}/{m}/{d}/feed/")
    feed = Feed("blog", httpserver.url_for("/feed/"), template)
    manifest = read_manifest(
        extract(feed, date(2026, 11, 20), paths, FAST, today=date(2026, 11, 25))
    )
    assert [request.full_path for request, _ in httpserver.log] == [
        "/2026/11/20/feed/?",
        "/2026/11/20/feed/?paged=2",
        "/2026/11/20/feed/?paged=3",
    ]
    shas = [hashlib.sha256(body).hexdigest() for body in pages.values()]
    assert (manifest.source, manifest.url, manifest.error) == (
        "archive",
        httpserver.url_for("/2026/11/20/feed/"),
        None,
    )
    assert manifest.payload_sha256s == shas
    assert manifest.payload_bytes == sum(len(body) for body in pages.values())
    assert [read_payload(paths, manifest, sha) for sha in shas] == list(pages.values())


def test_backfill_stops_when_the_server_ignores_paged(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/archive").respond_with_data(_rss("a"))
    feed = Feed("blog", httpserver.url_for("/feed"), httpserver.url_for("/archive?d={Y}{m}{d}"))
    manifest = read_manifest(extract(feed, DAY, paths, FAST, today=date(2026, 12, 1)))
    assert [request.full_path for request, _ in httpserver.log] == [
        "/archive?d=20261123",
        "/archive?d=20261123&paged=2",
    ]
    assert (manifest.payload_sha256s, manifest.error) == (
        [hashlib.sha256(_rss("a")).hexdigest()],
        None,
    )


def test_backfill_page_failure_fails_the_whole_date(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/a", query_string="").respond_with_data(_rss("a"))
    httpserver.expect_request("/a", query_string="paged=2").respond_with_data("x", status=503)
    feed = Feed("blog", httpserver.url_for("/feed"), httpserver.url_for("/a"))
    manifest = read_manifest(extract(feed, DAY, paths, FAST, today=date(2026, 12, 1)))
    page_url = httpserver.url_for("/a") + "?paged=2"
    assert manifest.error == (
        f"archive for 2026-11-23, page 2: HTTP 503 from {page_url} (gave up after 2 attempts)"
    )
    assert (manifest.ok, manifest.payload_sha256s, manifest.http_status) == (False, [], 503)


def test_backfill_without_archive_records_no_data(httpserver: HTTPServer, paths: Paths) -> None:
    feed = Feed("blog", httpserver.url_for("/feed"))
    manifest = read_manifest(extract(feed, DAY, paths, FAST, today=date(2026, 12, 1)))
    assert manifest.error == (
        "no data for 2026-11-23: feed has no archive_url and nothing was landed for that date; "
        "add an archive_url to backfill it"
    )
    assert (manifest.ok, manifest.source, manifest.attempts) == (False, "archive", 0)
    assert httpserver.log == []  # never the live feed labelled with an old date


def test_a_retried_no_data_date_says_the_same_thing(httpserver: HTTPServer, paths: Paths) -> None:
    """An Airflow retry (or a rerun) of a no-data date: nothing was fetched, nothing nests."""
    feed = Feed("blog", httpserver.url_for("/feed"))
    backfill = date(2026, 12, 1)
    first = read_manifest(extract(feed, DAY, paths, FAST, today=backfill))
    again = read_manifest(extract(feed, DAY, paths, FAST, today=backfill))
    third = read_manifest(extract(feed, DAY, paths, FAST, today=backfill))
    assert (
        first.error
        == again.error
        == third.error
        == (
            "no data for 2026-11-23: feed has no archive_url and nothing was landed for that date; "
            "add an archive_url to backfill it"
        )
    )
    assert (third.attempts, third.is_transient) == (0, False)
    assert httpserver.log == []


def test_backfill_replays_what_was_landed(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    feed = Feed("blog", httpserver.url_for("/feed"), httpserver.url_for("/{Y}/{m}/{d}/"))
    target = extract(feed, DAY, paths, FAST)  # the live run of that day
    before = target.read_bytes()
    assert extract(feed, DAY, paths, FAST, today=date(2026, 12, 1)) == target
    assert target.read_bytes() == before
    assert len(httpserver.log) == 1


def test_backfill_of_a_failed_day_without_archive_keeps_the_reason(
    httpserver: HTTPServer, paths: Paths
) -> None:
    httpserver.expect_request("/feed").respond_with_data("no", status=404)
    feed = Feed("blog", httpserver.url_for("/feed"))
    first = read_manifest(extract(feed, DAY, paths, FAST))
    manifest = read_manifest(extract(feed, DAY, paths, FAST, today=date(2026, 12, 1)))
    assert manifest.error is not None
    assert manifest.error.endswith(f" (the fetch on that date failed: {first.error})")
    assert len(httpserver.log) == 1
    # a retry of the backfill keeps the reason, quoted once
    retried = read_manifest(extract(feed, DAY, paths, FAST, today=date(2026, 12, 1)))
    assert retried.error == manifest.error
    assert retried.error.count("the fetch on that date failed") == 1


def test_only_failures_that_may_pass_are_transient(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/busy").respond_with_data("later", status=503)
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    busy = read_manifest(extract(Feed("busy", httpserver.url_for("/busy")), DAY, paths, FAST))
    gone = read_manifest(extract(Feed("gone", httpserver.url_for("/gone")), DAY, paths, FAST))
    assert (busy.http_status, busy.is_transient) == (503, True)
    assert (gone.http_status, gone.is_transient) == (404, False)


def test_extract_all_isolates_failures(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/ok").respond_with_data(RSS)
    httpserver.expect_request("/gone").respond_with_data("no", status=410)
    feeds = [
        Feed("ok", httpserver.url_for("/ok")),
        Feed("gone", httpserver.url_for("/gone")),
        Feed("broken", httpserver.url_for("/ok")),
    ]
    # an unreadable earlier manifest makes extract itself raise for one feed
    manifest_path(paths, "broken", DAY).parent.mkdir(parents=True)
    manifest_path(paths, "broken", DAY).write_text("{not json")
    targets = extract_all(feeds, DAY, paths, FAST)
    assert targets == [manifest_path(paths, f.id, DAY) for f in feeds]
    ok, gone, broken = (read_manifest(t) for t in targets)
    assert (ok.ok, ok.payload_sha256) == (True, SHA)
    assert (gone.http_status, gone.ok) == (410, False)
    assert broken.error is not None
    assert broken.error.startswith("unexpected JSONDecodeError while extracting: ")


def test_extract_refuses_private_hosts_unless_the_feeds_file_allows(
    httpserver: HTTPServer, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS", raising=False)
    httpserver.expect_request("/feed").respond_with_data(RSS)
    url = httpserver.url_for("/feed")
    refused = read_manifest(extract(Feed("blog", url), DAY, paths))
    assert refused.error is not None
    assert refused.error.startswith(
        f"refused {url}: {httpserver.host} resolves to non-public address "
    )
    allowed = read_manifest(extract(Feed("blog", url, allow_private_host=True), DAY, paths))
    assert (allowed.ok, allowed.payload_sha256) == (True, SHA)
    monkeypatch.setenv("FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS", "1")
    assert read_manifest(extract(Feed("other", url), DAY, paths)).ok


def test_file_urls_default_to_the_feeds_file_dir_and_data_dir(tmp_path: Path, paths: Paths) -> None:
    outside = tmp_path / "elsewhere" / "feed.xml"
    outside.parent.mkdir()
    outside.write_bytes(RSS)
    refused = read_manifest(extract(Feed("blog", outside.as_uri()), DAY, paths))
    assert refused.error == (
        f"{outside.as_uri()} is outside the allowed file roots {[str(paths.data_dir)]}; put the "
        "file under one of them or add its directory to $FEEDWAREHOUSE_FILE_ROOTS"
    )
    feed = Feed("blog", outside.as_uri(), file_root=str(outside.parent))
    assert read_manifest(extract(feed, DAY, paths)).payload_sha256 == SHA
    inside = paths.data_dir / "feeds" / "x.xml"
    inside.parent.mkdir(parents=True)
    inside.write_bytes(RSS)
    assert read_manifest(extract(Feed("data", inside.as_uri()), DAY, paths)).ok
