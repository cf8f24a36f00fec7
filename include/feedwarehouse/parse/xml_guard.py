"""Refuse hostile XML before any parser expands it: entity bombs and external entities.

A feed never needs an entity beyond a single character; others are attacks (billion laughs,
XXE). An external DTD a DOCTYPE names is never read by any parser here (expat loads none
unless asked, feedparser drops the DOCTYPE), so it is no reason to refuse a feed: the
entities it might declare are never defined, and a reference to one stays text.
parse.parse_feed calls check_entities after decoding a payload to UTF-8, before feedparser reads
it; a payload the lxml fast path read (no DOCTYPE, nothing expanded or fetched: fast_rss) is
checked too when it holds "<!ENTITY" (in a processing instruction, where feedparser's DOCTYPE
rewrite would find it), so both paths refuse the same payloads.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from xml.parsers import expat

from feedparser.encodings import convert_to_utf8
from feedparser.sanitizer import replace_doctype

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CDATA_OR_COMMENT = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)
_ENTITY_DECL = re.compile(rb"<!ENTITY[^>]*>")
# the only declarations allowed: a name for one character, e.g. <!ENTITY nbsp "&#160;">
_CHAR_ENTITY = re.compile(
    rb"""<!ENTITY\s+[A-Za-z_][\w.-]*\s+(["'])&#(?:[0-9]+|x[0-9A-Fa-f]+);\1\s*>"""
)
_CHAR_REFERENCE = re.compile(r"&#(?:[0-9]+|x[0-9A-Fa-f]+);")


class FeedParseError(ValueError):
    """The payload is not a feed feedparser could recover."""


def check_entities(payload: bytes, *, source: str, headers: dict[str, str] | None = None) -> None:
    """Refuse DOCTYPEs declaring entities other than single characters, before any parser.

    Entity expansion ("billion laughs") and external entities (file:///etc/passwd) are
    attacks, never feed content; nothing is ever fetched, external DTDs included.
    The bytes checked are those feedparser's parsers get: converted to UTF-8 with the same
    `headers` (so UTF-16/32 or EBCDIC hide nothing), then through its DOCTYPE rewrite, which
    revives declarations it finds in comments or processing instructions; expat itself then
    reports every declaration the strict parser would see.
    """
    data = convert_to_utf8(dict(headers or {}), payload, {})
    for text in (_utf16_as_utf8(payload), data):
        if b"<!DOCTYPE" not in text or b"<!ENTITY" not in text:
            continue  # an entity is declared in a DOCTYPE or nowhere
        for declaration in _ENTITY_DECL.findall(_CDATA_OR_COMMENT.sub(b"", text)):
            if not _CHAR_ENTITY.fullmatch(declaration):
                _refuse(source, declaration)
    if b"<!DOCTYPE" not in data or b"<!ENTITY" not in data:
        return
    _, rewritten, loose_entities = replace_doctype(data)
    for name, value in loose_entities.items():
        if not _CHAR_REFERENCE.fullmatch(value):
            _refuse(source, f'<!ENTITY {name} "{value}">'.encode())
    _check_declared_entities(rewritten, source)


class _RootReached(Exception):
    """The prolog, where every entity is declared, is over."""


def _check_declared_entities(data: bytes, source: str) -> None:
    """Refuse every entity the prolog declares other than a single character."""
    parser = expat.ParserCreate()

    def declared(name: str, is_parameter: bool, value: str | None, *_: object) -> None:
        if is_parameter or value is None or len(value) > 1:
            start = parser.CurrentByteIndex
            end = data.find(b">", start)
            _refuse(source, data[start : end + 1 if end >= 0 else len(data)])

    parser.EntityDeclHandler = declared
    _read_prolog(parser, data)


def _read_prolog(parser: expat.XMLParserType, data: bytes) -> None:
    """Let expat read up to the root element, its handlers set: nothing expanded or fetched."""

    def root(*_: object) -> None:
        raise _RootReached

    parser.StartElementHandler = root
    with contextlib.suppress(_RootReached, expat.ExpatError):
        parser.Parse(data, True)


def _utf16_as_utf8(payload: bytes) -> bytes:
    """A UTF-16 payload as UTF-8, BOM or not (feedparser misreads one without a declaration)."""
    if payload.startswith(_UTF16_BOMS) or payload[:2] in (b"<\x00", b"\x00<"):
        codec = (
            "utf-16" if payload[:2] in _UTF16_BOMS else ("utf-16-le" if payload[0] else "utf-16-be")
        )
        return payload.decode(codec, "replace").encode("utf-8")
    return payload


def _refuse(source: str, declaration: bytes) -> None:
    shown = declaration[:80].decode("utf-8", "replace")
    raise FeedParseError(
        f"{source}: refused: the DOCTYPE declares an XML entity ({shown}); entity "
        "expansion and external entities are unsafe and never needed by a feed"
    )
