"""Charsets (feedwarehouse.parse.charset), namespace misspellings, DOCTYPEs and titles: issue 23's
reading rules, each on a small generated feed through parse_feed."""

from __future__ import annotations

import json

import pytest

from feedwarehouse import text
from feedwarehouse.parse import charset, namespaces
from feedwarehouse.parse.feed import FeedParseError, parse_feed

TITLE = "回線 ① ～ 网络 한국어"  # noqa: RUF001 - the fullwidth tilde is the point


def rss(title: str, *, encoding: str | None, doctype: str = "") -> str:
    declaration = f' encoding="{encoding}"' if encoding else ""
    return (
        f'<?xml version="1.0"{declaration}?>{doctype}<rss version="2.0"><channel><title>c</title>'
        f"<link>https://c.example/</link><item><title>{title}</title><guid>g</guid></item>"
        "</channel></rss>"
    )


@pytest.mark.parametrize(
    ("label", "codec", "title"),
    [
        ("Shift_JIS", "cp932", "回線の測定 ① ～"),  # noqa: RUF001 - cp932 only, not in Shift_JIS
        ("EUC-JP", "euc_jp", "回線の測定"),
        ("GB2312", "gb18030", "网络延迟 䶮"),  # a character GB2312 itself lacks
        ("EUC-KR", "cp949", "네트워크 똠"),  # a syllable only cp949 (UHC) has
        ("ISO-8859-1", "cp1252", "café \u2013 “quoted” €"),
        ("Big5", "big5hkscs", "網路"),
        ("KOI8-R", "koi8-r", "Привет"),
    ],
)
def test_any_charset_declared_in_the_prolog_reads_with_the_browsers_superset(
    label: str, codec: str, title: str
) -> None:
    assert charset.codec_for(label) == codec
    feed = parse_feed(rss(title, encoding=label).encode(codec), source="s")
    assert (feed.entries[0].title, feed.bozo_reason) == (title, None)
    assert json.loads(feed.feed_json)["encoding"] == label.lower()


def test_a_charset_in_the_http_header_only() -> None:
    payload = rss("网络延迟", encoding=None).encode("gb2312")
    feed = parse_feed(payload, source="s", content_type="application/rss+xml; charset=gb2312")
    assert (feed.entries[0].title, json.loads(feed.feed_json)["encoding"]) == ("网络延迟", "gb2312")


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-8-sig"])
def test_a_byte_order_mark_wins(codec: str) -> None:
    payload = rss(TITLE, encoding="iso-8859-1").encode(codec)  # the declaration is wrong
    assert parse_feed(payload, source="s", content_type="text/xml; charset=ascii").entries[
        0
    ].title == (TITLE)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_byte_order_mark(codec: str) -> None:
    payload = rss(TITLE, encoding=codec.rsplit("-", 1)[0]).encode(codec)
    assert parse_feed(payload, source="s").entries[0].title == TITLE


def test_ebcdic_reads_by_its_declared_code_page() -> None:
    payload = rss("Caf\u00e9 [1]", encoding="cp500").encode("cp500")
    assert parse_feed(payload, source="s").entries[0].title == "Caf\u00e9 [1]"


def test_a_shift_jis_feed_with_a_few_broken_bytes_stays_shift_jis() -> None:
    payload = rss("回線の測定とサーバーの移行について", encoding="Shift_JIS").encode("cp932")
    broken = payload.replace("移".encode("cp932"), b"\x81 ")  # a lead byte without its trail
    feed = parse_feed(broken, source="s")
    assert feed.entries[0].title == "回線の測定とサーバーの\ufffd 行について"
    assert feed.bozo_reason == (
        "CharacterEncodingOverride: 1 invalid Shift_JIS byte sequences replaced with U+FFFD"
    )


def test_windows_1252_undefined_bytes_are_c1_controls_as_in_browsers() -> None:
    decoded = charset.decode(b"<?xml version='1.0' encoding='iso-8859-1'?><a>\x81\xe9</a>")
    assert decoded.payload == "<?xml version='1.0' encoding='utf-8'?><a>\x81é</a>".encode()
    assert (decoded.encoding, decoded.note) == ("iso-8859-1", None)


@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "utf-16"])
def test_the_entity_guard_reads_the_decoded_document(codec: str) -> None:
    """A billion-laughs in a multi-byte charset is refused like any other, by the guard."""
    label = {"cp932": "Shift_JIS", "euc_jp": "EUC-JP", "utf-16": "UTF-16"}[codec]
    doctype = '<!DOCTYPE rss [<!ENTITY a "回回回回"><!ENTITY b "&a;&a;&a;&a;">]>'
    payload = rss("&b;", encoding=label, doctype=doctype).encode(codec)
    with pytest.raises(FeedParseError, match=r"^s: refused: the DOCTYPE declares an XML entity"):
        parse_feed(payload, source="s")


def test_an_external_dtd_is_read_without_it() -> None:
    doctype = (
        '<!DOCTYPE rss PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'
    )
    feed = parse_feed(
        rss("Fish &amp; chips", encoding="utf-8", doctype=doctype).encode(), source="s"
    )
    assert (feed.entries[0].title, feed.bozo_reason) == ("Fish & chips", None)
    with_entity = doctype[:-1] + ' [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(FeedParseError, match="refused: the DOCTYPE declares an XML entity"):
        parse_feed(rss("&x;", encoding="utf-8", doctype=with_entity).encode(), source="s")


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("http://purl.org/rss/1.0/modules/content", "http://purl.org/rss/1.0/modules/content/"),
        ("https://purl.org/dc/elements/1.1", "http://purl.org/dc/elements/1.1/"),
        ("http://www.itunes.com/DTDs/PodCast-1.0.dtd", namespaces.ITUNES),
        ("http://example.com/DTDs/PodCast-1.0.dtd", namespaces.ITUNES),
        ("HTTP://SEARCH.YAHOO.COM/MRSS", "http://search.yahoo.com/mrss/"),
        ("http://www.w3.org/2005/atom/", "http://www.w3.org/2005/Atom"),
        ("http://example.org/my/own/ns", "http://example.org/my/own/ns"),
    ],
)
def test_misspelled_namespace_uris_count_as_the_real_one(sent: str, meant: str) -> None:
    document = f"<rss xmlns:x=\"{sent}\" xmlns='{sent}'><x:a/></rss>".encode()
    assert namespaces.normalize(document) == (
        f"<rss xmlns:x=\"{meant}\" xmlns='{meant}'><x:a/></rss>".encode()
    )


@pytest.mark.parametrize(
    ("title", "markup", "shown"),
    [
        ("&#8220;Nature&#8221; Re&colon; x", "guess", "“Nature” Re: x"),
        ("m<sup>2</sup>  and&nbsp;more", "guess", "m2 and more"),
        ("&amp;ldquo;twice&amp;rdquo;", "guess", "&ldquo;twice&rdquo;"),
        ("Tom & Jerry <3 <b>", "guess", "Tom & Jerry <3 <b>"),
        ("Using <video> &madeup; here", "guess", "Using <video> &madeup; here"),
        ("Line<br>break", "guess", "Line break"),
        ("A <b>bold</b> &amp; x", "html", "A bold & x"),
        ("Using <video>  &amp; x", "text", "Using <video> &amp; x"),
        ("<img src=x>", "html", None),
        (None, "html", None),
    ],
)
def test_titles_are_plain_text(title: str | None, markup: str, shown: str | None) -> None:
    assert text.title_text(title, markup) == shown
