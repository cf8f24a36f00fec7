"""The raw load's own record of landed payloads it could not parse, beside the landing zone.

Layout under `<data_dir>/load/unparseable/<YYYY-MM-DD>/<feed_id>.json`: the payloads' sha256s
and the parse error. The loader writes it; extract only reads it, to fetch such a feed again on
a rerun (the publisher may have fixed it) instead of replaying the broken bytes. A verdict holds
only for the payloads it was made on: a new landing for the date is judged afresh.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from feedwarehouse.config import Paths
from feedwarehouse.files import write_atomic

if TYPE_CHECKING:
    from feedwarehouse.extract.land import Manifest


def verdict_path(paths: Paths, feed_id: str, logical_date: str) -> Path:
    return paths.data_dir / "load" / "unparseable" / logical_date / f"{feed_id}.json"


def record_parse_result(paths: Paths, manifest: Manifest, parse_error: str | None) -> None:
    """Keep (or, once it parses, drop) the verdict on the manifest's payloads."""
    target = verdict_path(paths, manifest.feed_id, manifest.logical_date)
    if parse_error is None:
        target.unlink(missing_ok=True)
        return
    verdict = {"payload_sha256s": manifest.payload_sha256s, "parse_error": parse_error}
    write_atomic(target, json.dumps(verdict, indent=2, sort_keys=True).encode())


def parse_error(paths: Paths, manifest: Manifest) -> str | None:
    """Why the load could not parse these landed payloads, or None (parsed, or not tried yet)."""
    target = verdict_path(paths, manifest.feed_id, manifest.logical_date)
    if not target.is_file():
        return None
    verdict = json.loads(target.read_text(encoding="utf-8"))
    if verdict["payload_sha256s"] != manifest.payload_sha256s:
        return None
    return verdict["parse_error"]
