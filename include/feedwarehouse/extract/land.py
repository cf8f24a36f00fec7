"""Landing zone: every payload stored once as received (content-addressed) plus a manifest.

Layout under `<data_dir>/landing/`:
  payloads/<sha[:2]>/<sha256>            the bytes exactly as fetched
  manifests/<YYYY-MM-DD>/<feed_id>.json  what happened for that feed on that logical date

A manifest is written for every attempt, failed ones included, so the raw layer can be rebuilt
from the landing zone alone. This module is the store only: what to fetch and when is
`extract`'s policy; whether a payload parsed is the raw load's own record (load/verdicts.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from feedwarehouse import failpoints
from feedwarehouse.config import Feed, Paths
from feedwarehouse.extract.fetch import FetchResult
from feedwarehouse.files import write_atomic
from feedwarehouse.parse.verdicts import parse_error

LIVE, ARCHIVE = "live", "archive"


@dataclass(frozen=True)
class Manifest:
    """One fetch of one feed for one logical date; the raw loader's only input."""

    feed_id: str
    url: str
    logical_date: date
    fetched_at: str  # ISO timestamp, UTC
    http_status: int | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    payload_sha256: str | None
    payload_bytes: int | None  # all pages together
    attempts: int
    error: str | None
    # fields below were added later: older manifests load with these defaults
    source: str = LIVE  # "live": the feed URL; "archive": the archive_url for the date
    is_unchanged: bool = False  # 304, or the same bytes as the previous landed payload
    previous_logical_date: date | None = None  # the date whose payload this one repeats
    more_payload_sha256s: list[str] = field(default_factory=list)  # archive pages 2..n
    # the fetch failed in a way that may pass (timeouts, 5xx, 429): a later try may succeed;
    # every other failure (4xx, no data for the date, a missing Connection) is deterministic
    is_transient: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.payload_sha256 is not None

    @property
    def verdict_key(self) -> tuple[str, date, list[str]]:
        """Which payloads of which fetch: the key of the raw load's parse verdict."""
        return self.feed_id, self.logical_date, self.payload_sha256s

    @property
    def payload_sha256s(self) -> list[str]:
        return [self.payload_sha256, *self.more_payload_sha256s] if self.payload_sha256 else []


def manifest_path(paths: Paths, feed_id: str, logical_date: date) -> Path:
    return paths.landing_dir / "manifests" / logical_date.isoformat() / f"{feed_id}.json"


def payload_path(paths: Paths, payload_sha256: str) -> Path:
    return paths.landing_dir / "payloads" / payload_sha256[:2] / payload_sha256


def read_manifest(path: Path) -> Manifest:
    fields = json.loads(path.read_text(encoding="utf-8"))
    fields.pop("parse_error", None)  # the loader's verdict, kept in manifests before 0.1.0's end
    for name in ("logical_date", "previous_logical_date"):
        if fields.get(name) is not None:
            fields[name] = date.fromisoformat(fields[name])
    return Manifest(**fields)


def write_manifest(path: Path, manifest: Manifest) -> None:
    text = json.dumps(asdict(manifest), indent=2, sort_keys=True, default=date.isoformat)
    write_atomic(path, text.encode())


def read_payload(paths: Paths, manifest: Manifest, payload_sha256: str | None = None) -> bytes:
    """The bytes of a manifest's (first, or the given) payload, checked against their sha256."""
    sha = payload_sha256 or manifest.payload_sha256
    if sha is None:
        raise ValueError(f"manifest for {manifest.feed_id} has no payload ({manifest.error})")
    body = payload_path(paths, sha).read_bytes()
    if hashlib.sha256(body).hexdigest() != sha:
        raise ValueError(
            f"landed payload {sha} of feed {manifest.feed_id} is corrupt "
            "(its sha256 no longer matches); delete it and rerun the date to refetch"
        )
    return body


def landed_manifests(paths: Paths, logical_date: date) -> list[Path]:
    """The manifests of every feed landed for a logical date, in feed-id order."""
    folder = paths.landing_dir / "manifests" / logical_date.isoformat()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def previous_manifest(paths: Paths, feed: Feed, logical_date: date) -> Manifest | None:
    """The latest successful live fetch of the same URL before `logical_date`, payload present.

    Its ETag/Last-Modified make the conditional GET; its hash tells an unchanged payload.
    """
    root = paths.landing_dir / "manifests"
    days = (
        sorted((d.name for d in root.iterdir() if d.is_dir()), reverse=True)
        if root.is_dir()
        else []
    )
    for day in days:
        if day >= logical_date.isoformat():
            continue
        candidate = root / day / f"{feed.id}.json"
        if not candidate.is_file():
            continue
        manifest = read_manifest(candidate)
        same_source = manifest.source == LIVE and manifest.url == feed.url
        usable = manifest.ok and parse_error(paths, *manifest.verdict_key) is None
        if usable and same_source and payloads_present(paths, manifest):
            return manifest
    return None


def land(
    paths: Paths, feed: Feed, logical_date: date, result: FetchResult, source: str = LIVE
) -> Manifest:
    """Store a fetch result's bytes content-addressed and describe it in a manifest."""
    sha = size = None
    if result.ok and result.body is not None:
        sha = store_payload(paths, result.body)
        size = len(result.body)
        failpoints.hit("land.payload_stored")
    return Manifest(
        feed_id=feed.id,
        url=result.url,
        logical_date=logical_date,
        fetched_at=datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        http_status=result.status,
        etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"),
        content_type=result.headers.get("content-type"),
        payload_sha256=sha,
        payload_bytes=size,
        attempts=result.attempts,
        error=result.error if not result.ok else None,
        source=source,
        is_transient=result.is_transient and not result.ok,
    )


def payloads_present(paths: Paths, manifest: Manifest) -> bool:
    """Whether every payload a manifest names is still in the store (a corrupt one is deleted)."""
    return all(payload_path(paths, sha).exists() for sha in manifest.payload_sha256s)


def store_payload(paths: Paths, body: bytes) -> str:
    """Store bytes under their sha256 (once: the same bytes are never written twice)."""
    sha = hashlib.sha256(body).hexdigest()
    target = payload_path(paths, sha)
    if not target.exists():
        write_atomic(target, body)
    return sha
