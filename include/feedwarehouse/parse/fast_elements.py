"""The elements the parse fast path (fast_rss) reads, and how feedparser handles each: the kind
of handler (fast_rss._store) and the key it stores; the elements entry_scan labels."""

from __future__ import annotations

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"
WFW = "{http://wellformedweb.org/CommentAPI/}"
SLASH = "{http://purl.org/rss/1.0/modules/slash/}"
SY = "{http://purl.org/rss/1.0/modules/syndication/}"
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
# element -> (how feedparser handles it, the key it stores); "plain": its text under the key
ITEM = {
    "title": ("title", "title"),
    "link": ("link", "link"),
    "description": ("description", "summary"),
    "guid": ("guid", "id"),
    "pubDate": ("date", "published"),
    "category": ("category", "tags"),
    "author": ("author", "author"),
    "comments": ("plain", "comments"),
    "enclosure": ("enclosure", "links"),
}
MODULES = {
    CONTENT: ("content", "content"),
    DC + "creator": ("author", "author"),
    DC + "date": ("date", "updated"),
    DC + "subject": ("category", "tags"),
    WFW + "commentRss": ("plain", "wfw_commentrss"),
    WFW + "comment": ("plain", "wfw_comment"),
    SLASH + "comments": ("plain", "slash_comments"),
}
CHANNEL = {
    "title": ("title", "title"),
    "link": ("link", "link"),
    "description": ("description", "subtitle"),
    "pubDate": ("date", "published"),
    "lastBuildDate": ("date", "updated"),
    "language": ("plain", "language"),
    "generator": ("generator", "generator"),
    "copyright": ("title", "rights"),
    "docs": ("plain", "docs"),
    "ttl": ("plain", "ttl"),
}
CHANNEL_MODULES = {
    ATOM_LINK: ("atom:link", "links"),
    DC + "date": ("date", "updated"),
    DC + "language": ("plain", "language"),
    SY + "updatePeriod": ("plain", "sy_updateperiod"),
    SY + "updateFrequency": ("plain", "sy_updatefrequency"),
    SY + "updateBase": ("plain", "sy_updatebase"),
}
# the elements entry_scan labels, and those whose text it keeps (the first of each)
LABELS = {
    CONTENT: "content:encoded",
    DC + "date": "dc:date",
    DC + "creator": "dc:creator",
    "description": "description",
    "author": "author",
}
LABELS |= {RSS1 + tag: label for tag, label in LABELS.items() if not tag.startswith("{")}
TEXT_LABELS = frozenset({"description", "dc:creator", "author"})


def tables(ns: str) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """The item's and the channel's elements: RSS 1.0 has only title, link and description."""
    keep = ("title", "link", "description") if ns else tuple(ITEM) + tuple(CHANNEL)
    item = {ns + name: kind for name, kind in ITEM.items() if name in keep} | MODULES
    channel = {ns + name: kind for name, kind in CHANNEL.items() if name in keep}
    return item, channel | CHANNEL_MODULES
