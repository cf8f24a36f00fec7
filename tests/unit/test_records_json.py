"""records.to_json_fast: the text of to_json (json.dumps, sorted keys, ensure_ascii=False), by
msgspec. The fast path's entry_json is stored and read back as JSON; the bytes stay the same."""

from __future__ import annotations

import time

import pytest

from feedwarehouse.parse.records import to_json, to_json_fast

# every character up to U+00FF (the control characters json escapes, quote, backslash, DEL,
# Latin-1), separators json writes (", " and ": ") inside a string, and non-BMP characters
EVERY_LATIN1 = "".join(chr(code) for code in range(0x100))
TRICKY = EVERY_LATIN1 + ' , : {"a": [1]} \u2028\u2029\ufeff\U0001f680 \u2013 “é”'


@pytest.mark.parametrize(
    "value",
    [
        TRICKY,
        {"summary": TRICKY, "content": [{"value": TRICKY, "base": "", "language": None}]},
        {"é": 1, "e": 2, "z": {"\U0001f680": True, "\uffff": False, "A": []}},
        {"published_parsed": time.gmtime(1_795_000_000), "tags": [{}, [], [[]]]},
        {"big": 10**20, "negative": -7, "float": 1.5, "int_key": {1: "a"}},
        "\ud800",  # a lone surrogate: msgspec refuses it, to_json writes it
    ],
    ids=["string", "entry", "key-order", "struct-time", "numbers", "surrogate"],
)
def test_to_json_fast_writes_to_jsons_text(value: object) -> None:
    assert to_json_fast(value) == to_json(value)


def test_to_json_fast_exact_text() -> None:
    entry = {
        "title": 'Q&A: “WebRTC” \\ "quoted"\n\ttabbed',
        "guidislink": False,
        "author_detail": {"name": "Ana"},
        "published_parsed": time.struct_time((2026, 11, 23, 12, 45, 0, 0, 327, 0)),
        "id": None,
    }
    assert to_json_fast(entry) == (
        '{"author_detail": {"name": "Ana"}, "guidislink": false, "id": null, '
        '"published_parsed": [2026, 11, 23, 12, 45, 0, 0, 327, 0], '
        '"title": "Q&A: “WebRTC” \\\\ \\"quoted\\"\\n\\ttabbed"}'
    )
