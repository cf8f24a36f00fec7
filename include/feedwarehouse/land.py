"""Landing zone: every payload stored once as received (content-addressed) plus a manifest.

Layout under `<data_dir>/landing/`:
  payloads/<sha[:2]>/<sha256>            the bytes exactly as fetched
  manifests/<YYYY-MM-DD>/<feed_id>.json  what happened for that feed on that logical date
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from feedwarehouse.config import Feed, Paths
from feedwarehouse.fetch import FetchPolicy, FetchResult, fetch_url


@dataclass(frozen=True)
class Manifest:
    """One fetch of one feed for one logical date; the raw loader's only input."""

    feed_id: str
    url: str
    logical_date: str  # ISO date
    fetched_at: str  # ISO timestamp, UTC
    http_status: int | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    payload_sha256: str | None
    payload_bytes: int | None
    attempts: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None and self.payload_sha256 is not None


def manifest_path(paths: Paths, feed_id: str, logical_date: date) -> Path:
    return paths.landing_dir / "manifests" / logical_date.isoformat() / f"{feed_id}.json"


def payload_path(paths: Paths, payload_sha256: str) -> Path:
    return paths.landing_dir / "payloads" / payload_sha256[:2] / payload_sha256


def read_manifest(path: Path) -> Manifest:
    return Manifest(**json.loads(path.read_text(encoding="utf-8")))


def read_payload(paths: Paths, manifest: Manifest) -> bytes:
    if manifest.payload_sha256 is None:
        raise ValueError(f"manifest for {manifest.feed_id} has no payload ({manifest.error})")
    body = payload_path(paths, manifest.payload_sha256).read_bytes()
    if hashlib.sha256(body).hexdigest() != manifest.payload_sha256:
        raise ValueError(
            f"landed payload {manifest.payload_sha256} of feed {manifest.feed_id} is corrupt "
            "(its sha256 no longer matches); delete it and rerun the date to refetch"
        )
    return body


def landed_manifests(paths: Paths, logical_date: date) -> list[Path]:
    """The manifests of every feed landed for a logical date, in feed-id order."""
    folder = paths.landing_dir / "manifests" / logical_date.isoformat()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def extract(
    feed: Feed, logical_date: date, paths: Paths, policy: FetchPolicy | None = None
) -> Path:
    """Fetch a feed for a logical date and land it; returns the manifest path.

    Idempotent: a date whose payload already landed successfully is not fetched again, so a
    rerun loads exactly what the first run saw.
    """
    target = manifest_path(paths, feed.id, logical_date)
    if target.exists():
        landed = read_manifest(target)
        # a deleted payload (the fix for a corrupt one) is fetched again
        if landed.ok and payload_path(paths, str(landed.payload_sha256)).exists():
            return target
    result = fetch_url(feed.url, policy)
    manifest = land(paths, feed, logical_date, result)
    _write_atomic(target, json.dumps(asdict(manifest), indent=2, sort_keys=True).encode())
    return target


def land(paths: Paths, feed: Feed, logical_date: date, result: FetchResult) -> Manifest:
    """Store a fetch result's bytes content-addressed and describe it in a manifest."""
    sha = size = None
    if result.ok and result.body is not None:
        sha = hashlib.sha256(result.body).hexdigest()
        size = len(result.body)
        target = payload_path(paths, sha)
        if not target.exists():
            _write_atomic(target, result.body)
    return Manifest(
        feed_id=feed.id,
        url=result.url,
        logical_date=logical_date.isoformat(),
        fetched_at=datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        http_status=result.status,
        etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"),
        content_type=result.headers.get("content-type"),
        payload_sha256=sha,
        payload_bytes=size,
        attempts=result.attempts,
        error=result.error if not result.ok else None,
    )


def _write_atomic(target: Path, data: bytes) -> None:
    """Write via a temp file and rename, so a crash never leaves a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
