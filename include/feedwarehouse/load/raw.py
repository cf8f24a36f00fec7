"""Raw loader: landed payloads into raw.fetches and raw.entries, one transaction per fetch.

A load replaces the rows of its (feed, logical date), so reruns and backfills never duplicate;
on the lake it appends and the latest load of a (feed, date) wins (load/lake_raw.py).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import duckdb

from feedwarehouse import failpoints
from feedwarehouse.config import Paths
from feedwarehouse.extract.land import Manifest, read_manifest, read_payload
from feedwarehouse.lake import is_lake
from feedwarehouse.load.lake_raw import append_fetch
from feedwarehouse.parse import wellformed
from feedwarehouse.parse.feed import FeedParseError, ParsedFeed, parse_feed
from feedwarehouse.parse.verdicts import record_parse_result
from feedwarehouse.tables import (
    FEED_META_COLUMNS,
    EntryRow,
    FetchRow,
    ensure_schema,
    insert_rows,
)

log = logging.getLogger(__name__)


@dataclass
class LoadSummary:
    """What one load did, per feed: for the run summary and XCom."""

    loaded: dict[str, int] = field(default_factory=dict)  # feed_id -> entries
    failed: dict[str, str] = field(default_factory=dict)  # feed_id -> error
    unchanged: list[str] = field(default_factory=list)  # loaded, same payload as before
    warned: dict[str, str] = field(default_factory=dict)  # feed_id -> warning (not well-formed)

    def as_dict(self) -> dict[str, object]:
        return {
            "loaded": self.loaded,
            "failed": self.failed,
            "unchanged": self.unchanged,
            "warned": self.warned,
        }


def fetch_id_for(feed_id: str, logical_date: date) -> str:
    return hashlib.md5(f"{feed_id}|{logical_date}".encode()).hexdigest()  # noqa: S324 - an id


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
        health: wellformed.PayloadHealth | None = None
        meta: dict[str, object] | None = None
        error = manifest.error
        if error is None and manifest.is_unchanged:
            meta = _parsed_before(conn, manifest, fetch_id)
        if error is None and meta is None:
            try:
                parsed, health = _parse_pages(paths, manifest)
            except FeedParseError as exc:
                error = str(exc)
                record_parse_result(paths, *manifest.verdict_key, error)
            except (ValueError, OSError) as exc:  # a corrupt or missing payload file
                error = str(exc)
            else:
                record_parse_result(paths, *manifest.verdict_key, None, health.warning)
        _replace_fetch(conn, fetch_id, manifest, parsed, meta, error, health)
        warning = (meta or {}).get("warning") or (health.warning if health else None)
        if error is None and warning:
            log.warning("feed %s for %s: %s", manifest.feed_id, manifest.logical_date, warning)
            summary.warned[manifest.feed_id] = str(warning)
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
) -> dict[str, object] | None:
    """Feed metadata of an earlier fetch whose entries of this same payload are loaded.

    None means the warehouse lacks them (e.g. a replay into a fresh file): parse after all,
    so that no post is ever lost.
    """
    row = conn.execute(
        f"select {', '.join(FEED_META_COLUMNS)} from raw.fetches "  # noqa: S608 - fixed text
        "where feed_id = ? and payload_sha256 = ? and fetch_id <> ? and error is null "
        "and feed_json is not null and not (coalesce(is_unchanged, false) and entry_count = 0) "
        "order by logical_date desc limit 1",
        [manifest.feed_id, manifest.payload_sha256, fetch_id],
    ).fetchone()
    return dict(zip(FEED_META_COLUMNS, row, strict=True)) if row is not None else None


def _parse_pages(paths: Paths, manifest: Manifest) -> tuple[ParsedFeed, wellformed.PayloadHealth]:
    """Every landed page of a fetch as one feed: page 1's metadata, all pages' entries; and
    whether a page was not well-formed (its warning, its entries recovered past the break)."""
    pages, healths = [], []
    for sha in manifest.payload_sha256s:
        payload = read_payload(paths, manifest, sha)
        page = parse_feed(payload, source=manifest.url, content_type=manifest.content_type)
        pages.append(page)
        healths.append(
            wellformed.assess(
                payload, page.bozo_reason, len(page.entries), content_type=manifest.content_type
            )
        )
    first = pages[0]
    reasons = [page.bozo_reason for page in pages if page.bozo_reason]
    health = wellformed.PayloadHealth(
        wellformed.combine([h.warning for h in healths]),
        [flag for h in healths for flag in h.past_break],
    )
    feed = replace(
        first,
        bozo_reason=reasons[0] if reasons else None,
        entries=[entry for page in pages for entry in page.entries],
    )
    return feed, health


def _replace_fetch(
    conn: duckdb.DuckDBPyConnection,
    fetch_id: str,
    manifest: Manifest,
    parsed: ParsedFeed | None,
    meta: dict[str, object] | None,
    error: str | None,
    health: wellformed.PayloadHealth | None = None,
) -> None:
    if parsed is not None:
        meta = {
            "warning": health.warning if health else None,
            "bozo_reason": parsed.bozo_reason,
            "feed_title": parsed.title,
            "feed_link": parsed.link,
            "feed_subtitle": parsed.subtitle,
            "feed_language": parsed.language,
            "feed_generator": parsed.generator,
            "feed_json": parsed.feed_json,
        }
    entry_count = len(parsed.entries) if parsed else (0 if meta is not None else None)
    fetch = FetchRow(
        fetch_id=fetch_id,
        feed_id=manifest.feed_id,
        url=manifest.url,
        logical_date=manifest.logical_date,
        fetched_at=datetime.fromisoformat(manifest.fetched_at),
        http_status=manifest.http_status,
        etag=manifest.etag,
        last_modified=manifest.last_modified,
        payload_sha256=manifest.payload_sha256,
        payload_bytes=manifest.payload_bytes,
        entry_count=entry_count,
        error=error,
        is_unchanged=manifest.is_unchanged,
        fetch_mode=manifest.source,
        page_count=len(manifest.payload_sha256s),
        content_type=manifest.content_type,
        **(meta or dict.fromkeys(FEED_META_COLUMNS)),  # type: ignore[arg-type]
    )
    entries = _entry_rows(fetch_id, manifest, parsed, health) if parsed else []
    conn.execute("begin transaction")
    try:
        if is_lake(conn):  # an append; the latest load wins (load/lake_raw.py)
            append_fetch(conn, fetch, entries)
            failpoints.hit("load.fetch_inserted")
        else:
            conn.execute("delete from raw.entries where fetch_id = ?", [fetch_id])
            conn.execute("delete from raw.fetches where fetch_id = ?", [fetch_id])
            insert_rows(conn, "raw.fetches", [fetch])
            failpoints.hit("load.fetch_inserted")
            insert_rows(conn, "raw.entries", entries)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    failpoints.hit("load.fetch_committed")


def _entry_rows(
    fetch_id: str,
    manifest: Manifest,
    parsed: ParsedFeed,
    health: wellformed.PayloadHealth | None,
) -> list[EntryRow]:
    past_break = health.past_break if health else [False] * len(parsed.entries)
    return [
        EntryRow(
            fetch_id=fetch_id,
            feed_id=manifest.feed_id,
            logical_date=manifest.logical_date,
            entry_index=index,
            guid=e.guid,
            link=e.link,
            title=e.title,
            author=e.author,
            published=e.published,
            published_at=e.published_at,
            updated=e.updated,
            updated_at=e.updated_at,
            categories=e.categories,
            summary=e.summary,
            content=e.content,
            comments_count=e.comments_count,
            enclosure_count=e.enclosure_count,
            entry_json=e.entry_json,
            author_name=e.author_name,
            updated_element=e.updated_element,
            body_html=e.body_html,
            body_source=e.body_source,
            is_past_break=past_break[index],
        )
        for index, e in enumerate(parsed.entries)
    ]
