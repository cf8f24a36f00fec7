"""RFC 822 dates ("Mon, 23 Nov 2026 12:30:00 +0000") read with one compiled pattern, for the
parse fast path: feedparser's date chain (w3dtf, then rfc822, …) costs a dozen Python calls per
date. The pattern accepts only the plain shape feedparser's _parse_date_rfc822 reads and its
w3dtf reader (tried first) refuses; the arithmetic is that reader's, so the result is the same
struct_time (tests/unit/test_fast_dates.py holds them equal). Anything else, and any date the
arithmetic refuses, goes through feedparser's chain.
"""

from __future__ import annotations

import datetime
import re
import time

from feedparser.datetimes import _parse_date

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# feedparser's rfc822 zone names this pattern accepts, in hours east of UTC
_ZONES = {"ut": 0, "gmt": 0, "z": 0, "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6}
_ZONES |= {"mst": -7, "pdt": -7, "pst": -8}
_RFC822 = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun), )?([0-9]{1,2}) "
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) ([0-9]{4}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-][0-9]{4}|ut|gmt|z|[ecmp][sd]t)",
    re.IGNORECASE | re.ASCII,  # ASCII: "\u017fep" (a long s) is no month to feedparser
)


def parse_date(text: str) -> time.struct_time | None:
    """feedparser's _parse_date(text), a plain RFC 822 date read without its chain."""
    match = _RFC822.fullmatch(text)
    if match is None:
        return _parse_date(text)
    day, month, year, hour, minute, second, zone = match.groups()
    zone = zone.lower()
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:])
        if zone[0] == "-":
            hours, minutes = -hours, -minutes
    else:
        hours, minutes = _ZONES[zone], 0
    try:
        stamp = datetime.datetime(
            int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second)
        )
        return (stamp - datetime.timedelta(minutes=minutes, hours=hours)).utctimetuple()
    except (OverflowError, ValueError):
        return _parse_date(text)  # an impossible date: feedparser's chain says what it is
