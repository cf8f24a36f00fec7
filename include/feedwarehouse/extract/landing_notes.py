"""What the extract log says of a landed feed: fetched now or reused, and whether the payload
is well-formed XML (the raw load quarantines what a broken payload holds past its break)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from feedwarehouse.config import Paths
from feedwarehouse.extract.land import Manifest, read_payload
from feedwarehouse.parse.wellformed import NOT_WELL_FORMED, find_break

log = logging.getLogger("feedwarehouse.orchestration.steps")  # the extract task's own lines


def log_landed(manifest: Manifest, paths: Paths | None, since: datetime | None) -> None:
    """The extract log's line for a landed feed, and its warning if the XML is broken."""
    log.info("%s", landed_line(manifest, since))
    warning = payload_warning(paths, manifest) if paths is not None else None
    if warning is not None:
        log.warning("%s", warning)


def started_now() -> datetime:
    """A step's start, comparable with a manifest's fetched_at (naive UTC, whole seconds)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def landed_line(manifest: Manifest, since: datetime | None = None) -> str:
    """ "landed …" for a payload fetched since `since`; "reused the payload landed at …" for
    one an earlier run of the date landed (a rerun does not fetch the date again)."""
    size = f"{manifest.payload_bytes} bytes, sha256 {manifest.payload_sha256}"
    if since is not None and datetime.fromisoformat(manifest.fetched_at) < since:
        return (
            f"{manifest.feed_id}: reused the payload landed at {manifest.fetched_at} UTC for "
            f"{manifest.logical_date} ({size}); not fetched again"
        )
    return f"landed {manifest.feed_id}: {size}"


def payload_warning(paths: Paths, manifest: Manifest) -> str | None:
    """For a landed XML payload that is not well-formed: where it breaks, in one line."""
    for page, sha in enumerate(manifest.payload_sha256s, start=1):
        try:
            payload = read_payload(paths, manifest, sha)
        except (OSError, ValueError):
            return None  # the raw load names a missing or corrupt payload
        if not payload.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            continue  # not XML (a JSON Feed): nothing for expat to say
        found = find_break(payload, manifest.content_type)
        if found is not None and not found.message.startswith("unknown encoding"):
            where = f"page {page}, " if len(manifest.payload_sha256s) > 1 else ""
            return (
                f"feed {manifest.feed_id} ({manifest.url}): {NOT_WELL_FORMED} at {where}line "
                f"{found.line}, column {found.column} ({found.message}): {found.intact_entries} "
                "entries end before the break; the raw load quarantines what is past it"
            )
    return None
