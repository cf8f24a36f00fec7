"""Raw loader: landed payloads into raw.fetches and raw.entries, one transaction per fetch.

A load replaces the rows of its (feed, logical date), so reruns and backfills never duplicate.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from feedwarehouse import failpoints
from feedwarehouse.config import Paths
from feedwarehouse.land import Manifest, read_manifest, read_payload, record_parse_result
from feedwarehouse.parse import FeedParseError, ParsedFeed, parse_feed
from feedwarehouse.warehouse import SCHEMAS

log = logging.getLogger(__name__)

RAW_DDL = """
create table if not exists raw.fetches (
    fetch_id varchar primary key,
    feed_id varchar not null,
    url varchar not null,
    logical_date date not null,
    fetched_at timestamp not null,
    http_status integer,
    etag varchar,
    last_modified varchar,
    payload_sha256 varchar,
    payload_bytes bigint,
    entry_count integer,
    error varchar,
    bozo_reason varchar,
    feed_title varchar,
    feed_link varchar,
    feed_subtitle varchar,
    feed_language varchar,
    feed_generator varchar,
    feed_json json
);
-- columns added later: appended, and added to existing warehouses by ensure_schema
alter table raw.fetches add column if not exists is_unchanged boolean;
alter table raw.fetches add column if not exists fetch_mode varchar;
alter table raw.fetches add column if not exists page_count integer;
alter table raw.fetches add column if not exists content_type varchar;
create table if not exists raw.entries (
    fetch_id varchar not null,
    feed_id varchar not null,
    logical_date date not null,
    entry_index integer not null,
    guid varchar,
    link varchar,
    title varchar,
    author varchar,
    published varchar,
    published_at timestamp,
    updated varchar,
    updated_at timestamp,
    categories varchar[],
    summary varchar,
    content varchar,
    comments_count integer,
    enclosure_count integer,
    entry_json json,
    primary key (fetch_id, entry_index)
);
-- resolved at parse time (entry_fields): appended, as for raw.fetches
alter table raw.entries add column if not exists author_name varchar;
alter table raw.entries add column if not exists updated_element varchar;
alter table raw.entries add column if not exists body_html varchar;
alter table raw.entries add column if not exists body_source varchar;
"""

FETCH_COLUMNS = [
    "fetch_id", "feed_id", "url", "logical_date", "fetched_at", "http_status", "etag",
    "last_modified", "payload_sha256", "payload_bytes", "entry_count", "error", "bozo_reason",
    "feed_title", "feed_link", "feed_subtitle", "feed_language", "feed_generator", "feed_json",
    "is_unchanged", "fetch_mode", "page_count", "content_type",
]  # fmt: skip
# feed metadata of a parsed fetch, copied onto an unchanged fetch that is not re-parsed
FEED_META_COLUMNS = FETCH_COLUMNS[12:19]
ENTRY_COLUMNS = [
    "fetch_id", "feed_id", "logical_date", "entry_index", "guid", "link", "title", "author",
    "published", "published_at", "updated", "updated_at", "categories", "summary", "content",
    "comments_count", "enclosure_count", "entry_json", "author_name", "updated_element",
    "body_html", "body_source",
]  # fmt: skip


@dataclass
class LoadSummary:
    """What one load did, per feed: for the run summary and XCom."""

    loaded: dict[str, int] = field(default_factory=dict)  # feed_id -> entries
    failed: dict[str, str] = field(default_factory=dict)  # feed_id -> error
    unchanged: list[str] = field(default_factory=list)  # loaded, same payload as before

    def as_dict(self) -> dict[str, object]:
        return {"loaded": self.loaded, "failed": self.failed, "unchanged": self.unchanged}


def fetch_id_for(feed_id: str, logical_date: str) -> str:
    return hashlib.md5(f"{feed_id}|{logical_date}".encode()).hexdigest()  # noqa: S324 - an id


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        conn.execute(f"create schema if not exists {schema}")
    conn.execute(RAW_DDL)


def load_raw(conn: duckdb.DuckDBPyConnection, paths: Paths, manifests: list[Path]) -> LoadSummary:
    """Load every landed manifest; a feed that fails is recorded and never stops the others.

    Needs nothing but the landing zone, so it also rebuilds (replays) a date's raw rows.
    """
    ensure_schema(conn)
    summary = LoadSummary()
    for path in manifests:
        manifest = read_manifest(path)
        fetch_id = fetch_id_for(manifest.feed_id, manifest.logical_date)
        parsed: ParsedFeed | None = None
        meta: tuple[object, ...] | None = None
        error = manifest.error
        if error is None and manifest.is_unchanged:
            meta = _parsed_before(conn, manifest, fetch_id)
        if error is None and meta is None:
            try:
                parsed = _parse_pages(paths, manifest)
            except FeedParseError as exc:
                error = str(exc)
                record_parse_result(path, manifest, error)
            except (ValueError, OSError) as exc:  # a corrupt or missing payload file
                error = str(exc)
            else:
                record_parse_result(path, manifest, None)
        _replace_fetch(conn, fetch_id, manifest, parsed, meta, error)
        if error is not None:
            summary.failed[manifest.feed_id] = error
            log.warning("feed %s failed for %s: %s", manifest.feed_id, manifest.logical_date, error)
            continue
        summary.loaded[manifest.feed_id] = len(parsed.entries) if parsed else 0
        if manifest.is_unchanged:
            summary.unchanged.append(manifest.feed_id)
    return summary


def _parsed_before(
    conn: duckdb.DuckDBPyConnection, manifest: Manifest, fetch_id: str
) -> tuple[object, ...] | None:
    """Feed metadata of an earlier fetch whose entries of this same payload are loaded.

    None means the warehouse lacks them (e.g. a replay into a fresh file): parse after all,
    so that no post is ever lost.
    """
    return conn.execute(
        f"select {', '.join(FEED_META_COLUMNS)} from raw.fetches "  # noqa: S608 - fixed text
        "where feed_id = ? and payload_sha256 = ? and fetch_id <> ? and error is null "
        "and feed_json is not null and not (coalesce(is_unchanged, false) and entry_count = 0) "
        "order by logical_date desc limit 1",
        [manifest.feed_id, manifest.payload_sha256, fetch_id],
    ).fetchone()


def _parse_pages(paths: Paths, manifest: Manifest) -> ParsedFeed:
    """Every landed page of a fetch as one feed: page 1's metadata, all pages' entries."""
    pages = [
        parse_feed(
            read_payload(paths, manifest, sha),
            source=manifest.url,
            content_type=manifest.content_type,
        )
        for sha in manifest.payload_sha256s
    ]
    first = pages[0]
    reasons = [page.bozo_reason for page in pages if page.bozo_reason]
    return replace(
        first,
        bozo_reason=reasons[0] if reasons else None,
        entries=[entry for page in pages for entry in page.entries],
    )


def _replace_fetch(
    conn: duckdb.DuckDBPyConnection,
    fetch_id: str,
    manifest: Manifest,
    parsed: ParsedFeed | None,
    meta: tuple[object, ...] | None,
    error: str | None,
) -> None:
    if parsed is not None:
        meta = (
            parsed.bozo_reason, parsed.title, parsed.link, parsed.subtitle, parsed.language,
            parsed.generator, parsed.feed_json,
        )  # fmt: skip
    entry_count = len(parsed.entries) if parsed else (0 if meta is not None else None)
    row = [
        fetch_id, manifest.feed_id, manifest.url, manifest.logical_date,
        datetime.fromisoformat(manifest.fetched_at), manifest.http_status, manifest.etag,
        manifest.last_modified, manifest.payload_sha256, manifest.payload_bytes, entry_count,
        error, *(meta or (None,) * len(FEED_META_COLUMNS)), manifest.is_unchanged,
        manifest.source, len(manifest.payload_sha256s), manifest.content_type,
    ]  # fmt: skip
    conn.execute("begin transaction")
    try:
        conn.execute("delete from raw.entries where fetch_id = ?", [fetch_id])
        conn.execute("delete from raw.fetches where fetch_id = ?", [fetch_id])
        conn.execute(
            f"insert into raw.fetches ({', '.join(FETCH_COLUMNS)}) "  # noqa: S608 - fixed text
            f"values ({', '.join('?' * len(FETCH_COLUMNS))})",
            row,
        )
        failpoints.hit("load.fetch_inserted")
        if parsed and parsed.entries:
            entries = _entries_frame(fetch_id, manifest, parsed)  # noqa: F841 - read by name below
            columns = ", ".join(ENTRY_COLUMNS)
            conn.execute(f"insert into raw.entries select {columns} from entries")  # noqa: S608
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    failpoints.hit("load.fetch_committed")


def _entries_frame(fetch_id: str, manifest: Manifest, parsed: ParsedFeed) -> pd.DataFrame:
    rows = [
        (
            fetch_id, manifest.feed_id, manifest.logical_date, index, e.guid, e.link, e.title,
            e.author, e.published, e.published_at, e.updated, e.updated_at, e.categories,
            e.summary, e.content, e.comments_count, e.enclosure_count, e.entry_json,
            e.author_name, e.updated_element, e.body_html, e.body_source,
        )
        for index, e in enumerate(parsed.entries)
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=ENTRY_COLUMNS, dtype=object)
    return frame
