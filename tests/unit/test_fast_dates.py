"""parse/fast_dates.py against feedparser's own _parse_date: the same struct_time (or None) for
every date, whether the compiled pattern reads it or feedparser's chain does."""

from __future__ import annotations

import itertools
import random

import pytest
from feedparser.datetimes import _parse_date

from feedwarehouse.parse import fast_dates

DAYS = ("Mon, ", "sun, ", "THU, ", "", "Xyz, ", "Mon,", "Monday, ")
MONTHS = ("Jan", "feb", "MAR", "Sep", "Dec", "Sept", "June", "Foo", "\u017fep")
ZONES = (
    "+0000", "-0000", "+0530", "-0930", "+1400", "-1200", "+0090", "+2359", "+05:30", "+05",
    "GMT", "gmt", "UT", "UTC", "Z", "z", "EST", "edt", "CST", "CDT", "MST", "MDT", "PST", "PDT",
    "ADT", "AST", "MET", "MEST", "A", "N", "M", "Y", "GMT+01:00", "Etc/GMT", "XYZ", "",
)  # fmt: skip
TIMES = ("00:00:00", "12:30:05", "23:59:59", "24:00:00", "09:60:00", "7:05:00", "12:30")
YEARS = ("2026", "1999", "1900", "0001", "9999", "26", "99")
DAYS_OF_MONTH = ("1", "01", "9", "28", "29", "30", "31", "32", "00")


def test_the_pattern_gives_feedparsers_date_for_every_combination() -> None:
    rng = random.Random(25)
    combinations = list(itertools.product(DAYS, DAYS_OF_MONTH, MONTHS, YEARS, TIMES, ZONES))
    read_by_pattern = 0
    for day_name, day, month, year, clock, zone in rng.sample(combinations, 40_000):
        text = f"{day_name}{day} {month} {year} {clock} {zone}".strip()
        assert fast_dates.parse_date(text) == _parse_date(text), text
        read_by_pattern += fast_dates._RFC822.fullmatch(text) is not None
    assert read_by_pattern > 3_000  # the fast reading itself was compared, not only the chain


@pytest.mark.parametrize(
    "text",
    [
        "Mon, 23 Nov 2026 12:30:00 +0000",
        "Sat, 29 Feb 2020 23:59:59 -1200",  # across a day and a leap day
        "Fri, 31 Dec 1999 20:00:00 EST",
        "Tue, 30 Feb 2026 10:00:00 +0000",  # no such day: feedparser's chain decides
        "Thu, 01 Jan 0001 00:00:00 +0100",  # before year 1 in UTC
        "2026-11-23T12:30:00Z",  # W3C-DTF: not the pattern's
        "Mon, 23 Nov 2026 12:30:00  +0000",  # two spaces: not the pattern's
        "Mon, 23 \u017fep 2026 12:30:00 +0000",  # a long s: not a month to feedparser
        "",
    ],
)
def test_named_dates_match_feedparser(text: str) -> None:
    assert fast_dates.parse_date(text) == _parse_date(text)


def test_a_plain_date_is_read_by_the_pattern() -> None:
    assert fast_dates._RFC822.fullmatch("Mon, 23 Nov 2026 12:30:00 +0000") is not None
    assert tuple(fast_dates.parse_date("Mon, 23 Nov 2026 12:30:00 -0330"))[:6] == (
        2026, 11, 23, 16, 0, 0,
    )  # fmt: skip
