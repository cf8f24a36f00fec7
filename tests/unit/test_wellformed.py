"""Where a payload stops being well-formed, and which recovered entries are past the break."""

from __future__ import annotations

from feedwarehouse.parse.feed import parse_feed
from feedwarehouse.parse.wellformed import Break, assess, combine, find_break


def feed(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>T</title>'
        f"<link>https://e.example/</link>\n{items}\n</channel></rss>"
    ).encode()


def item(n: int, title: str | None = None) -> str:
    title = title or f"Post {n}"
    return f"<item><title>{title}</title><guid>g{n}</guid><description>w</description></item>"


WHOLE = feed("\n".join(item(n) for n in (1, 2, 3)))


def health(payload: bytes) -> tuple[str | None, list[bool], list[str | None]]:
    parsed = parse_feed(payload, source="https://e.example/feed")
    checked = assess(payload, parsed.bozo_reason, len(parsed.entries))
    return checked.warning, checked.past_break, [e.guid for e in parsed.entries]


def test_a_well_formed_feed_has_no_break_and_no_warning():
    assert find_break(WHOLE) is None
    assert health(WHOLE) == (None, [False, False, False], ["g1", "g2", "g3"])


def test_a_feed_cut_off_mid_item_keeps_the_closed_items_and_flags_the_cut_one():
    cut = WHOLE[: WHOLE.index(b"<item><title>Post 3") + 24]  # in "</title>", at column 19

    assert find_break(cut) == Break(5, 19, "unclosed token", 2)
    assert health(cut) == (
        "not well-formed: 2 entries recovered, 1 past the break at line 5, column 19 "
        "(unclosed token) quarantined",
        [False, False, True],
        ["g1", "g2", None],
    )


def test_every_entry_recovered_past_a_broken_tag_is_flagged():
    broken = WHOLE.replace(b"<title>Post 2</title>", b"<title>Post 2</titel>")

    warning, past_break, _ = health(broken)

    assert warning == (
        "not well-formed: 1 entry recovered, 2 past the break at line 4, column 21 "
        "(mismatched tag) quarantined"
    )
    assert past_break == [False, True, True]


def test_a_charset_note_is_no_break():
    assert assess(WHOLE, "CharacterEncodingOverride: read as windows-1252", 3).warning is None


def test_pages_warn_by_number():
    assert combine([None]) is None
    assert combine(["not well-formed: x"]) == "not well-formed: x"
    assert combine([None, "not well-formed: y"]) == "page 2: not well-formed: y"
    assert combine([None, None]) is None
