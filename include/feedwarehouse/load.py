"""Raw loader: landed payloads into raw.fetches and raw.entries, one transaction per fetch.

A load replaces the rows of its (feed, logical date), so reruns and backfills never duplicate.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from feedwarehouse.config import Paths
from feedwarehouse.land import Manifest, read_manifest, read_payload
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
"""

ENTRY_COLUMNS = [
    "fetch_id", "feed_id", "logical_date", "entry_index", "guid", "link", "title", "author",
    "published", "published_at", "updated", "updated_at", "categories", "summary", "content",
    "comments_count", "enclosure_count", "entry_json",
]  # fmt: skip


@dataclass
class LoadSummary:
    """What one load did, per feed: for the run summary and XCom."""

    loaded: dict[str, int] = field(default_factory=dict)  # feed_id -> entries
    failed: dict[str, str] = field(default_factory=dict)  # feed_id -> error

    def as_dict(self) -> dict[str, object]:
        return {"loaded": self.loaded, "failed": self.failed}


def fetch_id_for(feed_id: str, logical_date: str) -> str:
    return hashlib.md5(f"{feed_id}|{logical_date}".encode()).hexdigest()  # noqa: S324 - an id


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        conn.execute(f"create schema if not exists {schema}")
    conn.execute(RAW_DDL)


def load_raw(conn: duckdb.DuckDBPyConnection, paths: Paths, manifests: list[Path]) -> LoadSummary:
    """Load every landed manifest; a feed that fails is recorded and never stops the others."""
    ensure_schema(conn)
    summary = LoadSummary()
    for path in manifests:
        manifest = read_manifest(path)
        parsed: ParsedFeed | None = None
        error = manifest.error
        if error is None:
            try:
                parsed = parse_feed(read_payload(paths, manifest), source=manifest.url)
            except (FeedParseError, ValueError, OSError) as exc:
                error = str(exc)
        _replace_fetch(conn, manifest, parsed, error)
        if error is None and parsed is not None:
            summary.loaded[manifest.feed_id] = len(parsed.entries)
        else:
            summary.failed[manifest.feed_id] = error or "unknown error"
            log.warning("feed %s failed for %s: %s", manifest.feed_id, manifest.logical_date, error)
    return summary


def _replace_fetch(
    conn: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    parsed: ParsedFeed | None,
    error: str | None,
) -> None:
    fetch_id = fetch_id_for(manifest.feed_id, manifest.logical_date)
    conn.execute("begin transaction")
    try:
        conn.execute("delete from raw.entries where fetch_id = ?", [fetch_id])
        conn.execute("delete from raw.fetches where fetch_id = ?", [fetch_id])
        conn.execute(
            f"insert into raw.fetches values ({', '.join('?' * 19)})",  # noqa: S608 - fixed text
            [
                fetch_id, manifest.feed_id, manifest.url, manifest.logical_date,
                datetime.fromisoformat(manifest.fetched_at), manifest.http_status,
                manifest.etag, manifest.last_modified, manifest.payload_sha256,
                manifest.payload_bytes, len(parsed.entries) if parsed else None, error,
                parsed.bozo_reason if parsed else None,
                parsed.title if parsed else None, parsed.link if parsed else None,
                parsed.subtitle if parsed else None, parsed.language if parsed else None,
                parsed.generator if parsed else None, parsed.feed_json if parsed else None,
            ],
        )  # fmt: skip
        if parsed and parsed.entries:
            entries = _entries_frame(fetch_id, manifest, parsed)  # noqa: F841 - read by name below
            columns = ", ".join(ENTRY_COLUMNS)
            conn.execute(f"insert into raw.entries select {columns} from entries")  # noqa: S608
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


def _entries_frame(fetch_id: str, manifest: Manifest, parsed: ParsedFeed) -> pd.DataFrame:
    rows = [
        (
            fetch_id, manifest.feed_id, manifest.logical_date, index, e.guid, e.link, e.title,
            e.author, e.published, e.published_at, e.updated, e.updated_at, e.categories,
            e.summary, e.content, e.comments_count, e.enclosure_count, e.entry_json,
        )
        for index, e in enumerate(parsed.entries)
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=ENTRY_COLUMNS, dtype=object)
    return frame
