"""Sample posts written the way WordPress writes RSS 2.0: the channel, its items, one document."""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from feedwarehouse_dev.sample_posts import SampleItem, SamplePost

GENERATOR = "https://wordpress.org/?v=6.7.1"

# how WordPress opens its RSS 2.0 feeds (namespaces and layout), up to the channel's children
WORDPRESS_RSS_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
    '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
    '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
    '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
    '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
    '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
    '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n\t>\n\n<channel>\n'
)


def item_xml(post: SamplePost) -> str:
    """One <item> of the channel: the post's fields, its excerpt and its full HTML body."""
    item, content = post.item, post.content
    intro = unescape(re.sub(r"<[^>]+>", "", content.split("\n")[1]))
    excerpt = " ".join(intro.split()[:40]) + " [&#8230;]"
    return (
        f"\t<item>\n\t\t<title>{escape(item.title)}</title>\n\t\t<link>{escape(item.link)}</link>\n"
        f"\t\t<comments>{escape(item.link)}#respond</comments>\n"
        f"\t\t<dc:creator>{_cdata(item.author)}</dc:creator>\n"
        f"\t\t<pubDate>{format_datetime(item.published_at)}</pubDate>\n"
        + "".join(f"\t\t<category>{_cdata(c)}</category>\n" for c in item.categories)
        + f'\t\t<guid isPermaLink="false">{escape(item.guid)}</guid>\n'
        f"\t\t<description>{_cdata(excerpt)}</description>\n"
        f"\t\t<content:encoded>{_cdata(content)}</content:encoded>\n"
        f"\t\t<wfw:commentRss>{escape(item.link)}feed/</wfw:commentRss>\n"
        f"\t\t<slash:comments>{item.comments_count}</slash:comments>\n\t</item>\n"
    )


def write_rss(
    path: Path, title: str, site: str, items: Sequence[SampleItem], xml_items: Sequence[str]
) -> None:
    """Write one RSS 2.0 document holding `items` (newest first), rendered as `xml_items`."""
    newest = items[0].published_at if items else None
    build_date = f"\t<lastBuildDate>{format_datetime(newest)}</lastBuildDate>\n" if newest else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        (
            WORDPRESS_RSS_OPEN + f"\t<title>{escape(title)}</title>\n"
            f'\t<atom:link href="{site}/feed/" rel="self" type="application/rss+xml" />\n'
            f"\t<link>{site}</link>\n"
            "\t<description>Analysis &amp; opinions on WebRTC and real-time video</description>\n"
            f"{build_date}"
            "\t<language>en-US</language>\n"
            "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
            "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
            f"\t<generator>{GENERATOR}</generator>\n" + "".join(xml_items) + "</channel>\n</rss>\n"
        ).encode()
    )


def _cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any embedded terminator."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
