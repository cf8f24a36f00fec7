"""Extraction policy: what to fetch for a feed and a logical date, and how hard.

Live dates make a conditional GET of the feed; backfilled dates read the date's archive page
by page (or record that no data exists); a payload that already landed is never fetched again.
Many feeds run on one thread pool with a small pooled HTTP client per host. Everything fetched
goes to the landing store (`land`); extract reads the landing zone only, never the warehouse.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

import httpx

from feedwarehouse.config import Feed, Paths, archive_url_for
from feedwarehouse.extract.credentials import MissingCredentials, connection_headers
from feedwarehouse.extract.fetch import FetchResult, fetch_url
from feedwarehouse.extract.fetch_policy import FetchPolicy, HostLimiter, default_policy, pool_size
from feedwarehouse.extract.http_clients import HostClients
from feedwarehouse.extract.land import (
    ARCHIVE,
    Manifest,
    land,
    manifest_path,
    payloads_present,
    previous_manifest,
    read_manifest,
    store_payload,
    write_manifest,
)
from feedwarehouse.parse.feed import count_entries
from feedwarehouse.parse.verdicts import refetch_reason

log = logging.getLogger(__name__)


def is_backfill(logical_date: date, today: date | None) -> bool:
    """Backfill mode: the date is over a day behind `today` (the run for D runs on D+1).

    `today` comes from the caller (the run's wall-clock date); None means live mode.
    """
    return today is not None and logical_date < today - timedelta(days=1)


def extract(
    feed: Feed,
    logical_date: date,
    paths: Paths,
    policy: FetchPolicy | None = None,
    *,
    today: date | None = None,
    client: httpx.Client | HostClients | None = None,
    limiter: HostLimiter | None = None,
    sleep: Callable[[float], None] = time.sleep,
    credentials: Callable[[str], dict[str, str]] = connection_headers,
) -> Path:
    """Fetch a feed for a logical date and land it; returns the manifest path.

    Idempotent: a date whose payload already landed successfully is not fetched again, so a
    rerun (or a backfill of a date that was fetched live) loads exactly what was first seen;
    a payload the raw load could not parse, or found not well-formed (entries past its break
    quarantined), is fetched again (from the archive, for a backfill): the publisher may have
    fixed it.
    A feed with a `conn_id` gets its request headers from `credentials(conn_id)`: by default
    from $AIRFLOW_CONN_<CONN_ID>; inside Airflow from the Connection through the Task SDK.
    """
    policy = _feed_policy(feed, paths, policy or default_policy())
    target = manifest_path(paths, feed.id, logical_date)
    landed = read_manifest(target) if target.exists() else None
    # a deleted payload (the fix for a corrupt one) is fetched again
    if landed is not None and landed.ok and payloads_present(paths, landed):
        replay_only = is_backfill(logical_date, today) and not feed.archive_url
        if refetch_reason(paths, *landed.verdict_key) is None or replay_only:
            return target
    auth_headers: dict[str, str] = {}
    if feed.conn_id:
        try:
            auth_headers = credentials(feed.conn_id)
        except MissingCredentials as exc:
            failed = FetchResult(url=feed.url, error=f"feed {feed.id}: {exc}")
            write_manifest(target, land(paths, feed, logical_date, failed))
            return target
    fetch = _Fetcher(policy, client, limiter or HostLimiter(policy.per_host), sleep, auth_headers)
    if not is_backfill(logical_date, today):
        manifest = _extract_live(feed, logical_date, paths, fetch)
    elif feed.archive_url:
        manifest = _extract_archive(feed, logical_date, paths, fetch)
    else:
        manifest = _no_data(feed, logical_date, paths, landed)
    write_manifest(target, manifest)
    return target


def extract_all(
    feeds: list[Feed],
    logical_date: date,
    paths: Paths,
    policy: FetchPolicy | None = None,
    *,
    today: date | None = None,
    sleep: Callable[[float], None] = time.sleep,
    credentials: Callable[[str], dict[str, str]] = connection_headers,
) -> list[Path]:
    """Extract many feeds concurrently: a client per host, per-host limits, a pool sized to hosts.

    One feed's failure (even an unexpected exception) is written to its manifest and never
    stops the others. Returns the manifest paths in the order of `feeds`. `credentials` is
    called from the pool's threads (see extract).
    """
    policy = policy or default_policy()
    limiter = HostLimiter(policy.per_host)
    with (
        HostClients(policy) as clients,
        ThreadPoolExecutor(
            pool_size([feed.url for feed in feeds], policy), thread_name_prefix="extract"
        ) as pool,
    ):
        one_feed = partial(
            _extract_recorded,
            logical_date=logical_date,
            paths=paths,
            policy=policy,
            today=today,
            client=clients,
            limiter=limiter,
            sleep=sleep,
            credentials=credentials,
        )
        futures = [pool.submit(one_feed, feed) for feed in feeds]
        return [future.result() for future in futures]


@dataclass(frozen=True)
class _Fetcher:
    """fetch_url with this run's policy, shared clients, host limiter and sleep bound in."""

    policy: FetchPolicy
    client: httpx.Client | HostClients | None
    limiter: HostLimiter
    sleep: Callable[[float], None]
    auth_headers: dict[str, str] = field(default_factory=dict)  # from a Connection; never stored

    def __call__(self, url: str, headers: dict[str, str] | None = None) -> FetchResult:
        return fetch_url(
            url,
            self.policy,
            request_headers={**self.auth_headers, **(headers or {})},
            sleep=self.sleep,
            client=self.client,
            limiter=self.limiter,
        )


def _extract_live(feed: Feed, logical_date: date, paths: Paths, fetch: _Fetcher) -> Manifest:
    previous = previous_manifest(paths, feed, logical_date)
    result = fetch(feed.url, _conditional_headers(previous))
    if result.status == 304 and result.error is None:
        if previous is None:
            result.error = (
                f"HTTP 304 Not Modified from {feed.url} although no validators were sent; "
                "nothing was landed to reuse"
            )
            return land(paths, feed, logical_date, result)
        # nothing new: the manifest points at the previous payload, nothing is re-parsed
        return replace(
            land(paths, feed, logical_date, result),
            etag=result.headers.get("etag", previous.etag),
            last_modified=result.headers.get("last-modified", previous.last_modified),
            content_type=previous.content_type,
            payload_sha256=previous.payload_sha256,
            payload_bytes=previous.payload_bytes,
            is_unchanged=True,
            previous_logical_date=previous.logical_date,
        )
    manifest = land(paths, feed, logical_date, result)
    if previous is not None and manifest.ok and manifest.payload_sha256 == previous.payload_sha256:
        manifest = replace(manifest, is_unchanged=True, previous_logical_date=previous.logical_date)
    return manifest


def _extract_archive(feed: Feed, logical_date: date, paths: Paths, fetch: _Fetcher) -> Manifest:
    """The date's archive feed, page by page (WordPress `?paged=N`) until 404, empty or repeat."""
    first_url = archive_url_for(str(feed.archive_url), logical_date)
    first = fetch(first_url)
    manifest = land(paths, feed, logical_date, first, source=ARCHIVE)
    if not manifest.ok:
        return replace(manifest, error=f"archive for {logical_date}: {manifest.error}")
    shas, total = [str(manifest.payload_sha256)], int(manifest.payload_bytes or 0)
    body, page = first.body or b"", 1
    while count_entries(body, source=first_url) > 0 and page < fetch.policy.max_archive_pages:
        page += 1
        page_url = _paged(first_url, page)
        result = fetch(page_url)
        if result.status in (404, 410):
            break  # past the last page
        if not result.ok:
            return replace(
                manifest,
                payload_sha256=None,
                payload_bytes=None,
                more_payload_sha256s=[],
                http_status=result.status,
                error=f"archive for {logical_date}, page {page}: {result.error}",
                is_transient=result.is_transient,
            )
        body = result.body or b""
        sha = hashlib.sha256(body).hexdigest()
        if sha in shas or count_entries(body, source=page_url) == 0:
            break  # a server that ignores `paged` repeats page 1; an empty page is the end
        shas.append(store_payload(paths, body))
        total += len(body)
    return replace(manifest, payload_bytes=total, more_payload_sha256s=shas[1:])


def _no_data(feed: Feed, logical_date: date, paths: Paths, landed: Manifest | None) -> Manifest:
    """A past date without an archive: recorded as missing, never the live feed re-dated."""
    if landed is not None and landed.source == ARCHIVE and landed.attempts == 0:
        # this record, from an earlier try (an Airflow retry, a rerun): nothing was fetched, so
        # it stays as it is; quoting its error as "the fetch on that date" nested the message
        return landed
    error = (
        f"no data for {logical_date}: feed has no archive_url and nothing was landed for that "
        "date; add an archive_url to backfill it"
    )
    if landed is not None and landed.error:
        error += f" (the fetch on that date failed: {landed.error})"
    return land(paths, feed, logical_date, FetchResult(url=feed.url, error=error), source=ARCHIVE)


def _extract_recorded(
    feed: Feed,
    logical_date: date,
    paths: Paths,
    policy: FetchPolicy,
    today: date | None,
    client: httpx.Client | HostClients,
    limiter: HostLimiter,
    sleep: Callable[[float], None],
    credentials: Callable[[str], dict[str, str]],
) -> Path:
    try:
        return extract(
            feed,
            logical_date,
            paths,
            policy,
            today=today,
            client=client,
            limiter=limiter,
            sleep=sleep,
            credentials=credentials,
        )
    except Exception as exc:  # one feed's bug must not cost the other feeds their run
        log.exception("extracting feed %s for %s failed", feed.id, logical_date)
        target = manifest_path(paths, feed.id, logical_date)
        failed = FetchResult(
            url=feed.url, error=f"unexpected {type(exc).__name__} while extracting: {exc}"
        )
        write_manifest(target, land(paths, feed, logical_date, failed))
        return target


def _feed_policy(feed: Feed, paths: Paths, policy: FetchPolicy) -> FetchPolicy:
    """The policy for one feed: its feeds file may allow private hosts; default file roots."""
    roots = policy.file_roots or tuple(
        Path(root).resolve() for root in (feed.file_root, paths.data_dir) if root
    )
    return replace(
        policy, allow_private=policy.allow_private or feed.allow_private_host, file_roots=roots
    )


def _conditional_headers(previous: Manifest | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous is not None and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    return headers


def _paged(url: str, page: int) -> str:
    return f"{url}{'&' if urlparse(url).query else '?'}paged={page}"
