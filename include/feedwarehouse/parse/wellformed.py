"""Where a payload stops being well-formed XML, and which of its entries end before that.

feedparser's lenient parser recovers what it can from a broken payload (a feed cut off
mid-item by a publisher's timeout, a stray `<` in a title): the entries closed before the break
are whole; those it recovers at or past the break may be cut short or stitched together, and
lose their guid. Those are kept out of the marts (quarantined), and the fetch is warned.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat

from feedwarehouse.parse import charset

_ENTRY_NAMES = frozenset({"item", "entry"})
NOT_WELL_FORMED = "not well-formed"  # how every such warning starts (dbt matches it)


@dataclass(frozen=True)
class Break:
    """The first point expat cannot read past, and how many entries were closed before it."""

    line: int
    column: int
    message: str
    intact_entries: int


@dataclass(frozen=True)
class PayloadHealth:
    """A payload's warning (None when well-formed) and, per entry, whether it is past the break."""

    warning: str | None
    past_break: list[bool]


def find_break(payload: bytes, content_type: str | None = None) -> Break | None:
    """The payload's first XML error and the entries (`item`, `entry`) closed before it.

    None when expat reads the whole payload. Runs after xml_guard.check_entities, so the
    prolog declares nothing expat would expand; on the document decoded as the parser reads
    it (charset.decode: UTF-8, its declaration saying so), as expat reads no multi-byte
    legacy charset.
    """
    payload = charset.decode(payload, content_type).payload
    parser = expat.ParserCreate(namespace_separator=" ")
    closed = 0

    def end(name: str) -> None:
        nonlocal closed
        if name.rsplit(" ", 1)[-1] in _ENTRY_NAMES:
            closed += 1

    parser.EndElementHandler = end
    try:
        parser.Parse(payload.lstrip(b"\xef\xbb\xbf \t\r\n"), True)
    except expat.ExpatError as exc:
        message = expat.errors.messages.get(exc.code, str(exc))
        return Break(exc.lineno, exc.offset, message, closed)
    return None


def assess(
    payload: bytes, bozo_reason: str | None, entry_count: int, content_type: str | None = None
) -> PayloadHealth:
    """Whether feedparser had to recover this payload, and which of its entries to distrust.

    Only a payload feedparser itself found not well-formed (a SAXParseException) is warned: a
    charset note or an encoding expat lacks is no break.
    """
    if not bozo_reason or "SAXParseException" not in bozo_reason:
        return PayloadHealth(None, [False] * entry_count)
    found = find_break(payload, content_type)
    if found is None or found.message.startswith("unknown encoding"):
        return PayloadHealth(
            f"{NOT_WELL_FORMED}: {_entries(entry_count)} recovered ({bozo_reason})",
            [False] * entry_count,
        )
    intact = min(found.intact_entries, entry_count)
    past = entry_count - intact
    warning = (
        f"{NOT_WELL_FORMED}: {_entries(intact)} recovered, {past} past the break at line "
        f"{found.line}, column {found.column} ({found.message}) quarantined"
    )
    return PayloadHealth(warning, [index >= intact for index in range(entry_count)])


def combine(warnings: list[str | None]) -> str | None:
    """One fetch's warning from those of its pages ("page N: …" when there are several)."""
    if len(warnings) == 1:
        return warnings[0]
    named = [f"page {n}: {w}" for n, w in enumerate(warnings, start=1) if w]
    return "; ".join(named) or None


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"
