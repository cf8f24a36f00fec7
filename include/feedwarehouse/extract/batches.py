"""Extraction in a few batches, with a status of its own for each feed that failed.

For an orchestrator that pays a process per task (Airflow): a task per feed cost 358 s for 200
feeds under a real scheduler, against 38 s for `feedwarehouse run`. Feeds are grouped into a
few batches, each extracted by `extract_all` (a client per host, host-polite pool); a host's
feeds stay in one batch, so batches running at once never add up past a host's limit. What
failed is read back from the landing zone, and each failed feed gets a step of its own
(`settle_feed`) that names it, says why, and fetches that feed alone when asked again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from feedwarehouse.config import ConfigError, Feed, Paths, load_feeds
from feedwarehouse.errors import FeedFailed
from feedwarehouse.extract.credentials import MissingCredentials, connection_headers
from feedwarehouse.extract.feeds import extract as extract_one
from feedwarehouse.extract.feeds import extract_all
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.extract.land import manifest_path, read_manifest
from feedwarehouse.extract.landing_notes import log_landed, started_now

log = logging.getLogger(__name__)

# Below this many feeds a batch's task process costs more than its fetches.
MIN_BATCH_FEEDS = 25
# Two waves of a LocalExecutor with parallelism 4; more feeds make bigger batches instead.
MAX_BATCHES = 8


@dataclass(frozen=True)
class FeedBatch:
    """Feeds extracted together; `label` names the batch (its first and last feed)."""

    label: str
    feeds: list[Feed]

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "feeds": [asdict(feed) for feed in self.feeds]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedBatch:
        return cls(data["label"], [Feed(**feed) for feed in data["feeds"]])


@dataclass
class BatchOutcome:
    """What one batch landed, and each failed feed's reason."""

    landed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"landed": len(self.landed), "failed": self.failed}


def feed_batches(
    feeds: list[Feed], *, min_size: int = MIN_BATCH_FEEDS, max_batches: int = MAX_BATCHES
) -> list[FeedBatch]:
    """At most `max_batches` batches of at least `min_size` feeds, in the feeds file's order.

    A host's feeds are never split between batches (a host with more feeds than a batch holds
    gets a bigger batch); a file:// feed has no host to spare and goes anywhere.
    """
    size = max(min_size, math.ceil(len(feeds) / max(1, max_batches)))
    by_host: dict[str, list[Feed]] = {}
    for feed in feeds:
        by_host.setdefault(urlparse(feed.url).hostname or f"no host: {feed.id}", []).append(feed)
    batches: list[list[Feed]] = [[]]
    for host_feeds in by_host.values():
        if batches[-1] and len(batches[-1]) + len(host_feeds) > size:
            batches.append([])
        batches[-1].extend(host_feeds)
    return [FeedBatch(_label(batch), batch) for batch in batches if batch]


def extract_batch(
    feeds: list[Feed],
    logical_date: date,
    paths: Paths,
    *,
    today: date | None = None,
    credentials: Callable[[str], dict[str, str]] = connection_headers,
    policy: FetchPolicy | None = None,
) -> BatchOutcome:
    """Extract the feeds concurrently (see extract.extract_all); a feed's failure is recorded
    in its manifest and returned, never raised.

    Connections are looked up here, once each, not from the pool's threads: the Task SDK's
    channel to its supervisor is one socket.
    """
    credentials = _looked_up(credentials, {feed.conn_id for feed in feeds if feed.conn_id})
    since = started_now()
    manifests = extract_all(
        feeds, logical_date, paths, policy, today=today, credentials=credentials
    )
    outcome = BatchOutcome()
    for feed, manifest_file in zip(feeds, manifests, strict=True):
        try:  # logs what landed (or was reused), and warns of a payload not well-formed
            require_landed(feed, manifest_file, logical_date, paths=paths, since=since)
        except FeedFailed as exc:
            outcome.failed[feed.id] = str(exc)
            log.warning("%s", exc)
        else:
            outcome.landed.append(feed.id)
    log.info(
        "landed %d of %d feeds for %s; failed: %s",
        len(outcome.landed),
        len(feeds),
        logical_date,
        ", ".join(outcome.failed) or "none",
    )
    return outcome


