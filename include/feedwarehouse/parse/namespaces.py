"""Namespace URIs publishers misspell, read as the namespaces they mean.

Parsers match namespaces by exact URI (feedparser lower-cases them first, expat not even
that), so `xmlns:content="http://purl.org/rss/1.0/modules/content"` (no trailing slash) makes
content:encoded an unknown element and the item's body is lost to a one-line itunes:summary.
Before any parser reads the document, every `xmlns` declaration whose URI differs from a known
namespace only in letter case, http/https, "www.", or a trailing "/" or "#", or that names an
old iTunes URI, is rewritten to that namespace's URI. Declarations are matched wherever they
are written (feeds declare namespaces on any element), so a code sample in a post that spells
such a declaration gets the canonical URI too: an accepted cost, the text still reads the same.
"""

from __future__ import annotations

import re

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
KNOWN = (
    "http://www.w3.org/2005/Atom",
    "http://purl.org/rss/1.0/",
    "http://purl.org/rss/1.0/modules/content/",
    "http://purl.org/rss/1.0/modules/slash/",
    "http://purl.org/rss/1.0/modules/syndication/",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
    "http://search.yahoo.com/mrss/",
    "http://wellformedweb.org/CommentAPI/",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://backend.userland.com/creativeCommonsRssModule",
    "http://www.google.com/schemas/play-podcasts/1.0",
    "https://podcastindex.org/namespace/1.0",
    ITUNES,
)
# the URI of Apple's first podcast specification's examples, still in old feeds
OLD_ITUNES = ("http://example.com/DTDs/PodCast-1.0.dtd",)
# an xmlns declaration; normalize takes only those after whitespace (a pattern that starts with
# the literal is searched for ten times faster than one that starts with the whitespace)
_DECLARATION = re.compile(rb"""(xmlns(?::[A-Za-z_][\w.-]*)?\s*=\s*)(["'])([^"'<>]{1,200})\2""")
_SPACE = frozenset(b" \t\r\n\x0b\x0c")


def _key(uri: str) -> str:
    """What a misspelling keeps of a URI: no scheme, no "www.", no trailing "/" or "#", lower."""
    key = re.sub(r"^https?://(www\.)?", "", uri.strip().lower())
    return key.rstrip("/#")


CANONICAL = {_key(uri): uri for uri in KNOWN} | {_key(uri): ITUNES for uri in OLD_ITUNES}


def canonical(uri: str) -> str:
    """The known namespace a URI means, else the URI itself."""
    return CANONICAL.get(_key(uri), uri)


def normalize(payload: bytes) -> bytes:
    """The UTF-8 document with every misspelled known namespace URI written correctly."""
    if b"xmlns" not in payload:
        return payload

    pieces, done, position = [], 0, 0
    while (match := _DECLARATION.search(payload, position)) is not None:
        start = match.start()
        position = start + 1
        if start == 0 or payload[start - 1] not in _SPACE:
            continue  # no declaration, though one may start inside it
        position = match.end()
        uri = match.group(3).decode("utf-8", "replace")
        right = canonical(uri)
        if right != uri:
            pieces += [payload[done : match.start(3)], right.encode()]
            done = match.end(3)
    return b"".join([*pieces, payload[done:]]) if pieces else payload
