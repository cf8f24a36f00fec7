"""Which landed payloads did not parse whole: the raw load's own record, beside the landing zone.

Layout under `<data_dir>/load/unparseable/<YYYY-MM-DD>/<feed_id>.json`: the payloads' sha256s,
the parse error (no usable feed) or the warning of a payload that was not well-formed (entries
past its break quarantined). The loader writes it; extract only reads it, to fetch such a feed
again on a rerun (the publisher may have fixed it) instead of replaying the broken bytes. A
verdict holds only for the payloads it was made on: a new landing for the date is judged afresh.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from feedwarehouse.config import Paths
from feedwarehouse.files import write_atomic


def verdict_path(paths: Paths, feed_id: str, logical_date: date) -> Path:
    day = logical_date.isoformat()
    return paths.data_dir / "load" / "unparseable" / day / f"{feed_id}.json"


def record_parse_result(
    paths: Paths,
    feed_id: str,
    logical_date: date,
    sha256s: list[str],
    error: str | None,
    warning: str | None = None,
) -> None:
    """Keep the verdict that these payloads are no usable feed (`error`) or a broken one whose
    entries past the break were quarantined (`warning`); drop it once they parse whole."""
    target = verdict_path(paths, feed_id, logical_date)
    if error is None and warning is None:
        target.unlink(missing_ok=True)
        return
    verdict = {"payload_sha256s": sha256s, "parse_error": error, "warning": warning}
    write_atomic(target, json.dumps(verdict, indent=2, sort_keys=True).encode())


def parse_error(paths: Paths, feed_id: str, logical_date: date, sha256s: list[str]) -> str | None:
    """Why the load could not parse these landed payloads, or None (parsed, or not tried yet)."""
    return _verdict(paths, feed_id, logical_date, sha256s).get("parse_error")


def refetch_reason(
    paths: Paths, feed_id: str, logical_date: date, sha256s: list[str]
) -> str | None:
    """Why a rerun of the date fetches again rather than replaying these payloads: the load
    could not parse them, or they were not well-formed; None when they parsed whole."""
    verdict = _verdict(paths, feed_id, logical_date, sha256s)
    return verdict.get("parse_error") or verdict.get("warning")


def _verdict(paths: Paths, feed_id: str, logical_date: date, sha256s: list[str]) -> dict:
    target = verdict_path(paths, feed_id, logical_date)
    if not target.is_file():
        return {}
    verdict = json.loads(target.read_text(encoding="utf-8"))
    return verdict if verdict["payload_sha256s"] == sha256s else {}