def as_configured_now(feeds: list[Feed], feeds_file: Path) -> list[Feed]:
    """The feeds as the feeds file defines them now, by id: a cleared extract or refetch after
    a fix (a new URL, a Connection) uses the fix, not the list read when the run started.

    Raise ConfigError naming the feed if the file no longer lists it.
    """
    current = {feed.id: feed for feed in load_feeds(feeds_file)}
    missing = [feed.id for feed in feeds if feed.id not in current]
    if missing:
        raise ConfigError(
            f"feeds file {feeds_file} no longer lists {', '.join(missing)}: nothing to fetch "
            "(clear the run's `feeds` task with Downstream to run the file as it is now)"
        )
    return [current[feed.id] for feed in feeds]


def failed_feeds(feeds: list[Feed], logical_date: date, paths: Paths) -> list[Feed]:
    """The feeds whose fetch for the date failed, or was never recorded (a batch that died)."""
    failed = []
    for feed in feeds:
        target = manifest_path(paths, feed.id, logical_date)
        if not target.exists() or not read_manifest(target).ok:
            failed.append(feed)
    return failed


def settle_feed(
    feed: Feed,
    logical_date: date,
    paths: Paths,
    *,
    fetch_again: bool,
    today: date | None = None,
    credentials: Callable[[str], dict[str, str]] = connection_headers,
) -> Path:
    """One failed feed's own verdict: raise FeedFailed with its reason, or return its
    manifest file once it landed.

    Without `fetch_again` the batch's recorded outcome is the verdict (a 4xx is not fetched a
    second time); with it, or when nothing was recorded, the feed is extracted again, alone.
    """
    target = manifest_path(paths, feed.id, logical_date)
    if fetch_again or not target.exists():
        return extract_feed(feed, logical_date, paths, today=today, credentials=credentials)
    return require_landed(feed, target, logical_date, paths=paths)


def extract_feed(
    feed: Feed,
    logical_date: date,
    paths: Paths,
    policy: FetchPolicy | None = None,
    today: date | None = None,
    credentials: Callable[[str], dict[str, str]] = connection_headers,
) -> Path:
    """Fetch and land one feed; raise FeedFailed (after recording it) if the fetch failed.

    `today` is the run's wall-clock date: a logical date over a day behind it is a backfill
    (archive_url, else what was landed, else "no data"); None means a live fetch.
    """
    since = started_now()
    manifest_file = extract_one(
        feed, logical_date, paths, policy, today=today, credentials=credentials
    )
    return require_landed(feed, manifest_file, logical_date, paths=paths, since=since)


def require_landed(
    feed: Feed,
    manifest_file: Path,
    logical_date: date,
    *,
    paths: Paths | None = None,
    since: datetime | None = None,
) -> Path:
    """The feed's manifest file if it landed; else raise FeedFailed with the recorded reason.

    Logs what landed ("reused the payload landed at …" if it landed before `since`) and, given
    `paths`, warns of a payload that is not well-formed XML.
    """
    manifest = read_manifest(manifest_file)
    if not manifest.ok:
        raise FeedFailed(
            f"feed {feed.id} ({manifest.url}) for {logical_date}: {manifest.error}",
            is_transient=manifest.is_transient,
        )
    log_landed(manifest, paths, since)
    return manifest_file


def _label(feeds: list[Feed]) -> str:
    if len(feeds) == 1:
        return f"{feeds[0].id} (1 feed)"
    return f"{feeds[0].id} … {feeds[-1].id} ({len(feeds)} feeds)"


def _looked_up(
    credentials: Callable[[str], dict[str, str]], conn_ids: set[str]
) -> Callable[[str], dict[str, str]]:
    """`credentials` answered in advance for `conn_ids`, a missing Connection included."""
    answers: dict[str, dict[str, str] | MissingCredentials] = {}
    for conn_id in sorted(conn_ids):
        try:
            answers[conn_id] = credentials(conn_id)
        except MissingCredentials as exc:
            answers[conn_id] = exc

    def lookup(conn_id: str) -> dict[str, str]:
        answer = answers[conn_id]
        if isinstance(answer, MissingCredentials):
            raise MissingCredentials(str(answer))  # a fresh one per feed: threads share answers
        return answer

    return lookup
