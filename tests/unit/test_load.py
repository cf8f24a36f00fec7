"""Tests for feedwarehouse.load.raw: landed manifests into raw.fetches and raw.entries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from feedwarehouse.config import Feed, Paths
from feedwarehouse.extract.feeds import extract
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.extract.land import landed_manifests, manifest_path, payload_path, read_manifest
from feedwarehouse.load.raw import LoadSummary, fetch_id_for, load_raw
from feedwarehouse.parse.verdicts import parse_error, refetch_reason, verdict_path
from feedwarehouse.tables import ENTRY_COLUMNS, FETCH_COLUMNS, SCHEMAS, ensure_schema
from feedwarehouse.warehouse import connect
from feedwarehouse_dev.sample import SampleFeed, SampleSet, generate_sample

DAY = date(2026, 11, 23)
FAST = FetchPolicy(
    attempts=1, backoff_base=0, connect_timeout=2, read_timeout=2, allow_private=True
)
ENTRY_FIELDS = "feed_id, logical_date, entry_index, guid, link, title, author, published_at"


@pytest.fixture
def conn(paths: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(paths.warehouse)
    yield connection
    connection.close()


@pytest.fixture
def sample(tmp_path: Path) -> SampleSet:
    return generate_sample(tmp_path / "sample", feeds=2, items=3)


def _feed(spec: SampleFeed) -> Feed:
    return Feed(spec.feed_id, spec.path.resolve().as_uri(), file_root=str(spec.path.parent))


def _expected_entries(spec: SampleFeed, day: date = DAY) -> list[tuple[object, ...]]:
    return [
        (
            spec.feed_id,
            day,
            index,
            item.guid,
            item.link,
            item.title,
            item.author,
            item.published_at.replace(tzinfo=None),
        )
        for index, item in enumerate(spec.items)
    ]


def _entries(conn: duckdb.DuckDBPyConnection, feed_id: str) -> list[tuple[object, ...]]:
    return conn.execute(
        f"select {ENTRY_FIELDS} from raw.entries where feed_id = ? order by entry_index",
        [feed_id],
    ).fetchall()


def _count(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    row = conn.execute(f"select count(*) from raw.{table}").fetchone()
    assert row is not None
    return int(row[0])


def test_fetch_id_for_is_deterministic_md5() -> None:
    expected = hashlib.md5(b"blog|2026-11-23").hexdigest()
    assert fetch_id_for("blog", date(2026, 11, 23)) == expected
    assert fetch_id_for("blog", date(2026, 11, 23)) == fetch_id_for("blog", date(2026, 11, 23))
    assert fetch_id_for("blog", date(2026, 11, 24)) != expected
    assert fetch_id_for("blog2", date(2026, 11, 23)) != expected
    assert len(expected) == 32


def test_ensure_schema_creates_schemas_and_tables(conn: duckdb.DuckDBPyConnection) -> None:
    ensure_schema(conn)
    ensure_schema(conn)  # idempotent
    schemas = {
        row[0] for row in conn.execute("select schema_name from duckdb_schemas()").fetchall()
    }
    assert set(SCHEMAS) <= schemas
    tables = conn.execute(
        "select table_name from duckdb_tables() where schema_name = 'raw' order by table_name"
    ).fetchall()
    assert tables == [("entries",), ("fetches",)]


def test_load_raw_into_fresh_warehouse(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet
) -> None:
    spec = sample.feeds[0]
    target = extract(_feed(spec), DAY, paths)
    manifest = read_manifest(target)
    summary = load_raw(conn, paths, [target])

    assert summary == LoadSummary(loaded={"webrtc-blog": 3}, failed={})
    assert summary.as_dict() == {
        "loaded": {"webrtc-blog": 3},
        "failed": {},
        "unchanged": [],
        "warned": {},
    }
    body = spec.path.read_bytes()
    fetch_id = fetch_id_for("webrtc-blog", date(2026, 11, 23))
    assert conn.execute(
        "select fetch_id, feed_id, url, logical_date, fetched_at, http_status, etag, "
        "last_modified, payload_sha256, payload_bytes, entry_count, error, bozo_reason, "
        "feed_title, feed_link, feed_subtitle, feed_language, feed_generator, "
        "json_extract_string(feed_json, '$.version') from raw.fetches"
    ).fetchall() == [
        (
            fetch_id,
            "webrtc-blog",
            spec.path.resolve().as_uri(),
            DAY,
            datetime.fromisoformat(manifest.fetched_at),
            200,
            None,
            None,
            hashlib.sha256(body).hexdigest(),
            len(body),
            3,
            None,
            None,
            "WebRTC Blog — Video, Voice & CPaaS",
            "https://webrtc-blog.example.com",
            "Analysis & opinions on WebRTC and real-time video",
            "en-US",
            "https://wordpress.org/?v=6.7.1",
            "rss20",
        )
    ]
    assert _entries(conn, "webrtc-blog") == _expected_entries(spec)
    rows = conn.execute(
        "select fetch_id, categories, comments_count, enclosure_count, updated_at, "
        "json_extract_string(entry_json, '$.id') from raw.entries order by entry_index"
    ).fetchall()
    assert rows == [
        (fetch_id, list(item.categories), item.comments_count, 0, None, item.guid)
        for item in spec.items
    ]
    contents = conn.execute("select content from raw.entries order by entry_index").fetchall()
    assert all(content.startswith("<h2>") for (content,) in contents)


def test_loading_twice_gives_the_same_rows(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet
) -> None:
    manifests = [extract(_feed(spec), DAY, paths) for spec in sample.feeds]
    everything = "select * from raw.{} order by all"
    first = load_raw(conn, paths, manifests)
    fetches = conn.execute(everything.format("fetches")).fetchall()
    entries = conn.execute(everything.format("entries")).fetchall()
    second = load_raw(conn, paths, manifests)
    assert first == second == LoadSummary(loaded={"webrtc-blog": 3, "sample-blog-2": 3})
    assert conn.execute(everything.format("fetches")).fetchall() == fetches
    assert conn.execute(everything.format("entries")).fetchall() == entries
    assert (_count(conn, "fetches"), _count(conn, "entries")) == (2, 6)


def test_dates_are_kept_apart(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet, tmp_path: Path
) -> None:
    spec = sample.feeds[0]
    later = date(2026, 11, 24)
    first = extract(_feed(spec), DAY, paths)
    spec.path.write_bytes(
        generate_sample(tmp_path / "next", feeds=1, items=2).feeds[0].path.read_bytes()
    )
    load_raw(conn, paths, [first, extract(_feed(spec), later, paths)])
    assert conn.execute(
        "select logical_date, count(*) from raw.entries group by all order by all"
    ).fetchall() == [(DAY, 3), (later, 2)]
    assert conn.execute(
        "select fetch_id, is_unchanged from raw.fetches order by logical_date"
    ).fetchall() == [
        (fetch_id_for("webrtc-blog", date(2026, 11, 23)), False),
        (fetch_id_for("webrtc-blog", date(2026, 11, 24)), False),
    ]


def test_unchanged_payload_is_recorded_without_reparsing(
    conn: duckdb.DuckDBPyConnection,
    paths: Paths,
    sample: SampleSet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = sample.feeds[0]
    later = date(2026, 11, 24)
    first = extract(_feed(spec), DAY, paths)
    assert load_raw(conn, paths, [first]) == LoadSummary(loaded={"webrtc-blog": 3})
    second = extract(_feed(spec), later, paths)
    manifest = read_manifest(second)
    assert (manifest.is_unchanged, manifest.previous_logical_date) == (True, DAY)

    def no_parsing(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an unchanged payload must not be parsed again")

    monkeypatch.setattr("feedwarehouse.load.raw.parse_feed", no_parsing)
    summary = load_raw(conn, paths, [second])

    assert summary == LoadSummary(loaded={"webrtc-blog": 0}, unchanged=["webrtc-blog"])
    sha = hashlib.sha256(spec.path.read_bytes()).hexdigest()
    assert conn.execute(
        "select logical_date, http_status, payload_sha256, entry_count, error, is_unchanged, "
        "fetch_mode, page_count, feed_title from raw.fetches order by logical_date"
    ).fetchall() == [
        (DAY, 200, sha, 3, None, False, "live", 1, "WebRTC Blog — Video, Voice & CPaaS"),
        (later, 200, sha, 0, None, True, "live", 1, "WebRTC Blog — Video, Voice & CPaaS"),
    ]
    assert conn.execute(
        "select logical_date, count(*) from raw.entries group by all"
    ).fetchall() == [(DAY, 3)]


def test_unchanged_payload_is_parsed_when_the_warehouse_lacks_its_entries(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet
) -> None:
    # replaying only the later date into a fresh warehouse must not lose the posts
    spec = sample.feeds[0]
    extract(_feed(spec), DAY, paths)
    second = extract(_feed(spec), date(2026, 11, 24), paths)
    summary = load_raw(conn, paths, [second])
    assert summary == LoadSummary(loaded={"webrtc-blog": 3}, unchanged=["webrtc-blog"])
    assert _entries(conn, "webrtc-blog") == _expected_entries(spec, date(2026, 11, 24))
    assert conn.execute("select entry_count, is_unchanged from raw.fetches").fetchall() == [
        (3, True)
    ]


def test_ensure_schema_creates_the_raw_tables_whole_as_their_rows(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    ensure_schema(conn)
    conn.execute(
        "insert into raw.fetches (fetch_id, feed_id, url, logical_date, fetched_at) "
        "values ('f1', 'blog', 'u', '2026-11-01', '2026-11-02 00:00:00')"
    )
    ensure_schema(conn)  # again: nothing changes, nothing is lost
    for table, columns in (("raw.fetches", FETCH_COLUMNS), ("raw.entries", ENTRY_COLUMNS)):
        assert [name for name, *_ in conn.execute(f"describe {table}").fetchall()] == columns
    assert conn.execute("select fetch_id from raw.fetches").fetchall() == [("f1",)]


def test_failed_fetch_recorded_while_other_feed_loads(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    url = httpserver.url_for("/gone")
    extract(Feed("broken", url), DAY, paths, FAST)
    extract(_feed(sample.feeds[0]), DAY, paths)
    manifests = landed_manifests(paths, DAY)
    error = read_manifest(manifests[0]).error
    assert error is not None
    assert error.startswith("HTTP 404 ")

    summary = load_raw(conn, paths, manifests)

    assert summary.loaded == {"webrtc-blog": 3}
    assert summary.failed == {"broken": error}
    good_url = sample.feeds[0].path.resolve().as_uri()
    good_sha = hashlib.sha256(sample.feeds[0].path.read_bytes()).hexdigest()
    assert conn.execute(
        "select feed_id, url, logical_date, http_status, payload_sha256, entry_count, error, "
        "feed_title from raw.fetches order by feed_id"
    ).fetchall() == [
        ("broken", url, DAY, 404, None, None, error, None),
        (
            "webrtc-blog",
            good_url,
            DAY,
            200,
            good_sha,
            3,
            None,
            "WebRTC Blog — Video, Voice & CPaaS",
        ),
    ]
    assert _entries(conn, "broken") == []
    assert _entries(conn, "webrtc-blog") == _expected_entries(sample.feeds[0])


def test_corrupted_payload_fails_that_feed_only(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet
) -> None:
    manifests = [extract(_feed(spec), DAY, paths) for spec in sample.feeds]
    corrupt = read_manifest(manifest_path(paths, "webrtc-blog", DAY))
    assert corrupt.payload_sha256 is not None
    payload_path(paths, corrupt.payload_sha256).write_bytes(b"<rss>tampered</rss>")

    summary = load_raw(conn, paths, manifests)

    assert summary.loaded == {"sample-blog-2": 3}
    assert list(summary.failed) == ["webrtc-blog"]
    message = summary.failed["webrtc-blog"]
    assert message == (
        f"landed payload {corrupt.payload_sha256} of feed webrtc-blog is corrupt "
        "(its sha256 no longer matches); delete it and rerun the date to refetch"
    )
    assert conn.execute(
        "select feed_id, http_status, entry_count, error from raw.fetches order by feed_id"
    ).fetchall() == [("sample-blog-2", 200, 3, None), ("webrtc-blog", 200, None, message)]
    assert _entries(conn, "webrtc-blog") == []
    assert _entries(conn, "sample-blog-2") == _expected_entries(sample.feeds[1])


def test_missing_payload_file_fails_that_feed(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet
) -> None:
    target = extract(_feed(sample.feeds[0]), DAY, paths)
    sha = read_manifest(target).payload_sha256
    assert sha is not None
    payload_path(paths, sha).unlink()
    summary = load_raw(conn, paths, [target])
    assert summary.loaded == {}
    missing = payload_path(paths, sha)
    assert summary.failed == {"webrtc-blog": f"[Errno 2] No such file or directory: '{missing}'"}


def test_unparseable_payload_fails_that_feed(
    conn: duckdb.DuckDBPyConnection, paths: Paths, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"<html><body>maintenance</body></html>")
    url = junk.as_uri()
    summary = load_raw(
        conn, paths, [extract(Feed("junk", url, file_root=str(tmp_path)), DAY, paths)]
    )
    message = f"{url}: not a recognizable RSS/Atom/JSON feed (no feed elements)"
    assert summary == LoadSummary(loaded={}, failed={"junk": message})
    assert conn.execute("select http_status, entry_count, error from raw.fetches").fetchall() == [
        (200, None, message)
    ]
    assert _count(conn, "entries") == 0


def test_a_rerun_fetches_again_once_the_publisher_fixes_an_unparseable_feed(
    conn: duckdb.DuckDBPyConnection, paths: Paths, httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data(b"<html>maintenance</html>")
    fixed = generate_sample(paths.data_dir.parent / "fixed", feeds=1, items=2).feeds[0]
    httpserver.expect_ordered_request("/feed").respond_with_data(fixed.path.read_bytes())
    feed = Feed("blog", httpserver.url_for("/feed"))
    manifest_file = extract(feed, DAY, paths, FAST)
    landed_bytes = manifest_file.read_bytes()
    first = load_raw(conn, paths, [manifest_file])
    assert list(first.failed) == ["blog"]
    landed = read_manifest(manifest_file)
    assert parse_error(paths, *landed.verdict_key) == first.failed["blog"]
    # the verdict is the loader's own file: the landing zone's manifest is extract's alone
    assert verdict_path(paths, "blog", DAY).is_file()
    assert manifest_file.read_bytes() == landed_bytes

    # the same date again (a live rerun): the broken bytes are not replayed, the feed is refetched
    rerun = load_raw(conn, paths, [extract(feed, DAY, paths, FAST)])
    assert rerun == LoadSummary(loaded={"blog": 2}, failed={})
    assert parse_error(paths, *read_manifest(manifest_path(paths, "blog", DAY)).verdict_key) is None
    assert not verdict_path(paths, "blog", DAY).exists()
    assert len(httpserver.log) == 2
    # and a third run replays the good payload without fetching
    assert load_raw(conn, paths, [extract(feed, DAY, paths, FAST)]) == rerun
    assert len(httpserver.log) == 2
    assert _count(conn, "entries") == 2


def test_a_rerun_fetches_again_once_the_publisher_mends_a_cut_off_feed(
    conn: duckdb.DuckDBPyConnection, paths: Paths, httpserver: HTTPServer
) -> None:
    whole = generate_sample(paths.data_dir.parent / "whole", feeds=1, items=3).feeds[0]
    body = whole.path.read_bytes()
    cut = body[: body.rindex(b"<item>") + 40]  # the last item cut off, status 200
    httpserver.expect_ordered_request("/feed").respond_with_data(cut)
    httpserver.expect_ordered_request("/feed").respond_with_data(body)
    feed = Feed("blog", httpserver.url_for("/feed"))
    first = load_raw(conn, paths, [extract(feed, DAY, paths, FAST)])
    assert first.loaded == {"blog": 3}
    assert first.warned["blog"].startswith("not well-formed: 2 entries recovered, 1 past the break")
    landed = read_manifest(manifest_path(paths, "blog", DAY))
    assert refetch_reason(paths, *landed.verdict_key) == first.warned["blog"]
    assert parse_error(paths, *landed.verdict_key) is None  # usable: only the rerun refetches

    # the same date again once the publisher mended it: fetched, the third item is whole now
    rerun = load_raw(conn, paths, [extract(feed, DAY, paths, FAST)])
    assert (rerun.loaded, rerun.warned, rerun.failed) == ({"blog": 3}, {}, {})
    assert not verdict_path(paths, "blog", DAY).exists()
    assert len(httpserver.log) == 2
    assert conn.execute(
        "select warning, entry_count from raw.fetches where feed_id = 'blog'"
    ).fetchall() == [(None, 3)]
    # a third run replays the mended payload without fetching
    load_raw(conn, paths, [extract(feed, DAY, paths, FAST)])
    assert len(httpserver.log) == 2
    assert _count(conn, "entries") == 3


def test_feed_without_entries_loads_zero(
    conn: duckdb.DuckDBPyConnection, paths: Paths, tmp_path: Path
) -> None:
    quiet = tmp_path / "quiet.xml"
    quiet.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    )
    summary = load_raw(
        conn, paths, [extract(Feed("quiet", quiet.as_uri(), file_root=str(tmp_path)), DAY, paths)]
    )
    assert summary == LoadSummary(loaded={"quiet": 0}, failed={})
    assert conn.execute("select entry_count, error, feed_title from raw.fetches").fetchall() == [
        (0, None, "Quiet")
    ]
    assert _count(conn, "entries") == 0


def test_sparse_entries_load_with_nulls(
    conn: duckdb.DuckDBPyConnection, paths: Paths, tmp_path: Path
) -> None:
    sparse = tmp_path / "sparse.xml"
    sparse.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0" '
        b'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>t</title>'
        b"<item><title>bare</title></item>"
        b"<item><title>rich</title><category>c1</category><category>c2</category>"
        b"<slash:comments>5</slash:comments></item></channel></rss>"
    )
    assert load_raw(
        conn, paths, [extract(Feed("sparse", sparse.as_uri(), file_root=str(tmp_path)), DAY, paths)]
    ).loaded == {"sparse": 2}
    assert conn.execute(
        "select entry_index, guid, title, categories, comments_count, published_at "
        "from raw.entries order by entry_index"
    ).fetchall() == [(0, None, "bare", [], None, None), (1, None, "rich", ["c1", "c2"], 5, None)]


def test_rerun_where_feed_now_fails_replaces_old_entries(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet, httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data(sample.feeds[0].path.read_bytes())
    httpserver.expect_ordered_request("/feed").respond_with_data("down", status=500)
    feed = Feed("webrtc-blog", httpserver.url_for("/feed"))
    target = extract(feed, DAY, paths, FAST)
    assert load_raw(conn, paths, [target]).loaded == {"webrtc-blog": 3}
    assert len(_entries(conn, "webrtc-blog")) == 3

    # the landed manifest is removed (e.g. to refetch the date) and the refetch fails
    target.unlink()
    assert extract(feed, DAY, paths, FAST) == target
    error = read_manifest(target).error
    assert error == f"HTTP 500 from {feed.url} (gave up after 1 attempts)"

    summary = load_raw(conn, paths, [target])

    # the load replaces the (feed, date): the old entries go, the fetch row records the error
    assert summary == LoadSummary(loaded={}, failed={"webrtc-blog": error})
    assert _entries(conn, "webrtc-blog") == []
    assert conn.execute(
        "select fetch_id, http_status, payload_sha256, entry_count, error from raw.fetches"
    ).fetchall() == [(fetch_id_for("webrtc-blog", date(2026, 11, 23)), 500, None, None, error)]


def test_rerun_with_other_payload_replaces_entries(
    conn: duckdb.DuckDBPyConnection, paths: Paths, sample: SampleSet, tmp_path: Path
) -> None:
    spec = sample.feeds[0]
    target = extract(_feed(spec), DAY, paths)
    load_raw(conn, paths, [target])

    smaller = generate_sample(tmp_path / "smaller", feeds=1, items=1)
    spec.path.write_bytes(smaller.feeds[0].path.read_bytes())
    target.unlink()
    summary = load_raw(conn, paths, [extract(_feed(spec), DAY, paths)])

    assert summary.loaded == {"webrtc-blog": 1}
    assert _entries(conn, "webrtc-blog") == _expected_entries(smaller.feeds[0])
    assert conn.execute("select entry_count from raw.fetches").fetchall() == [(1,)]


def test_load_nothing(conn: duckdb.DuckDBPyConnection, paths: Paths) -> None:
    assert load_raw(conn, paths, []) == LoadSummary()
    assert (_count(conn, "fetches"), _count(conn, "entries")) == (0, 0)


def test_archive_pages_load_as_one_fetch(
    conn: duckdb.DuckDBPyConnection, paths: Paths, httpserver: HTTPServer
) -> None:
    def page(*guids: str) -> bytes:
        items = "".join(f"<item><title>{g}</title><guid>{g}</guid></item>" for g in guids)
        return f'<rss version="2.0"><channel><title>Arch</title>{items}</channel></rss>'.encode()

    httpserver.expect_request("/arch", query_string="").respond_with_data(page("a", "b"))
    httpserver.expect_request("/arch", query_string="paged=2").respond_with_data(page("c"))
    httpserver.expect_request("/arch", query_string="paged=3").respond_with_data(page())
    feed = Feed("arch", httpserver.url_for("/feed"), httpserver.url_for("/arch"))
    target = extract(feed, DAY, paths, FAST, today=date(2026, 12, 1))
    assert load_raw(conn, paths, [target]) == LoadSummary(loaded={"arch": 3})
    assert [(guid, index) for _, _, index, guid, *_ in _entries(conn, "arch")] == [
        ("a", 0),
        ("b", 1),
        ("c", 2),
    ]
    assert conn.execute(
        "select url, fetch_mode, page_count, entry_count, payload_bytes, feed_title "
        "from raw.fetches"
    ).fetchall() == [
        (httpserver.url_for("/arch"), "archive", 2, 3, len(page("a", "b")) + len(page("c")), "Arch")
    ]
