"""Tests for feedwarehouse.land: content-addressed payloads and per-date manifests."""

from __future__ import annotations

import hashlib
import json
import socket
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from feedwarehouse.config import Feed, Paths, data_paths
from feedwarehouse.fetch import FetchPolicy, FetchResult
from feedwarehouse.land import (
    Manifest,
    extract,
    land,
    landed_manifests,
    manifest_path,
    payload_path,
    read_manifest,
    read_payload,
)
from feedwarehouse.sample import generate_sample

DAY = date(2026, 11, 23)
FAST = FetchPolicy(attempts=2, backoff_base=0, connect_timeout=2, read_timeout=2)
RSS = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Blog — ünï</title>'
    "<item><title>One</title><guid>g1</guid></item></channel></rss>\n"
).encode()
SHA = hashlib.sha256(RSS).hexdigest()


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return data_paths(tmp_path / "data")


def test_layout(paths: Paths) -> None:
    root = paths.data_dir / "landing"
    assert manifest_path(paths, "blog", DAY) == root / "manifests" / "2026-11-23" / "blog.json"
    assert payload_path(paths, "abcdef") == root / "payloads" / "ab" / "abcdef"


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
    assert (one.logical_date, two.logical_date) == ("2026-11-23", "2026-11-24")
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
    feed = Feed(sample.feeds[0].feed_id, feed_path.resolve().as_uri())
    manifest = read_manifest(extract(feed, DAY, paths))
    body = feed_path.read_bytes()
    assert manifest.feed_id == "webrtc-blog"
    assert manifest.http_status == 200
    assert manifest.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert manifest.payload_bytes == len(body)
    assert manifest.etag is None
    assert read_payload(paths, manifest) == body


def test_read_payload_detects_corruption(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    manifest = read_manifest(extract(Feed("blog", httpserver.url_for("/feed")), DAY, paths, FAST))
    payload_path(paths, SHA).write_bytes(RSS.replace(b"One", b"Two"))
    with pytest.raises(ValueError, match=f"^landed payload {SHA} of feed blog is corrupt "):
        read_payload(paths, manifest)


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


def test_read_payload_missing_file(paths: Paths) -> None:
    result = FetchResult(url="file:///x", status=200, body=RSS, attempts=1)
    manifest = land(paths, Feed("blog", "file:///x"), DAY, result)
    payload_path(paths, SHA).unlink()
    with pytest.raises(FileNotFoundError):
        read_payload(paths, manifest)


def test_land_copies_fetch_result(paths: Paths) -> None:
    result = FetchResult(
        url="https://a.example/feed",
        status=200,
        body=RSS,
        headers={"etag": "W/1", "last-modified": "lm", "content-type": "text/xml"},
        attempts=3,
    )
    manifest = land(paths, Feed("blog", "https://ignored.example/"), DAY, result)
    assert asdict(manifest) | {"fetched_at": None} == {
        "feed_id": "blog",
        "url": "https://a.example/feed",
        "logical_date": "2026-11-23",
        "fetched_at": None,
        "http_status": 200,
        "etag": "W/1",
        "last_modified": "lm",
        "content_type": "text/xml",
        "payload_sha256": SHA,
        "payload_bytes": len(RSS),
        "attempts": 3,
        "error": None,
    }
    assert payload_path(paths, SHA).read_bytes() == RSS


def test_land_empty_body_is_a_payload(paths: Paths) -> None:
    manifest = land(paths, Feed("blog", "u"), DAY, FetchResult(url="u", status=200, body=b""))
    empty = hashlib.sha256(b"").hexdigest()
    assert (manifest.payload_sha256, manifest.payload_bytes, manifest.ok) == (empty, 0, True)
    assert read_payload(paths, manifest) == b""


def test_manifest_ok() -> None:
    fields = dict(
        feed_id="f",
        url="u",
        logical_date="2026-11-23",
        fetched_at="2026-11-23T00:00:00",
        http_status=200,
        etag=None,
        last_modified=None,
        content_type=None,
        payload_bytes=1,
        attempts=1,
    )
    assert Manifest(**fields, payload_sha256="s", error=None).ok is True
    assert Manifest(**fields, payload_sha256=None, error=None).ok is False
    assert Manifest(**fields, payload_sha256="s", error="boom").ok is False


def test_landed_manifests_sorted_by_feed_id(paths: Paths) -> None:
    for feed_id in ("zeta", "alpha", "mid-2", "mid_1"):
        result = FetchResult(url=f"file:///{feed_id}", error="nope", attempts=1)
        target = manifest_path(paths, feed_id, DAY)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(asdict(land(paths, Feed(feed_id, "u"), DAY, result))))
    other_day = manifest_path(paths, "beta", date(2026, 11, 24))
    other_day.parent.mkdir(parents=True)
    other_day.write_text("{}")
    folder = paths.landing_dir / "manifests" / "2026-11-23"
    assert landed_manifests(paths, DAY) == [
        folder / "alpha.json",
        folder / "mid-2.json",
        folder / "mid_1.json",
        folder / "zeta.json",
    ]
    assert [read_manifest(p).feed_id for p in landed_manifests(paths, DAY)] == [
        "alpha",
        "mid-2",
        "mid_1",
        "zeta",
    ]


def test_landed_manifests_unknown_date_is_empty(paths: Paths) -> None:
    assert landed_manifests(paths, date(1999, 1, 1)) == []
    manifest_path(paths, "x", DAY).parent.mkdir(parents=True)
    assert landed_manifests(paths, date(1999, 1, 1)) == []
    assert landed_manifests(paths, DAY) == []
