"""Tests for feedwarehouse.extract.land: content-addressed payloads and per-date manifests."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date

import pytest
from helpers.landing_feed import DAY, FAST, RSS, SHA
from pytest_httpserver import HTTPServer

from feedwarehouse.config import Feed, Paths
from feedwarehouse.extract.feeds import extract
from feedwarehouse.extract.fetch import FetchResult
from feedwarehouse.extract.land import (
    Manifest,
    land,
    landed_manifests,
    manifest_path,
    payload_path,
    read_manifest,
    read_payload,
    write_manifest,
)


def test_layout(paths: Paths) -> None:
    root = paths.data_dir / "landing"
    assert manifest_path(paths, "blog", DAY) == root / "manifests" / "2026-11-23" / "blog.json"
    assert payload_path(paths, "abcdef") == root / "payloads" / "ab" / "abcdef"


def test_read_payload_detects_corruption(httpserver: HTTPServer, paths: Paths) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    manifest = read_manifest(extract(Feed("blog", httpserver.url_for("/feed")), DAY, paths, FAST))
    payload_path(paths, SHA).write_bytes(RSS.replace(b"One", b"Two"))
    with pytest.raises(ValueError, match=f"^landed payload {SHA} of feed blog is corrupt "):
        read_payload(paths, manifest)


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
        "logical_date": DAY,
        "fetched_at": None,
        "http_status": 200,
        "etag": "W/1",
        "last_modified": "lm",
        "content_type": "text/xml",
        "payload_sha256": SHA,
        "payload_bytes": len(RSS),
        "attempts": 3,
        "error": None,
        "source": "live",
        "is_unchanged": False,
        "previous_logical_date": None,
        "more_payload_sha256s": [],
        "is_transient": False,
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
        logical_date=date(2026, 11, 23),
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
        write_manifest(target, land(paths, Feed(feed_id, "u"), DAY, result))
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
