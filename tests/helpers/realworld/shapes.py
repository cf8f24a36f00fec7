"""One generated feed per publisher family, in the shape that family really sends.

Each template builds its payload from invented text (never copied from a real feed) and carries
the exact rows it must become in marts.posts, marts.authors and marts.tags. The quirks are the
ones issue 13 found in captured feeds: Atom without <published>, dc:date, description-only
bodies, HTML escaped instead of CDATA, double-encoded entities, Blogger's single quotes and
feed-level labels, WordPress's numeric entities and ?p=N guids, relative links under xml:base,
a BOM and whitespace before the XML declaration, localized dates, non-Latin and emoji tags.

Text rules the expected values follow (issue 13): entities decoded, script/style dropped, block
elements separated by whitespace and inline ones not, every whitespace run (U+00A0 included,
as `str.split` sees it) collapsed to one space, trimmed; word_count = tokens of that text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from feedwarehouse_dev.sample_rss import WORDPRESS_RSS_OPEN

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
RDF_TYPE = "application/rdf+xml; charset=utf-8"

# the logical date of the corpus run: after every entry date (later ones are quarantined)
LOGICAL_DATE = "2024-12-02"


@dataclass(frozen=True)
class ExpectedPost:
    """One entry as marts.posts (and its author and tags) must show it."""

    title: str
    url: str
    published_at: datetime | None
    # 'published', 'updated', 'dc:date', or None when no date parsed
    published_at_source: str | None
    published_text: str | None
    # 'content:encoded', 'content', 'description', 'summary', 'media:description' or None
    body_source: str | None
    content_text: str | None  # None: no body at all
    word_count: int
    summary: str | None
    author: str | None
    # marts.tags names (the tag's preferred spelling), sorted
    tags: tuple[str, ...] = ()
    comments_count: int | None = None
    enclosure_count: int = 0


@dataclass(frozen=True)
class Template:
    """A feed payload of one publisher family and the posts it must become."""

    feed_id: str
    family: str
    quirks: tuple[str, ...]
    payload: bytes
    content_type: str
    posts: tuple[ExpectedPost, ...]
    # False only for the payload that is deliberately not well-formed XML (BOM + whitespace)
    is_well_formed: bool = True
    # the reasons quality.quarantined_entries gives for its entries that are no post
    quarantined: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return feed_path(self.feed_id)

    @property
    def is_json_feed(self) -> bool:
        return self.payload.lstrip().startswith(b"{")


def feed_path(feed_id: str) -> str:
    """Where the corpus server serves a template: /feeds/<feed id>.xml."""
    return f"/feeds/{feed_id}.xml"


def suffixed_slug(base: str, normalized_name: str) -> str:
    """The slug of a tag that lost its base slug to another tag: base + md5(name)[:6].

    Issue 13's rule for colliding slugs (`C#` and `C++` both reduce to `c`); only these
    suffixes are computed, every other slug below is written out.
    """
    return f"{base}-{hashlib.md5(normalized_name.encode()).hexdigest()[:6]}"


# every tag of the corpus: preferred spelling -> slug (marts.tags must hold exactly these)
TAG_SLUGS: dict[str, str] = {
    # wordpress: "WebRTC" and "webrtc " are one tag, named by the more frequent spelling
    "WebRTC": "webrtc",
    "QUIC": "quic",
    "Audio": "audio",
    "Q&A": "q-a",
    "TURN": "turn",
    "Storage": "storage",
    "Latency": "latency",
    "Networking": "networking",
    "Pacing": "pacing",
    # blogger: entry labels only, never the 300 feed-level ones
    "AV1": "av1",
    "Encoding": "encoding",
    "Tools": "tools",
    # tumblr: every script kept; combining marks (Devanagari) stay in the slug
    "שלום": "שלום",
    "Привет": "привет",
    "Καλημέρα": "καλημέρα",
    "مرحبا": "مرحبا",
    "日本語": "日本語",
    "नमस्ते": "नमस्ते",
    "🚀": "rocket",
    "packet_loss": "packet-loss",
    "Photography": "photography",
    # medium: three tags; "C" keeps the base slug (same post, smallest normalized name)
    "C": "c",
    "C#": suffixed_slug("c", "c#"),
    "C++": suffixed_slug("c", "c++"),
    "interop": "interop",
    "compilers": "compilers",
    # blogengine: precomposed and decomposed "Café" are one tag
    "Café Culture": "café-culture",
    "Espresso": "espresso",
    # rss 1.0 dc:subject
    "Standards": "standards",
    # localized news
    "Infraestrutura": "infraestrutura",
    "Telecomunicações": "telecomunicações",
    "Redes": "redes",
    "Réseaux": "réseaux",
    "Netzausbau": "netzausbau",
    # gb2312 and JSON Feed
    "网络": "网络",
    "Feeds": "feeds",
    "JSON": "json",
    "Formats": "formats",
}


def _utc(*parts: int) -> datetime:
    return datetime(*parts)  # naive: marts timestamps are UTC without a zone


# ---------------------------------------------------------------------------------------------
# 1. WordPress RSS 2.0, self-hosted, full text


def wordpress_rss(origin: str) -> Template:
    """content:encoded in CDATA, &#038;/&#8217; in titles and bodies, ?p=N guids, duplicate
    categories differing in case and whitespace, dc:creator spelled two ways, slash:comments."""
    site = "https://wp.example"
    first_html = (
        "<p>Peers find each other faster when signalling rides on QUIC. It&#8217;s a change "
        "worth measuring.</p>\n<h2>What we measured</h2>\n<ul>\n<li>Connection setup</li>\n"
        "<li>Time to first frame</li>\n</ul>\n<p>Results: <strong>38 ms</strong> median &#038; "
        "<em>52 ms</em> at p95.</p>\n"
    )
    first_excerpt = (
        "<p>Peers find each other faster when signalling rides on QUIC&#8230;</p>\n"
        f'<p>The post <a rel="nofollow" href="{site}/2024/03/signalling-media-over-quic/">'
        "Signalling &#038; Media over QUIC</a> appeared first on "
        f'<a rel="nofollow" href="{site}">Media Edge Notes</a>.</p>\n'
    )
    second_html = (
        "<p>A jitter buffer hides loss until it doesn&#8217;t.</p>\n"
        "<blockquote><p>Measure first &#8211; tune later.</p></blockquote>\n"
        "<p>Tuning notes follow&#8230;</p>\n"
    )
    third_html = (
        "<p>You asked, we answered:</p>\n<ol><li><b>Do I need TURN?</b> Usually.</li>"
        "<li><b>Which port?</b> 443/tcp works best.</li></ol>\n"
        '<figure class="wp-block-image"><img decoding="async" '
        f'src="{site}/wp-content/uploads/2024/04/turn.png" alt="TURN relay diagram" />'
        "<figcaption>Relayed media path</figcaption></figure>\n"
    )
    items = [
        _wp_item(
            site,
            "Signalling &#038; Media over QUIC",
            "2024/03/signalling-media-over-quic",
            101,
            "Tue, 12 Mar 2024 09:15:00 +0000",
            "Ana Souza",
            ["WebRTC", "webrtc ", "QUIC"],
            first_excerpt,
            first_html,
            3,
        ),
        _wp_item(
            site,
            "Why we don&#8217;t trust jitter buffers",
            "2024/04/why-we-dont-trust-jitter-buffers",
            102,
            "Fri, 05 Apr 2024 17:40:12 +0200",
            "ana  souza",
            ["WebRTC", "Audio"],
            "<p>A jitter buffer hides loss until it doesn&#8217;t. [&#8230;]</p>\n",
            second_html,
            0,
        ),
        _wp_item(
            site,
            "Q&#038;A: your TURN questions",
            "2024/04/qa-your-turn-questions",
            103,
            "Mon, 22 Apr 2024 06:00:00 +0000",
            "Rui Matos",
            ["Q&A", "TURN"],
            "<p>You asked, we answered: TURN, ports and relays &#8230;</p>\n",
            third_html,
            12,
        ),
    ]
    posts = (
        ExpectedPost(
            title="Signalling & Media over QUIC",
            url=f"{site}/2024/03/signalling-media-over-quic/",
            published_at=_utc(2024, 3, 12, 9, 15),
            published_at_source="published",
            published_text="Tue, 12 Mar 2024 09:15:00 +0000",
            body_source="content:encoded",
            content_text=(
                "Peers find each other faster when signalling rides on QUIC. It\u2019s a change "
                "worth measuring. What we measured Connection setup Time to first frame "
                "Results: 38 ms median & 52 ms at p95."
            ),
            word_count=33,
            summary=(
                "Peers find each other faster when signalling rides on QUIC\u2026 The post "
                "Signalling & Media over QUIC appeared first on Media Edge Notes."
            ),
            author="Ana Souza",
            tags=("QUIC", "WebRTC"),
            comments_count=3,
        ),
        ExpectedPost(
            title="Why we don\u2019t trust jitter buffers",
            url=f"{site}/2024/04/why-we-dont-trust-jitter-buffers/",
            published_at=_utc(2024, 4, 5, 15, 40, 12),
            published_at_source="published",
            published_text="Fri, 05 Apr 2024 17:40:12 +0200",
            body_source="content:encoded",
            content_text=(
                "A jitter buffer hides loss until it doesn\u2019t. Measure first \u2013 tune "
                "later. Tuning notes follow\u2026"
            ),
            word_count=16,
            summary="A jitter buffer hides loss until it doesn\u2019t. [\u2026]",
            author="Ana Souza",
            tags=("Audio", "WebRTC"),
            comments_count=0,
        ),
        ExpectedPost(
            title="Q&A: your TURN questions",
            url=f"{site}/2024/04/qa-your-turn-questions/",
            published_at=_utc(2024, 4, 22, 6, 0),
            published_at_source="published",
            published_text="Mon, 22 Apr 2024 06:00:00 +0000",
            body_source="content:encoded",
            content_text=(
                "You asked, we answered: Do I need TURN? Usually. Which port? 443/tcp works "
                "best. Relayed media path"
            ),
            word_count=17,
            summary="You asked, we answered: TURN, ports and relays \u2026",
            author="Rui Matos",
            tags=("Q&A", "TURN"),
            comments_count=12,
        ),
    )
    return Template(
        feed_id="wp-full",
        family="WordPress RSS 2.0 (self-hosted, full text)",
        quirks=(
            "content:encoded in CDATA",
            "&#038; and &#8217; in titles and bodies",
            "?p=N guids, isPermaLink=false",
            "categories 'WebRTC' and 'webrtc ' on one item",
            "dc:creator 'Ana Souza' and 'ana  souza'",
            "slash:comments",
        ),
        payload=_wordpress_channel(site, "Media Edge Notes", items, comments=False),
        content_type=RSS_TYPE,
        posts=posts,
    )


def _wp_item(
    site: str,
    title: str,
    slug: str,
    post_number: int,
    pub_date: str,
    creator: str,
    categories: list[str],
    excerpt_html: str,
    content_html: str | None,
    comments: int | None,
) -> str:
    """One item as WordPress's feed-rss2.php writes it (CDATA when `content_html` is given)."""
    link = f"{site}/{slug}/"
    lines = [
        "\t\t<item>",
        f"\t\t<title>{title}</title>",
        f"\t\t<link>{link}</link>",
    ]
    if comments is not None:
        lines.append(f"\t\t\t\t\t<comments>{link}#respond</comments>")
    lines += [
        f"\t\t<dc:creator><![CDATA[{creator}]]></dc:creator>",
        f"\t\t<pubDate>{pub_date}</pubDate>",
        *(f"\t\t<category><![CDATA[{c}]]></category>" for c in categories),
        f'\t\t<guid isPermaLink="false">{site}/?p={post_number}</guid>',
    ]
    if content_html is None:
        # the "summary" reading setting: escaped HTML, no CDATA, no content:encoded
        lines.append(f"\t\t\t\t\t<description>{escape(excerpt_html)}</description>")
    else:
        lines.append(f"\t\t\t\t\t<description><![CDATA[{excerpt_html}]]></description>")
        lines.append(
            f"\t\t\t\t\t\t\t\t\t\t<content:encoded><![CDATA[{content_html}]]></content:encoded>"
        )
    if comments is not None:
        lines.append(f"\t\t\t\t\t<wfw:commentRss>{link}feed/</wfw:commentRss>")
        lines.append(f"\t\t\t<slash:comments>{comments}</slash:comments>")
    lines.append("\t\t</item>")
    return "\n".join(lines)


def _wordpress_channel(site: str, title: str, items: list[str], *, comments: bool) -> bytes:
    feed = f"{site}/comments/feed/" if comments else f"{site}/feed/"
    head = (
        WORDPRESS_RSS_OPEN + f"\t<title>{title}</title>\n"
        f'\t<atom:link href="{feed}" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{site}</link>\n"
        "\t<description>Notes on real-time media</description>\n"
        "\t<lastBuildDate>Mon, 02 Sep 2024 10:00:00 +0000</lastBuildDate>\n"
        "\t<language>en-US</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        "\t<generator>https://wordpress.org/?v=6.6.1</generator>\n"
    )
    return (head + "\n".join(items) + "\n\t</channel>\n</rss>\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# 2. WordPress "summary" feed


def wordpress_summary_rss(origin: str) -> Template:
    """The "For each post, show: Summary" setting: escaped HTML in <description>, no CDATA and
    no content:encoded, so the description is the only body."""
    site = "https://queuedepth.example"
    first = (
        "<p>Small writes, batched, halve the p99&#8230;</p>\n"
        f'<p>The post <a rel="nofollow" href="{site}/batching-writes/">Batching writes &#038; '
        f'tail latency</a> appeared first on <a rel="nofollow" href="{site}">Queue Depth</a>.'
        "</p>\n"
    )
    second = (
        "<p>Three columns matter: <code>await</code>, <code>aqu-sz</code> and "
        "<code>%util</code> [&hellip;]</p>\n"
    )
    items = [
        _wp_item(
            site,
            "Batching writes &#038; tail latency",
            "batching-writes",
            7,
            "Wed, 08 May 2024 11:00:00 +0000",
            "Rui Matos",
            ["Storage", "Latency"],
            first,
            None,
            None,
        ),
        _wp_item(
            site,
            "Reading iostat without tears",
            "reading-iostat",
            9,
            "Thu, 16 May 2024 08:30:00 +0000",
            "Rui Matos",
            ["Storage"],
            second,
            None,
            None,
        ),
    ]
    first_text = (
        "Small writes, batched, halve the p99\u2026 The post Batching writes & tail latency "
        "appeared first on Queue Depth."
    )
    second_text = "Three columns matter: await, aqu-sz and %util [\u2026]"
    posts = (
        ExpectedPost(
            title="Batching writes & tail latency",
            url=f"{site}/batching-writes/",
            published_at=_utc(2024, 5, 8, 11, 0),
            published_at_source="published",
            published_text="Wed, 08 May 2024 11:00:00 +0000",
            body_source="description",
            content_text=first_text,
            word_count=18,
            summary=first_text,
            author="Rui Matos",
            tags=("Latency", "Storage"),
        ),
        ExpectedPost(
            title="Reading iostat without tears",
            url=f"{site}/reading-iostat/",
            published_at=_utc(2024, 5, 16, 8, 30),
            published_at_source="published",
            published_text="Thu, 16 May 2024 08:30:00 +0000",
            body_source="description",
            content_text=second_text,
            word_count=8,
            summary=second_text,
            author="Rui Matos",
            tags=("Storage",),
        ),
    )
    return Template(
        feed_id="wp-summary",
        family="WordPress RSS 2.0, summary feed",
        quirks=(
            "description only, escaped HTML (no CDATA)",
            "entities double-encoded (&amp;#8230;, &amp;hellip;)",
        ),
        payload=_wordpress_channel(site, "Queue Depth", items, comments=False),
        content_type=RSS_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 3. WordPress comment feed


def wordpress_comments_rss(origin: str) -> Template:
    """Items are comments: "Comment on X by Y" titles, #comment-N links, dc:creator and a
    description in CDATA, no categories."""
    site = "https://wp.example"
    post = f"{site}/2024/03/signalling-media-over-quic/"
    jitter = f"{site}/2024/04/why-we-dont-trust-jitter-buffers/"
    comments = [
        (
            "Signalling &#038; Media over QUIC",
            post,
            101,
            17,
            "Lena Fischer",
            "Wed, 13 Mar 2024 07:02:33 +0000",
            "Did you try it behind a corporate proxy? Ours drops UDP on 443.",
        ),
        (
            "Signalling &#038; Media over QUIC",
            post,
            101,
            18,
            "Ana Souza",
            "Wed, 13 Mar 2024 09:45:00 +0000",
            "@Lena We did &#8211; it falls back to TCP, see the follow-up.",
        ),
        (
            "Why we don&#8217;t trust jitter buffers",
            jitter,
            102,
            21,
            "Rui Matos",
            "Sat, 06 Apr 2024 20:10:05 +0000",
            "Adaptive buffers &gt; fixed ones, in my experience.",
        ),
    ]
    items = []
    for post_title, link, post_number, number, author, pub_date, text in comments:
        items.append(
            "\n".join(
                [
                    "\t<item>",
                    f"\t\t<title>Comment on {post_title} by {author}</title>",
                    f"\t\t<link>{link}#comment-{number}</link>",
                    f"\t\t<dc:creator><![CDATA[{author}]]></dc:creator>",
                    f"\t\t<pubDate>{pub_date}</pubDate>",
                    f'\t\t<guid isPermaLink="false">{site}/?p={post_number}#comment-{number}'
                    "</guid>",
                    f"\t\t<description><![CDATA[{text}]]></description>",
                    "\t</item>",
                ]
            )
        )
    first_text = "Did you try it behind a corporate proxy? Ours drops UDP on 443."
    second_text = "@Lena We did \u2013 it falls back to TCP, see the follow-up."
    third_text = "Adaptive buffers > fixed ones, in my experience."
    posts = (
        ExpectedPost(
            title="Comment on Signalling & Media over QUIC by Lena Fischer",
            url=f"{post}#comment-17",
            published_at=_utc(2024, 3, 13, 7, 2, 33),
            published_at_source="published",
            published_text="Wed, 13 Mar 2024 07:02:33 +0000",
            body_source="description",
            content_text=first_text,
            word_count=13,
            summary=first_text,
            author="Lena Fischer",
        ),
        ExpectedPost(
            title="Comment on Signalling & Media over QUIC by Ana Souza",
            url=f"{post}#comment-18",
            published_at=_utc(2024, 3, 13, 9, 45),
            published_at_source="published",
            published_text="Wed, 13 Mar 2024 09:45:00 +0000",
            body_source="description",
            content_text=second_text,
            word_count=12,
            summary=second_text,
            author="Ana Souza",
        ),
        ExpectedPost(
            title="Comment on Why we don\u2019t trust jitter buffers by Rui Matos",
            url=f"{jitter}#comment-21",
            published_at=_utc(2024, 4, 6, 20, 10, 5),
            published_at_source="published",
            published_text="Sat, 06 Apr 2024 20:10:05 +0000",
            body_source="description",
            content_text=third_text,
            word_count=8,
            summary=third_text,
            author="Rui Matos",
        ),
    )
    return Template(
        feed_id="wp-comments",
        family="WordPress comment feed",
        quirks=("items are comments", "description only (CDATA)", "#comment-N links"),
        payload=_wordpress_channel(site, "Comments for Media Edge Notes", items, comments=True),
        content_type=RSS_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 4. WordPress.com / generic Atom


def generic_atom(origin: str) -> Template:
    """Entries with <updated> only, rel="replies" links before rel="alternate", a feed-level
    author that an author-less entry inherits, <content type="html"> beside <summary>."""
    site = "https://fieldnotes.example"
    first = f"{site}/2024/05/congestion-control-one-graph/"
    second = f"{site}/2024/05/pacing-beats-bursting/"
    first_content = (
        "<p>BBR probes for bandwidth, then drains the queue it built.</p>\n"
        "<pre>cwnd = 2 * BDP</pre>\n<p>Each phase shows up as a distinct slope.</p>\n"
    )
    second_content = (
        "<p>Send at the rate the path drains: <em>no more</em>, no less.</p>"
        "<p>Bursts fill buffers; pacing doesn&#8217;t.</p>"
    )
    payload = f"""<?xml version="1.0" encoding="UTF-8"?><feed
  xmlns="http://www.w3.org/2005/Atom"
  xmlns:thr="http://purl.org/syndication/thread/1.0"
  xml:lang="en"
  >
	<title type="text">Latency Field Notes</title>
	<subtitle type="text">Measurements, mostly</subtitle>
	<updated>2024-05-21T07:00:00Z</updated>
	<link rel="alternate" type="text/html" href="{site}" />
	<id>{site}/feed/atom/</id>
	<link rel="self" type="application/atom+xml" href="{site}/feed/atom/" />
	<author>
		<name>Mei Tanaka</name>
		<uri>{site}</uri>
	</author>
	<generator uri="https://wordpress.com/" version="6.6">WordPress.com</generator>
	<entry>
		<author>
			<name>Jonas Berg</name>
		</author>
		<title type="html"><![CDATA[Congestion control, one graph at a time]]></title>
		<link rel="replies" type="text/html" href="{first}#comments" thr:count="4" />
		<link rel="alternate" type="text/html" href="{first}" />
		<id>{site}/?p=31</id>
		<updated>2024-05-20T14:30:00Z</updated>
		<category scheme="{site}" term="Networking" />
		<summary type="html"><![CDATA[A short tour of BBR&#8217;s phases [&#8230;]]]></summary>
		<content type="html" xml:base="{first}"><![CDATA[{first_content}]]></content>
		<link rel="replies" type="application/atom+xml" href="{first}feed/atom/" thr:count="4" />
		<thr:total>4</thr:total>
	</entry>
	<entry>
		<title type="html"><![CDATA[Pacing beats bursting]]></title>
		<link rel="replies" type="text/html" href="{second}#comments" thr:count="0" />
		<link rel="alternate" type="text/html" href="{second}" />
		<id>{site}/?p=34</id>
		<updated>2024-05-21T09:00:00+02:00</updated>
		<category scheme="{site}" term="Networking" />
		<category scheme="{site}" term="Pacing" />
		<summary type="html">{escape("<p>Why spreading packets out wins.</p>")}</summary>
		<content type="html">{escape(second_content)}</content>
	</entry>
</feed>
"""
    posts = (
        ExpectedPost(
            title="Congestion control, one graph at a time",
            url=first,
            published_at=_utc(2024, 5, 20, 14, 30),
            published_at_source="updated",
            published_text="2024-05-20T14:30:00Z",
            body_source="content",
            content_text=(
                "BBR probes for bandwidth, then drains the queue it built. cwnd = 2 * BDP "
                "Each phase shows up as a distinct slope."
            ),
            word_count=23,
            summary="A short tour of BBR\u2019s phases [\u2026]",
            author="Jonas Berg",
            tags=("Networking",),
        ),
        ExpectedPost(
            title="Pacing beats bursting",
            url=second,
            published_at=_utc(2024, 5, 21, 7, 0),
            published_at_source="updated",
            published_text="2024-05-21T09:00:00+02:00",
            body_source="content",
            content_text=(
                "Send at the rate the path drains: no more, no less. Bursts fill buffers; "
                "pacing doesn\u2019t."
            ),
            word_count=16,
            summary="Why spreading packets out wins.",
            author="Mei Tanaka",
            tags=("Networking", "Pacing"),
        ),
    )
    return Template(
        feed_id="wpcom-atom",
        family="WordPress.com / generic Atom",
        quirks=(
            "<updated> only, no <published>",
            'rel="replies" link before rel="alternate"',
            "entry without author inherits the feed's <author>",
            '<content type="html"> plus <summary>, CDATA and escaped',
        ),
        payload=payload.encode("utf-8"),
        content_type=ATOM_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 5. Blogger Atom


def blogger_atom(origin: str) -> Template:
    """Single-quoted attributes, 300 feed-level <category> labels (not post tags), entry
    labels with a scheme, summary-only entries, and an "Unknown" noreply@blogger.com author."""
    site = "https://streamtinkering.blogspot.com"
    blog = "tag:blogger.com,1999:blog-7301946285517263"
    labels = ["AV1", "Encoding", "Tools"] + [f"Clip {n:03d}" for n in range(1, 298)]
    feed_labels = "".join(f"<category term='{label}'/>" for label in labels)
    scheme = "http://www.blogger.com/atom/ns#"

    def author(name: str) -> str:
        return (
            f"<author><name>{name}</name><uri>https://www.blogger.com/profile/0917</uri>"
            "<email>noreply@blogger.com</email><gd:image rel='http://schemas.google.com/g/2005"
            "#thumbnail' width='16' height='16' src='https://img1.blogblog.com/img/b16-rounded"
            ".gif'/></author>"
        )

    def entry(
        number: int,
        published: str,
        updated: str,
        tags: list[str],
        title: str,
        summary: str,
        path: str,
        name: str,
    ) -> str:
        post = f"{site}/{path}.html"
        return (
            f"<entry><id>{blog}.post-{number}</id><published>{published}</published>"
            f"<updated>{updated}</updated>"
            + "".join(f"<category scheme='{scheme}' term='{t}'/>" for t in tags)
            + f"<title type='text'>{title}</title><summary type='text'>{summary}</summary>"
            f"<link rel='replies' type='application/atom+xml' href='{site}/feeds/{number}/"
            "comments/default' title='Post Comments'/>"
            f"<link rel='replies' type='text/html' href='{post}#comment-form' "
            "title='0 Comments'/>"
            f"<link rel='edit' type='application/atom+xml' href='https://www.blogger.com/feeds/"
            f"7301946285517263/posts/default/{number}'/>"
            f"<link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/"
            f"7301946285517263/posts/default/{number}'/>"
            f"<link rel='alternate' type='text/html' href='{post}' title='{title}'/>"
            f"{author(name)}<thr:total>0</thr:total></entry>"
        )

    entries = [
        entry(
            1001,
            "2023-02-14T08:30:00.000-08:00",
            "2023-02-15T10:00:00.000-08:00",
            ["AV1", "Encoding"],
            "AV1 at low bitrates",
            "Film grain synthesis saves bits at 300 kbps. Here is what it looks like frame "
            "by frame&#8230;",
            "2023/02/av1-at-low-bitrates",
            "Priya Raman",
        ),
        entry(
            1002,
            "2023-03-01T12:00:00.000+05:30",
            "2023-03-01T12:00:00.000+05:30",
            ["Encoding", "Tools"],
            "A checklist for encoder settings",
            "Keyframe interval &amp; rate control, in that order.",
            "2023/03/checklist-for-encoder-settings",
            "Unknown",
        ),
        entry(
            1003,
            "2023-04-09T21:05:00.000-07:00",
            "2023-04-09T21:05:00.000-07:00",
            [],
            "Test clips are back",
            "Short note: the test clips are back online.",
            "2023/04/test-clips-are-back",
            "Priya Raman",
        ),
    ]
    payload = (
        "<?xml version='1.0' encoding='UTF-8'?><?xml-stylesheet href=\"http://www.blogger.com/"
        'styles/atom.css" type="text/css"?>'
        "<feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
        "xmlns:blogger='http://schemas.google.com/blogger/2008' "
        "xmlns:georss='http://www.georss.org/georss' "
        'xmlns:gd="http://schemas.google.com/g/2005" '
        "xmlns:thr='http://purl.org/syndication/thread/1.0'>"
        f"<id>{blog}</id><updated>2023-04-09T21:05:00.000-07:00</updated>{feed_labels}"
        "<title type='text'>Stream Tinkering</title><subtitle type='html'></subtitle>"
        f"<link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' "
        f"href='{site}/feeds/posts/default'/>"
        f"<link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/"
        "7301946285517263/posts/default?alt=atom'/>"
        f"<link rel='alternate' type='text/html' href='{site}/'/>"
        f"{author('Priya Raman')}<generator version='7.00' uri='http://www.blogger.com'>Blogger"
        "</generator><openSearch:totalResults>3</openSearch:totalResults>"
        "<openSearch:startIndex>1</openSearch:startIndex>"
        "<openSearch:itemsPerPage>25</openSearch:itemsPerPage>" + "".join(entries) + "</feed>"
    )
    first_text = (
        "Film grain synthesis saves bits at 300 kbps. Here is what it looks like frame by "
        "frame\u2026"
    )
    second_text = "Keyframe interval & rate control, in that order."
    third_text = "Short note: the test clips are back online."
    posts = (
        ExpectedPost(
            title="AV1 at low bitrates",
            url=f"{site}/2023/02/av1-at-low-bitrates.html",
            published_at=_utc(2023, 2, 14, 16, 30),
            published_at_source="published",
            published_text="2023-02-14T08:30:00.000-08:00",
            body_source="summary",
            content_text=first_text,
            word_count=17,
            summary=first_text,
            author="Priya Raman",
            tags=("AV1", "Encoding"),
        ),
        ExpectedPost(
            title="A checklist for encoder settings",
            url=f"{site}/2023/03/checklist-for-encoder-settings.html",
            published_at=_utc(2023, 3, 1, 6, 30),
            published_at_source="published",
            published_text="2023-03-01T12:00:00.000+05:30",
            body_source="summary",
            content_text=second_text,
            word_count=8,
            summary=second_text,
            author=None,
            tags=("Encoding", "Tools"),
        ),
        ExpectedPost(
            title="Test clips are back",
            url=f"{site}/2023/04/test-clips-are-back.html",
            published_at=_utc(2023, 4, 10, 4, 5),
            published_at_source="published",
            published_text="2023-04-09T21:05:00.000-07:00",
            body_source="summary",
            content_text=third_text,
            word_count=8,
            summary=third_text,
            author="Priya Raman",
        ),
    )
    return Template(
        feed_id="blogger",
        family="Blogger Atom",
        quirks=(
            "single-quoted attributes",
            "300 feed-level <category> labels",
            "entry categories with scheme",
            "author 'Unknown' <noreply@blogger.com> = no author",
            "summary-only entries",
            "five <link>s per entry, alternate last",
        ),
        payload=payload.encode("utf-8"),
        content_type=ATOM_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 6. Ghost / Hugo / Jekyll


def hugo_rss(origin: str) -> Template:
    """Hugo's default RSS template: escaped HTML in <description>, `email (Name)` authors; plus
    a relative xml:base on the root (resolved against the feed URL), relative <link>s, a UTF-8
    BOM and blank lines before the XML declaration (not well-formed: parsers must recover)."""
    first_html = (
        "<p>Three things I learned reading <code>quic-go</code>:</p>\n<ul>\n"
        "<li>streams are cheap</li>\n<li>datagrams are not streams</li>\n</ul>"
    )
    second_html = "<p>Slides and notes from my talk&hellip;</p>"
    author = "ines@notes.example (Inês Duarte)"
    body = f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xml:base="/blog/">
  <channel>
    <title>Inês Duarte&#39;s notes</title>
    <link>/blog/</link>
    <description>Recent content on Inês Duarte&#39;s notes</description>
    <generator>Hugo</generator>
    <language>en-us</language>
    <managingEditor>{author}</managingEditor>
    <lastBuildDate>Tue, 18 Jun 2024 16:45:00 +0100</lastBuildDate>
    <atom:link href="/blog/index.xml" rel="self" type="application/rss+xml" />
    <item>
      <title>Notes on quic-go</title>
      <link>posts/notes-on-quic-go/</link>
      <pubDate>Sun, 02 Jun 2024 10:00:00 +0000</pubDate>
      <author>{author}</author>
      <guid>posts/notes-on-quic-go/</guid>
      <description>{escape(first_html)}</description>
    </item>
    <item>
      <title>Talk: latency budgets</title>
      <link>/talks/latency-budgets/</link>
      <pubDate>Tue, 18 Jun 2024 16:45:00 +0100</pubDate>
      <author>{author}</author>
      <guid>/talks/latency-budgets/</guid>
      <description>{escape(second_html)}</description>
    </item>
  </channel>
</rss>
"""
    first_text = (
        "Three things I learned reading quic-go: streams are cheap datagrams are not streams"
    )
    second_text = "Slides and notes from my talk\u2026"
    posts = (
        ExpectedPost(
            title="Notes on quic-go",
            url=f"{origin}/blog/posts/notes-on-quic-go/",
            published_at=_utc(2024, 6, 2, 10, 0),
            published_at_source="published",
            published_text="Sun, 02 Jun 2024 10:00:00 +0000",
            body_source="description",
            content_text=first_text,
            word_count=13,
            summary=first_text,
            author="Inês Duarte",
        ),
        ExpectedPost(
            title="Talk: latency budgets",
            url=f"{origin}/talks/latency-budgets/",
            published_at=_utc(2024, 6, 18, 15, 45),
            published_at_source="published",
            published_text="Tue, 18 Jun 2024 16:45:00 +0100",
            body_source="description",
            content_text=second_text,
            word_count=6,
            summary=second_text,
            author="Inês Duarte",
        ),
    )
    return Template(
        feed_id="hugo",
        family="Ghost / Hugo / Jekyll RSS",
        quirks=(
            "UTF-8 BOM, then blank lines before <?xml",
            'xml:base="/blog/" (relative) on the root',
            "relative <link>s and guids",
            "description only, escaped HTML",
            "<author>email (Name)</author>",
        ),
        payload=b"\xef\xbb\xbf\n\n  " + body.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=posts,
        is_well_formed=False,
    )


# ---------------------------------------------------------------------------------------------
# 7. Tumblr


def tumblr_rss(origin: str) -> Template:
    """Description-only HTML bodies, tags in Hebrew, Cyrillic, Greek, Arabic, CJK and
    Devanagari (combining marks), an emoji tag, an underscore tag, no author."""
    site = "https://packetpostcards.tumblr.com"
    first_html = (
        '<figure class="tmblr-full" data-orig-height="960" data-orig-width="640"><img '
        'src="https://64.media.tumblr.com/5f1e/s640x960/postcard.jpg" data-orig-height="960" '
        'data-orig-width="640"/></figure><p>Greetings in many scripts from the edge of the '
        "network.</p><p>Reply with yours &#x1F680;</p>"
    )
    second_html = (
        '<img src="https://64.media.tumblr.com/77aa/s640x960/exchange.jpg"/><br/><br/>'
        "<p>Cables, everywhere.</p>"
    )
    first_tags = ["שלום", "Привет", "Καλημέρα", "مرحبا", "日本語", "नमस्ते", "🚀", "packet_loss"]
    second_tags = ["日本語", "Photography", "packet_loss"]

    def item(number: int, title: str, html: str, pub_date: str, tags: list[str]) -> str:
        slug = title.lower().replace(" ", "-")
        return (
            f"<item><title>{title}</title><description>{escape(html)}</description>"
            f"<link>{site}/post/{number}/{slug}</link><guid>{site}/post/{number}</guid>"
            f"<pubDate>{pub_date}</pubDate>"
            + "".join(f"<category>{t}</category>" for t in tags)
            + "</item>"
        )

    payload = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:dc="http://purl.org/dc/elements/'
        '1.1/" version="2.0"><channel><description>Postcards from the network edge'
        "</description><title>Packet Postcards</title>"
        "<generator>Tumblr (3.0; @packetpostcards)</generator>"
        f"<link>{site}/</link>"
        + item(
            730001,
            "Postcards in many scripts",
            first_html,
            "Fri, 07 Jun 2024 16:20:11 -0400",
            first_tags,
        )
        + item(
            730002,
            "Night shift at the exchange",
            second_html,
            "Sat, 08 Jun 2024 02:05:00 -0400",
            second_tags,
        )
        + "</channel></rss>\n"
    )
    first_text = (
        "Greetings in many scripts from the edge of the network. Reply with yours \U0001f680"
    )
    posts = (
        ExpectedPost(
            title="Postcards in many scripts",
            url=f"{site}/post/730001/postcards-in-many-scripts",
            published_at=_utc(2024, 6, 7, 20, 20, 11),
            published_at_source="published",
            published_text="Fri, 07 Jun 2024 16:20:11 -0400",
            body_source="description",
            content_text=first_text,
            word_count=14,
            summary=first_text,
            author=None,
            tags=tuple(sorted(first_tags)),
        ),
        ExpectedPost(
            title="Night shift at the exchange",
            url=f"{site}/post/730002/night-shift-at-the-exchange",
            published_at=_utc(2024, 6, 8, 6, 5),
            published_at_source="published",
            published_text="Sat, 08 Jun 2024 02:05:00 -0400",
            body_source="description",
            content_text="Cables, everywhere.",
            word_count=2,
            summary="Cables, everywhere.",
            author=None,
            tags=tuple(sorted(second_tags)),
        ),
    )
    return Template(
        feed_id="tumblr",
        family="Tumblr RSS",
        quirks=(
            "description only, escaped HTML",
            "categories in Hebrew, Cyrillic, Greek, Arabic, CJK, Devanagari",
            "emoji category",
            "emoji as a numeric character reference in the body",
            "no author",
        ),
        payload=payload.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 8. Medium


def medium_rss(origin: str) -> Template:
    """content:encoded with no <description> (so no summary), dc:creator, atom:updated per
    item, tracking pixel, and the categories C, C# and C++ (three tags, three slugs)."""
    site = "https://medium.com/@kofi.mensah"
    source = "?source=rss-7c1d2e3f4a5b------2"
    first_html = (
        "<h3>Three languages, one ABI</h3><p>C, C# and C++ meet at the C calling convention."
        '</p><figure><img alt="" src="https://cdn-images-1.medium.com/max/1024/1*k3n.png" />'
        "<figcaption>One struct, three views</figcaption></figure><p>Keep structs flat and "
        "<strong>pin</strong> what you pass.</p>"
        '<img src="https://medium.com/_/stat?event=post.clientViewed&amp;referrerSource='
        'full_rss&amp;postId=5f2e9a1b3c4d" width="1" height="1" alt="">'
    )
    second_html = (
        "<p>Every instantiation is a new function&#8230; and the linker sees them all.</p>"
        '<img src="https://medium.com/_/stat?event=post.clientViewed&amp;referrerSource='
        'full_rss&amp;postId=0a9b8c7d6e5f" width="1" height="1" alt="">'
    )

    def item(
        title: str, path: str, post: str, tags: list[str], pub: str, upd: str, html: str
    ) -> str:
        return (
            f"<item><title><![CDATA[{title}]]></title><link>{site}/{path}{source}</link>"
            f'<guid isPermaLink="false">https://medium.com/p/{post}</guid>'
            + "".join(f"<category><![CDATA[{t}]]></category>" for t in tags)
            + "<dc:creator><![CDATA[Kofi Mensah]]></dc:creator>"
            f"<pubDate>{pub}</pubDate><atom:updated>{upd}</atom:updated>"
            f"<content:encoded><![CDATA[{html}]]></content:encoded></item>"
        )

    payload = (
        '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/'
        '1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" version="2.0" '
        'xmlns:cc="http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html">'
        "<channel><title><![CDATA[Stories by Kofi Mensah on Medium]]></title>"
        "<description><![CDATA[Stories by Kofi Mensah on Medium]]></description>"
        f"<link>{site}{source}</link><generator>Medium</generator>"
        "<lastBuildDate>Mon, 22 Jul 2024 09:00:00 GMT</lastBuildDate>"
        f'<atom:link href="https://medium.com/feed/@kofi.mensah" rel="self" '
        'type="application/rss+xml"/><webMaster><![CDATA[yourfriends@medium.com]]></webMaster>'
        '<atom:link href="http://medium.superfeedr.com" rel="hub"/>'
        + item(
            "Three languages, one ABI",
            "three-languages-one-abi-5f2e9a1b3c4d",
            "5f2e9a1b3c4d",
            ["C", "C#", "C++", "interop"],
            "Thu, 11 Jul 2024 12:01:45 GMT",
            "2024-07-11T12:05:10.123Z",
            first_html,
        )
        + item(
            "Why C++ templates compile slowly",
            "why-c-templates-compile-slowly-0a9b8c7d6e5f",
            "0a9b8c7d6e5f",
            ["C++", "compilers"],
            "Mon, 22 Jul 2024 09:00:00 GMT",
            "2024-07-22T09:00:00.000Z",
            second_html,
        )
        + "</channel></rss>"
    )
    posts = (
        ExpectedPost(
            title="Three languages, one ABI",
            url=f"{site}/three-languages-one-abi-5f2e9a1b3c4d{source}",
            published_at=_utc(2024, 7, 11, 12, 1, 45),
            published_at_source="published",
            published_text="Thu, 11 Jul 2024 12:01:45 GMT",
            body_source="content:encoded",
            content_text=(
                "Three languages, one ABI C, C# and C++ meet at the C calling convention. One "
                "struct, three views Keep structs flat and pin what you pass."
            ),
            word_count=26,
            summary=None,
            author="Kofi Mensah",
            tags=("C", "C#", "C++", "interop"),
        ),
        ExpectedPost(
            title="Why C++ templates compile slowly",
            url=f"{site}/why-c-templates-compile-slowly-0a9b8c7d6e5f{source}",
            published_at=_utc(2024, 7, 22, 9, 0),
            published_at_source="published",
            published_text="Mon, 22 Jul 2024 09:00:00 GMT",
            body_source="content:encoded",
            content_text=(
                "Every instantiation is a new function\u2026 and the linker sees them all."
            ),
            word_count=12,
            summary=None,
            author="Kofi Mensah",
            tags=("C++", "compilers"),
        ),
    )
    return Template(
        feed_id="medium",
        family="Medium RSS",
        quirks=(
            "content:encoded, no description",
            "categories C, C#, C++",
            "atom:updated inside RSS items",
            "tracking pixel",
        ),
        payload=payload.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 9. Squarespace / Serendipity / BlogEngine.NET


def blogengine_rss(origin: str) -> Template:
    """`email (Name)` and `Name <email>` authors, a no-reply address, description-only bodies
    whose HTML entities are double-encoded, <br> lines, inline <b>, <script>/<style>, an
    RSS 2.0 item dated by dc:date only, and "Café" precomposed and decomposed."""
    site = "https://cafe-latency.example"
    first_html = (
        "<p>Caf&eacute; r&eacute;seau notes&hellip; it&#x27;s&nbsp;fast &mdash; really.</p>"
        "<p>Next &rarr; <b>bold</b>move</p>line two<br>line three<br/>line four"
        '<script type="text/javascript">document.write("<p>hidden</p>");</script>'
        "<style>p { color: red; }</style>"
    )
    second_html = (
        "<div>Two shots&hellip;<br />one grinder.</div><div>S&atilde;o Paulo &amp; Lisboa</div>"
    )
    third_html = "<p>Closed for the holiday &ndash; back on Monday.</p>"
    decomposed = "Cafe\u0301 Culture"
    payload = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:betag="http://dotnetblogengine.net/schemas/tags">
  <channel>
    <title>Café Latency</title>
    <description>Coffee and round trips</description>
    <link>{site}/</link>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <generator>BlogEngine.NET 3.3.8.0</generator>
    <language>en-GB</language>
    <item>
      <title>Notes from the café</title>
      <description>{escape(first_html)}</description>
      <link>{site}/post/notes-from-the-cafe</link>
      <author>lucia@cafe-latency.example (Lucía Pérez)</author>
      <comments>{site}/post/notes-from-the-cafe#comment</comments>
      <guid>{site}/post.aspx?id=3f1c2a7e-0b44-4c1e-9d5e-6a7b8c9d0e1f</guid>
      <pubDate>Mon, 01 Jul 2024 08:00:00 +0200</pubDate>
      <category>Café Culture</category>
      <category>Latency</category>
      <betag:tag>latency</betag:tag>
    </item>
    <item>
      <title>Two shots, one grinder</title>
      <description>{escape(second_html)}</description>
      <link>{site}/post/two-shots-one-grinder</link>
      <author>{escape("Tomás Silva <tomas@cafe-latency.example>")}</author>
      <guid>{site}/post.aspx?id=5a6b7c8d-1e2f-4a3b-8c9d-0e1f2a3b4c5d</guid>
      <pubDate>Tue, 02 Jul 2024 21:30:00 +0000</pubDate>
      <category>Café Culture</category>
      <category>Espresso</category>
    </item>
    <item>
      <title>Holiday hours</title>
      <description>{escape(third_html)}</description>
      <link>{site}/post/holiday-hours</link>
      <author>no-reply@cafe-latency.example</author>
      <guid>{site}/post.aspx?id=9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b</guid>
      <dc:date>2024-07-03T10:15:00+02:00</dc:date>
      <category>{decomposed}</category>
    </item>
  </channel>
</rss>
"""
    first_text = (
        "Caf\u00e9 r\u00e9seau notes\u2026 it's fast \u2014 really. Next \u2192 boldmove line "
        "two line three line four"
    )
    second_text = "Two shots\u2026 one grinder. S\u00e3o Paulo & Lisboa"
    third_text = "Closed for the holiday \u2013 back on Monday."
    posts = (
        ExpectedPost(
            title="Notes from the caf\u00e9",
            url=f"{site}/post/notes-from-the-cafe",
            published_at=_utc(2024, 7, 1, 6, 0),
            published_at_source="published",
            published_text="Mon, 01 Jul 2024 08:00:00 +0200",
            body_source="description",
            content_text=first_text,
            word_count=16,
            summary=first_text,
            author="Luc\u00eda P\u00e9rez",
            tags=("Café Culture", "Latency"),
        ),
        ExpectedPost(
            title="Two shots, one grinder",
            url=f"{site}/post/two-shots-one-grinder",
            published_at=_utc(2024, 7, 2, 21, 30),
            published_at_source="published",
            published_text="Tue, 02 Jul 2024 21:30:00 +0000",
            body_source="description",
            content_text=second_text,
            word_count=8,
            summary=second_text,
            author="Tom\u00e1s Silva",
            tags=("Café Culture", "Espresso"),
        ),
        ExpectedPost(
            title="Holiday hours",
            url=f"{site}/post/holiday-hours",
            published_at=_utc(2024, 7, 3, 8, 15),
            published_at_source="dc:date",
            published_text="2024-07-03T10:15:00+02:00",
            body_source="description",
            content_text=third_text,
            word_count=8,
            summary=third_text,
            author=None,
            tags=("Café Culture",),
        ),
    )
    return Template(
        feed_id="blogengine",
        family="Squarespace / Serendipity / BlogEngine.NET RSS 2.0",
        quirks=(
            "<author>email (Name)</author> and <author>Name <email></author>",
            "<author>no-reply@...</author> = no author",
            "entities double-encoded (&amp;hellip; &amp;eacute; &amp;#x27; &amp;nbsp; ...)",
            "<br> lines, inline <b>, <script> and <style>",
            "dc:date only on an RSS 2.0 item",
            "'Café' precomposed and decomposed",
        ),
        payload=payload.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 10. YouTube channel Atom


def youtube_atom(origin: str) -> Template:
    """<media:group><media:description> as the only body (plain text with newlines),
    <published> and <updated>, yt:videoId."""
    channel = "UCq3M7xT0aKpLZ0w8f2Lh9Xg"

    def entry(video: str, title: str, published: str, updated: str, description: str) -> str:
        watch = f"https://www.youtube.com/watch?v={video}"
        return f""" <entry>
  <id>yt:video:{video}</id>
  <yt:videoId>{video}</yt:videoId>
  <yt:channelId>{channel}</yt:channelId>
  <title>{title}</title>
  <link rel="alternate" href="{watch}"/>
  <author>
   <name>Latency Lab</name>
   <uri>https://www.youtube.com/channel/{channel}</uri>
  </author>
  <published>{published}</published>
  <updated>{updated}</updated>
  <media:group>
   <media:title>{title}</media:title>
   <media:content url="https://www.youtube.com/v/{video}?version=3"
     type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i2.ytimg.com/vi/{video}/hqdefault.jpg" width="480" height="360"/>
   <media:description>{description}</media:description>
   <media:community>
    <media:starRating count="120" average="5.00" min="1" max="5"/>
    <media:statistics views="3456"/>
   </media:community>
  </media:group>
 </entry>
"""

    payload = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns:yt="http://www.youtube.com/xml/'
        'schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns="http://www.w3.org/2005/Atom">\n'
        f' <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id={channel}"/>\n'
        f" <id>yt:channel:{channel[2:]}</id>\n <yt:channelId>{channel[2:]}</yt:channelId>\n"
        " <title>Latency Lab</title>\n"
        f' <link rel="alternate" href="https://www.youtube.com/channel/{channel}"/>\n'
        " <author>\n  <name>Latency Lab</name>\n"
        f"  <uri>https://www.youtube.com/channel/{channel}</uri>\n </author>\n"
        " <published>2019-01-01T00:00:00+00:00</published>\n"
        + entry(
            "AbC123xYz_0",
            "Measuring glass-to-glass latency",
            "2024-08-01T15:00:06+00:00",
            "2024-08-03T02:11:40+00:00",
            "We point a camera at a screen &amp; time it.\n\nChapters:\n00:00 Setup\n03:10 Results",
        )
        + entry(
            "Zz9-8yX7wV6",
            "One frame late",
            "2024-08-15T18:30:00+00:00",
            "2024-08-15T18:31:12+00:00",
            "Can you spot the late frame? #shorts",
        )
        + "</feed>\n"
    )
    posts = (
        ExpectedPost(
            title="Measuring glass-to-glass latency",
            url="https://www.youtube.com/watch?v=AbC123xYz_0",
            published_at=_utc(2024, 8, 1, 15, 0, 6),
            published_at_source="published",
            published_text="2024-08-01T15:00:06+00:00",
            body_source="media:description",
            content_text=(
                "We point a camera at a screen & time it. Chapters: 00:00 Setup 03:10 Results"
            ),
            word_count=15,
            summary=None,
            author="Latency Lab",
        ),
        ExpectedPost(
            title="One frame late",
            url="https://www.youtube.com/watch?v=Zz9-8yX7wV6",
            published_at=_utc(2024, 8, 15, 18, 30),
            published_at_source="published",
            published_text="2024-08-15T18:30:00+00:00",
            body_source="media:description",
            content_text="Can you spot the late frame? #shorts",
            word_count=7,
            summary=None,
            author="Latency Lab",
        ),
    )
    return Template(
        feed_id="youtube",
        family="YouTube channel Atom",
        quirks=(
            "media:description as the only body, plain text with newlines",
            "<published> and <updated>",
            "yt:videoId, media:group",
        ),
        payload=payload.encode("utf-8"),
        content_type=ATOM_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 11. RSS 1.0 (RDF)


def rss1_rdf(origin: str) -> Template:
    """RSS 1.0: items outside <channel>, dated by dc:date only, dc:creator, dc:subject."""
    site = "https://wire.example"
    items = [
        (
            "Hackathon results: QUIC multipath",
            f"{site}/2024/09/03/hackathon-multipath/",
            "2024-09-03T07:45:00+01:00",
            "Six teams interoperated on the multipath draft over two days.",
        ),
        (
            "Working group adopts the pacing draft",
            f"{site}/2024/09/10/pacing-draft-adopted/",
            "2024-09-10T16:00:00Z",
            escape("<p>Adoption call closed <em>without</em> objections.</p>"),
        ),
    ]
    sequence = "".join(f'\n    <rdf:li rdf:resource="{link}"/>' for _, link, _, _ in items)
    body = "".join(
        f"""
<item rdf:about="{link}">
  <title>{title}</title>
  <link>{link}</link>
  <description>{description}</description>
  <dc:creator>Olu Adeyemi</dc:creator>
  <dc:date>{dated}</dc:date>
  <dc:subject>Standards</dc:subject>
</item>"""
        for title, link, dated, description in items
    )
    payload = f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:syn="http://purl.org/rss/1.0/modules/syndication/"
>
<channel rdf:about="{site}/rss">
  <title>Transport Wire</title>
  <link>{site}/</link>
  <description>News from the transport working groups</description>
  <dc:language>en</dc:language>
  <dc:date>2024-09-10T16:00:00Z</dc:date>
  <syn:updatePeriod>hourly</syn:updatePeriod>
  <items>
   <rdf:Seq>{sequence}
   </rdf:Seq>
  </items>
</channel>{body}
</rdf:RDF>
"""
    first_text = "Six teams interoperated on the multipath draft over two days."
    second_text = "Adoption call closed without objections."
    posts = (
        ExpectedPost(
            title="Hackathon results: QUIC multipath",
            url=items[0][1],
            published_at=_utc(2024, 9, 3, 6, 45),
            published_at_source="dc:date",
            published_text="2024-09-03T07:45:00+01:00",
            body_source="description",
            content_text=first_text,
            word_count=10,
            summary=first_text,
            author="Olu Adeyemi",
            tags=("Standards",),
        ),
        ExpectedPost(
            title="Working group adopts the pacing draft",
            url=items[1][1],
            published_at=_utc(2024, 9, 10, 16, 0),
            published_at_source="dc:date",
            published_text="2024-09-10T16:00:00Z",
            body_source="description",
            content_text=second_text,
            word_count=5,
            summary=second_text,
            author="Olu Adeyemi",
            tags=("Standards",),
        ),
    )
    return Template(
        feed_id="rdf-news",
        family="RSS 1.0 (RDF) news feed",
        quirks=("dc:date only", "dc:creator", "dc:subject", "items outside <channel>"),
        payload=payload.encode("utf-8"),
        content_type=RDF_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 12. Localized dates (pt-BR, es, fr, de)


@dataclass(frozen=True)
class _NewsItem:
    title: str
    slug: str
    pub_date: str
    html: str
    published_at: datetime | None
    text: str
    word_count: int
    # the feed's category unless given
    category: str | None = None


def _news_rss(
    feed_id: str,
    site: str,
    title: str,
    language: str,
    author: str,
    category: str,
    items: list[_NewsItem],
    family: str,
    quirks: tuple[str, ...],
) -> Template:
    """A news site's RSS 2.0 in its own language: localized pubDate, CDATA descriptions."""
    body = "".join(
        f"""
    <item>
      <title>{item.title}</title>
      <link>{site}/{item.slug}</link>
      <guid isPermaLink="true">{site}/{item.slug}</guid>
      <pubDate>{item.pub_date}</pubDate>
      <dc:creator>{author}</dc:creator>
      <category>{item.category or category}</category>
      <description><![CDATA[{item.html}]]></description>
    </item>"""
        for item in items
    )
    payload = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>{title}</title>
    <link>{site}/</link>
    <description>{title}</description>
    <language>{language}</language>{body}
  </channel>
</rss>
"""
    posts = tuple(
        ExpectedPost(
            title=item.title,
            url=f"{site}/{item.slug}",
            published_at=item.published_at,
            published_at_source="published" if item.published_at else None,
            published_text=item.pub_date,
            body_source="description",
            content_text=item.text,
            word_count=item.word_count,
            summary=item.text,
            author=author,
            tags=(item.category or category,),
        )
        for item in items
    )
    return Template(
        feed_id=feed_id,
        family=family,
        quirks=quirks,
        payload=payload.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=posts,
    )


def localized_pt_rss(origin: str) -> Template:
    """A Brazilian news feed: Portuguese day and month names, a Saturday crossing midnight
    UTC, and one entry dated "soon" (kept, with no date)."""
    items = [
        _NewsItem(
            "Fibra chega ao interior",
            "fibra-chega-ao-interior",
            "Seg, 24 Set 2018 19:42:40 -0300",
            "<p>A nova rede de fibra chega a 40 cidades do interior.</p>",
            _utc(2018, 9, 24, 22, 42, 40),
            "A nova rede de fibra chega a 40 cidades do interior.",
            11,
        ),
        _NewsItem(
            "Leilão do 5G tem data marcada",
            "leilao-do-5g",
            "Ter, 25 Set 2018 08:05:00 -0300",
            "<p>O edital sai em outubro, diz a agência.</p>",
            _utc(2018, 9, 25, 11, 5),
            "O edital sai em outubro, diz a agência.",
            8,
            category="Telecomunicações",
        ),
        _NewsItem(
            "Satélites no fim de semana",
            "satelites-no-fim-de-semana",
            "Sáb, 29 Set 2018 23:10:00 -0300",
            "<p>Dois lançamentos estão previstos para sábado.</p>",
            _utc(2018, 9, 30, 2, 10),
            "Dois lançamentos estão previstos para sábado.",
            6,
        ),
        _NewsItem(
            "Próximas coberturas",
            "proximas-coberturas",
            "soon",
            "<p>Acompanhe a série sobre conectividade rural.</p>",
            None,
            "Acompanhe a série sobre conectividade rural.",
            6,
        ),
    ]
    return _news_rss(
        "pt-news",
        "https://redeaberta.example",
        "Rede Aberta",
        "pt-BR",
        "Beatriz Lima",
        "Infraestrutura",
        items,
        "Localized-date RSS 2.0 (pt-BR)",
        ("pubDate in Portuguese (Seg, Set, Sáb)", "pubDate 'soon': kept, undated"),
    )


def localized_es_rss(origin: str) -> Template:
    """A Spanish news feed: Lun, Mié, Sep."""
    items = [
        _NewsItem(
            "La fibra llega a Teruel",
            "la-fibra-llega-a-teruel",
            "Lun, 24 Sep 2018 10:00:00 +0200",
            "<p>La nueva red llega a 30 municipios.</p>",
            _utc(2018, 9, 24, 8, 0),
            "La nueva red llega a 30 municipios.",
            7,
        ),
        _NewsItem(
            "Subasta del 5G",
            "subasta-del-5g",
            "Mié, 26 Sep 2018 18:30:00 +0200",
            "<p>El calendario se conocerá en octubre.</p>",
            _utc(2018, 9, 26, 16, 30),
            "El calendario se conocerá en octubre.",
            6,
        ),
    ]
    return _news_rss(
        "es-news",
        "https://redabierta.example",
        "Red Abierta",
        "es-ES",
        "Carmen Ruiz",
        "Redes",
        items,
        "Localized-date RSS 2.0 (es)",
        ("pubDate in Spanish (Lun, Mié)",),
    )


def localized_fr_rss(origin: str) -> Template:
    """A French news feed: lun., mer., sept., oct."""
    items = [
        _NewsItem(
            "La fibre arrive en Creuse",
            "la-fibre-arrive-en-creuse",
            "lun., 24 sept. 2018 19:42:40 +0200",
            "<p>Le réseau couvre désormais 12 communes.</p>",
            _utc(2018, 9, 24, 17, 42, 40),
            "Le réseau couvre désormais 12 communes.",
            6,
        ),
        _NewsItem(
            "Enchères 5G : le calendrier",
            "encheres-5g-le-calendrier",
            "mer., 3 oct. 2018 07:00:00 +0200",
            "<p>Les candidatures ouvrent en novembre.</p>",
            _utc(2018, 10, 3, 5, 0),
            "Les candidatures ouvrent en novembre.",
            5,
        ),
    ]
    return _news_rss(
        "fr-news",
        "https://reseauouvert.example",
        "Réseau ouvert",
        "fr-FR",
        "Élodie Martin",
        "Réseaux",
        items,
        "Localized-date RSS 2.0 (fr)",
        ("pubDate in French (lun., sept., oct.)",),
    )


def localized_de_rss(origin: str) -> Template:
    """A German news feed: Mo, Di, Okt."""
    items = [
        _NewsItem(
            "Glasfaser für Brandenburg",
            "glasfaser-fuer-brandenburg",
            "Mo, 24 Sep 2018 19:42:40 +0200",
            "<p>Der Ausbau erreicht 25 Gemeinden.</p>",
            _utc(2018, 9, 24, 17, 42, 40),
            "Der Ausbau erreicht 25 Gemeinden.",
            5,
        ),
        _NewsItem(
            "5G-Auktion: Termine stehen",
            "5g-auktion-termine",
            "Di, 02 Okt 2018 06:15:00 +0200",
            "<p>Die Bewerbungsfrist endet im Januar.</p>",
            _utc(2018, 10, 2, 4, 15),
            "Die Bewerbungsfrist endet im Januar.",
            5,
        ),
    ]
    return _news_rss(
        "de-news",
        "https://offenesnetz.example",
        "Offenes Netz",
        "de-DE",
        "Jürgen Weiß",
        "Netzausbau",
        items,
        "Localized-date RSS 2.0 (de)",
        ("pubDate in German (Mo, Di, Okt)",),
    )


# ---------------------------------------------------------------------------------------------
# 13. Podcast


def podcast_rss(origin: str) -> Template:
    """Audio <enclosure>, itunes:author as the only author, <description> (escaped HTML)
    followed by a shorter itunes:summary, which must not become the body."""
    site = "https://rtt.example"
    episodes = [
        (
            42,
            "Episode 42: Buffers all the way down",
            "Wed, 04 Sep 2024 05:00:00 +0000",
            "<p>We follow one packet through <strong>five</strong> queues.</p>"
            f'<p>Links: <a href="{site}/notes/42">show notes</a></p>',
            "We follow one packet through five queues.",
            48213344,
            [],
        ),
        (
            43,
            "Episode 43: The last mile",
            "Wed, 18 Sep 2024 05:00:00 +0000",
            "<p>Why the last mile is the slow one.</p>",
            "The last mile, explained.",
            39125504,
            ["Networking"],
        ),
    ]
    items = "".join(
        f"""
    <item>
      <title>{title}</title>
      <link>{site}/episodes/{number}</link>
      <guid isPermaLink="false">rtt-{number:03d}</guid>
      <pubDate>{pub_date}</pubDate>
      <description>{escape(html)}</description>
      <itunes:summary>{summary}</itunes:summary>
      <itunes:author>Sam Okafor</itunes:author>
      <itunes:duration>00:50:12</itunes:duration>
      <itunes:episode>{number}</itunes:episode>
      <itunes:explicit>false</itunes:explicit>
      <enclosure url="https://cdn.rtt.example/episodes/{number:03d}.mp3" length="{size}"
        type="audio/mpeg"/>{"".join(f"<category>{t}</category>" for t in tags)}
    </item>"""
        for number, title, pub_date, html, summary, size, tags in episodes
    )
    payload = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Round Trip Time</title>
    <link>{site}/</link>
    <language>en</language>
    <description>A podcast about where the milliseconds go.</description>
    <itunes:author>Round Trip Time</itunes:author>
    <itunes:owner>
      <itunes:name>Sam Okafor</itunes:name>
      <itunes:email>hosts@rtt.example</itunes:email>
    </itunes:owner>
    <itunes:image href="{site}/cover.jpg"/>
    <itunes:category text="Technology"/>
    <itunes:explicit>false</itunes:explicit>
    <atom:link href="{site}/feed.xml" rel="self" type="application/rss+xml"/>{items}
  </channel>
</rss>
"""
    first_text = "We follow one packet through five queues. Links: show notes"
    second_text = "Why the last mile is the slow one."
    posts = (
        ExpectedPost(
            title="Episode 42: Buffers all the way down",
            url=f"{site}/episodes/42",
            published_at=_utc(2024, 9, 4, 5, 0),
            published_at_source="published",
            published_text="Wed, 04 Sep 2024 05:00:00 +0000",
            body_source="description",
            content_text=first_text,
            word_count=10,
            summary=first_text,
            author="Sam Okafor",
            enclosure_count=1,
        ),
        ExpectedPost(
            title="Episode 43: The last mile",
            url=f"{site}/episodes/43",
            published_at=_utc(2024, 9, 18, 5, 0),
            published_at_source="published",
            published_text="Wed, 18 Sep 2024 05:00:00 +0000",
            body_source="description",
            content_text=second_text,
            word_count=8,
            summary=second_text,
            author="Sam Okafor",
            tags=("Networking",),
            enclosure_count=1,
        ),
    )
    return Template(
        feed_id="podcast",
        family="Podcast RSS",
        quirks=(
            "audio <enclosure>",
            "itunes:author only",
            "itunes:summary after <description> (not the body)",
            "feed-level itunes:category (not a tag)",
        ),
        payload=payload.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 14. Legacy multi-byte charsets (issue 23): Shift_JIS in the declaration, GB2312 in HTTP only


def shift_jis_rss(origin: str) -> Template:
    """A Japanese site's RSS 2.0 encoded as Shift_JIS (declared in the prolog), with characters
    only Microsoft's superset has (①, U+FF5E): read with cp932, as browsers do."""
    site = "https://jp.example"
    items = [
        (
            "新しい回線の測定①",
            "2024/06/01",
            "Sat, 01 Jun 2024 03:00:00 +0900",
            "<p>回線の遅延を測りました\uff5e</p>",
            "回線の遅延を測りました\uff5e",
        ),
        (
            "配信サーバーの移行",
            "2024/06/15",
            "Sat, 15 Jun 2024 12:30:00 +0900",
            "<p>サーバーを移しました。</p><p>停止はありません。</p>",
            "サーバーを移しました。 停止はありません。",
        ),
    ]
    body = "".join(
        f"""
    <item>
      <title>{title}</title>
      <link>{site}/{path}/</link>
      <guid>{site}/{path}/</guid>
      <pubDate>{date}</pubDate>
      <description><![CDATA[{html}]]></description>
      <dc:creator>山田 花子</dc:creator>
    </item>"""
        for title, path, date, html, _ in items
    )
    payload = f"""<?xml version="1.0" encoding="Shift_JIS"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>回線ノート</title>
    <link>{site}/</link>
    <language>ja</language>{body}
  </channel>
</rss>
"""
    posts = tuple(
        ExpectedPost(
            title=title,
            url=f"{site}/{path}/",
            published_at=published_at,
            published_at_source="published",
            published_text=date,
            body_source="description",
            content_text=text,
            word_count=len(text.split()),
            summary=text,
            author="山田 花子",
        )
        for (title, path, date, _, text), published_at in zip(
            items, (_utc(2024, 5, 31, 18, 0), _utc(2024, 6, 15, 3, 30)), strict=True
        )
    )
    return Template(
        feed_id="shift-jis",
        family="Japanese RSS 2.0 in Shift_JIS",
        quirks=("Shift_JIS declared in the prolog", "cp932-only characters (①, U+FF5E)"),
        payload=payload.encode("cp932"),
        content_type="application/rss+xml",
        posts=posts,
    )


def gb2312_rss(origin: str) -> Template:
    """A Chinese site's RSS 2.0 in GB2312, said only by the HTTP Content-Type (no encoding in
    the declaration); read with the gb18030 decoder, as browsers do."""
    site = "https://cn.example"
    items = [
        ("网络延迟测量", 1, "Mon, 08 Jul 2024 08:00:00 +0800", "我们测量了延迟。"),
        ("服务器迁移完成", 2, "Tue, 16 Jul 2024 20:15:00 +0800", "迁移已经完成。"),
    ]
    body = "".join(
        f"""
    <item>
      <title>{title}</title>
      <link>{site}/news/{number}.html</link>
      <pubDate>{date}</pubDate>
      <description>{text}</description>
      <author>editor@cn.example (王伟)</author>
      <category>网络</category>
    </item>"""
        for title, number, date, text in items
    )
    payload = f"""<?xml version="1.0"?>
<rss version="2.0">
  <channel>
    <title>网络笔记</title>
    <link>{site}/</link>
    <language>zh-cn</language>{body}
  </channel>
</rss>
"""
    posts = tuple(
        ExpectedPost(
            title=title,
            url=f"{site}/news/{number}.html",
            published_at=published_at,
            published_at_source="published",
            published_text=date,
            body_source="description",
            content_text=text,
            word_count=1,
            summary=text,
            author="王伟",
            tags=("网络",),
        )
        for (title, number, date, text), published_at in zip(
            items, (_utc(2024, 7, 8, 0, 0), _utc(2024, 7, 16, 12, 15)), strict=True
        )
    )
    return Template(
        feed_id="gb2312",
        family="Chinese RSS 2.0 in GB2312",
        quirks=("charset only in the HTTP header", "no encoding in the declaration"),
        payload=payload.encode("gb2312"),
        content_type="application/rss+xml; charset=gb2312",
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 15. An external DTD and titles holding HTML (RSS 2.0)


def dtd_titles_rss(origin: str) -> Template:
    """A DOCTYPE naming an external DTD (never fetched, no reason to refuse); titles with
    escaped numeric and named references (&#8220;, &colon;), a CDATA title holding HTML, a
    double-escaped entity (shown as a browser shows it: &ldquo; literally) and runs of
    whitespace; a title that only looks like markup ("Tom & Jerry <3") stays as written."""
    site = "https://dtd.example"
    titles = [
        ("&amp;#8220;Nature&amp;#8221; at fifty", "“Nature” at fifty"),
        ("Re&amp;colon; the   schedule", "Re: the schedule"),
        ("<![CDATA[Area in m<sup>2</sup>, <em>measured</em>]]>", "Area in m2, measured"),
        ("&amp;amp;ldquo;Quoted&amp;amp;rdquo; twice", "&ldquo;Quoted&rdquo; twice"),
        ("Tom &amp; Jerry &lt;3", "Tom & Jerry <3"),
    ]
    body = "".join(
        f"""
    <item>
      <title>{sent}</title>
      <link>{site}/p/{n}</link>
      <guid isPermaLink="false">dtd-{n}</guid>
      <pubDate>Mon, 0{n} Sep 2024 10:00:00 GMT</pubDate>
      <description>Item {n}.</description>
    </item>"""
        for n, (sent, _) in enumerate(titles, start=1)
    )
    payload = f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rss SYSTEM "http://www.dtd.example/dtd/rss-2.0.dtd">
<rss version="2.0">
  <channel>
    <title>Title Lab</title>
    <link>{site}/</link>{body}
  </channel>
</rss>
"""
    posts = tuple(
        ExpectedPost(
            title=shown,
            url=f"{site}/p/{n}",
            published_at=_utc(2024, 9, n, 10, 0),
            published_at_source="published",
            published_text=f"Mon, 0{n} Sep 2024 10:00:00 GMT",
            body_source="description",
            content_text=f"Item {n}.",
            word_count=2,
            summary=f"Item {n}.",
            author=None,
        )
        for n, (_, shown) in enumerate(titles, start=1)
    )
    return Template(
        feed_id="dtd-titles",
        family="RSS 2.0 with an external DTD",
        quirks=("external DTD", "HTML and references in titles", "double-escaped entity"),
        payload=payload.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 16. Atom: html/xhtml titles, relative xml:base at feed and entry level, no absolute base


def atom_xml_base(origin: str) -> Template:
    """Typed titles (html, xhtml, text with a literal "<video>"); xml:base="/blog/" on the
    feed and "2024/" on an entry, relative links, a relative enclosure: with no absolute base
    in the document every URL resolves against the feed's own URL."""
    payload = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/">
  <title>Base Camp</title>
  <id>tag:base.example,2024:feed</id>
  <updated>2024-10-03T09:00:00Z</updated>
  <author><name>Noor Haddad</name></author>
  <entry xml:base="2024/">
    <title type="html">A &lt;b&gt;bold&lt;/b&gt; move &amp;amp; more</title>
    <link rel="alternate" href="bold-move.html"/>
    <link rel="enclosure" href="media/bold.mp3" type="audio/mpeg" length="1000"/>
    <id>tag:base.example,2024:1</id>
    <published>2024-10-01T09:00:00Z</published>
    <updated>2024-10-01T09:00:00Z</updated>
    <content type="html">&lt;p&gt;Moving &lt;em&gt;boldly&lt;/em&gt;.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <i>xhtml</i>   title</div>
    </title>
    <link href="xhtml-title.html"/>
    <id>tag:base.example,2024:2</id>
    <updated>2024-10-02T09:00:00Z</updated>
    <summary>Short.</summary>
  </entry>
  <entry>
    <title type="text">Using &lt;video&gt; well</title>
    <link href="/video.html"/>
    <id>tag:base.example,2024:3</id>
    <published>2024-10-03T09:00:00Z</published>
    <content type="text">Plain words.</content>
  </entry>
</feed>
"""
    feed_dir = f"{origin}/blog/"
    posts = (
        ExpectedPost(
            title="A bold move & more",
            url=f"{feed_dir}2024/bold-move.html",
            published_at=_utc(2024, 10, 1, 9, 0),
            published_at_source="published",
            published_text="2024-10-01T09:00:00Z",
            body_source="content",
            content_text="Moving boldly.",
            word_count=2,
            summary=None,
            author="Noor Haddad",
            enclosure_count=1,
        ),
        ExpectedPost(
            title="An xhtml title",
            url=f"{feed_dir}xhtml-title.html",
            published_at=_utc(2024, 10, 2, 9, 0),
            published_at_source="updated",
            published_text="2024-10-02T09:00:00Z",
            body_source="summary",
            content_text="Short.",
            word_count=1,
            summary="Short.",
            author="Noor Haddad",
        ),
        ExpectedPost(
            title="Using <video> well",
            url=f"{origin}/video.html",
            published_at=_utc(2024, 10, 3, 9, 0),
            published_at_source="published",
            published_text="2024-10-03T09:00:00Z",
            body_source="content",
            content_text="Plain words.",
            word_count=2,
            summary=None,
            author="Noor Haddad",
        ),
    )
    return Template(
        feed_id="atom-base",
        family="Atom with relative xml:base",
        quirks=("relative xml:base on feed and entry", "html/xhtml/text titles"),
        payload=payload.encode("utf-8"),
        content_type=ATOM_TYPE,
        posts=posts,
    )


# ---------------------------------------------------------------------------------------------
# 17. A news page: items sharing one link, no guids; an empty <item/> nested in another


def shared_link_rss(origin: str) -> Template:
    """Three announcements linking to the same page without guids (three posts, told apart
    by title and date) and an empty <item/> nested in the last one (no post: quarantined)."""
    site = "https://town.example"
    notes = [
        ("Library closed Monday", "Fri, 01 Nov 2024 08:00:00 +0000", "The library is closed."),
        ("Market moves to the square", "Mon, 04 Nov 2024 08:00:00 +0000", "The market moves."),
        ("Road works on Main Street", "Wed, 06 Nov 2024 08:00:00 +0000", "Expect delays."),
    ]
    body = "".join(
        f"""
    <item>
      <title>{title}</title>
      <link>{site}/announcements</link>
      <pubDate>{date}</pubDate>
      <description>{text}</description>{"<item/>" if n == len(notes) else ""}
    </item>"""
        for n, (title, date, text) in enumerate(notes, start=1)
    )
    payload = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Town Announcements</title>
    <link>{site}/</link>{body}
  </channel>
</rss>
"""
    posts = tuple(
        ExpectedPost(
            title=title,
            url=f"{site}/announcements",
            published_at=published_at,
            published_at_source="published",
            published_text=date,
            body_source="description",
            content_text=text,
            word_count=len(text.split()),
            summary=text,
            author=None,
        )
        for (title, date, text), published_at in zip(
            notes, (_utc(2024, 11, 1, 8), _utc(2024, 11, 4, 8), _utc(2024, 11, 6, 8)), strict=True
        )
    )
    return Template(
        feed_id="shared-link",
        family="News page RSS",
        quirks=("items share one link, no guid", "an empty <item/> nested in another"),
        payload=payload.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=posts,
        quarantined=("empty entry: no guid, link, title, body or date",),
    )


# ---------------------------------------------------------------------------------------------
# 18. Podcast with misspelled namespace URIs: the precedence table


def podcast_precedence_rss(origin: str) -> Template:
    """The content module's URI without its trailing slash and the iTunes URI in other letter
    case; itunes:summary promos written before <description>; dc:creator and itunes:author on
    one episode (dc:creator wins), only the show's itunes:author on another (the feed's)."""
    site = "https://cast.example"
    payload = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd"
  xmlns:content="http://purl.org/rss/1.0/modules/content"
  xmlns:dc="http://purl.org/dc/elements/1.1">
  <channel>
    <title>Packet Stories</title>
    <link>{site}/</link>
    <itunes:author>Packet Stories Show</itunes:author>
    <item>
      <title>Ep. 1: Queues</title>
      <link>{site}/ep/1</link>
      <guid isPermaLink="false">ps-1</guid>
      <pubDate>Tue, 01 Oct 2024 06:00:00 +0000</pubDate>
      <itunes:summary>Listen now!</itunes:summary>
      <description>Queues, briefly.</description>
      <content:encoded><![CDATA[<p>Queues, in full: arrival, service, departure.</p>]]>
      </content:encoded>
      <dc:creator>Hana Ito</dc:creator>
      <itunes:author>Packet Stories Show</itunes:author>
    </item>
    <item>
      <title>Ep. 2: Loss</title>
      <link>{site}/ep/2</link>
      <guid isPermaLink="false">ps-2</guid>
      <pubDate>Tue, 15 Oct 2024 06:00:00 +0000</pubDate>
      <itunes:summary>Subscribe!</itunes:summary>
      <description>&lt;p&gt;Where packets go missing, and why.&lt;/p&gt;</description>
      <itunes:author>Dev Patel</itunes:author>
    </item>
    <item>
      <title>Ep. 3: Trailer</title>
      <link>{site}/ep/3</link>
      <guid isPermaLink="false">ps-3</guid>
      <pubDate>Tue, 22 Oct 2024 06:00:00 +0000</pubDate>
      <itunes:summary>A short trailer for season two.</itunes:summary>
    </item>
  </channel>
</rss>
"""
    return Template(
        feed_id="podcast-precedence",
        family="Podcast RSS with misspelled namespaces",
        quirks=(
            "content namespace without trailing slash",
            "iTunes namespace in other letter case",
            "itunes:summary before description",
            "dc:creator and itunes:author",
        ),
        payload=payload.encode("utf-8"),
        content_type=RSS_TYPE,
        posts=(
            ExpectedPost(
                title="Ep. 1: Queues",
                url=f"{site}/ep/1",
                published_at=_utc(2024, 10, 1, 6),
                published_at_source="published",
                published_text="Tue, 01 Oct 2024 06:00:00 +0000",
                body_source="content:encoded",
                content_text="Queues, in full: arrival, service, departure.",
                word_count=6,
                summary="Queues, briefly.",
                author="Hana Ito",
            ),
            ExpectedPost(
                title="Ep. 2: Loss",
                url=f"{site}/ep/2",
                published_at=_utc(2024, 10, 15, 6),
                published_at_source="published",
                published_text="Tue, 15 Oct 2024 06:00:00 +0000",
                body_source="description",
                content_text="Where packets go missing, and why.",
                word_count=6,
                summary="Where packets go missing, and why.",
                author="Dev Patel",
            ),
            ExpectedPost(
                title="Ep. 3: Trailer",
                url=f"{site}/ep/3",
                published_at=_utc(2024, 10, 22, 6),
                published_at_source="published",
                published_text="Tue, 22 Oct 2024 06:00:00 +0000",
                body_source="itunes:summary",
                content_text="A short trailer for season two.",
                word_count=6,
                summary=None,
                author="Packet Stories Show",
            ),
        ),
    )


# ---------------------------------------------------------------------------------------------
# 19. JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)


def json_feed(origin: str) -> Template:
    """JSON Feed 1.1 served as application/feed+json: content_html, content_text and summary
    bodies, an item with external_url only, date_modified only, 1.1 `authors` and the feed's
    authors, tags as a list and as one comma-separated string, attachments, relative URLs."""
    site = "https://json.example"
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON &amp; Friends",
        "home_page_url": f"{site}/",
        "feed_url": f"{site}/feed.json",
        "language": "en",
        "authors": [{"name": "Mara Quinn"}],
        "items": [
            {
                "id": "1",
                "url": f"{site}/posts/one",
                "title": "First post",
                "content_html": "<p>Hello <b>JSON</b> readers.</p>",
                "summary": "Hello.",
                "date_published": "2024-08-01T10:00:00+02:00",
                "authors": [{"name": "Ola Berg", "url": f"{site}/ola"}],
                "tags": ["Feeds", "JSON"],
                "attachments": [
                    {"url": "/media/one.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 10}
                ],
            },
            {
                "id": 2,
                "external_url": "/elsewhere/two",
                "title": "Second   post",
                "content_text": "Plain text\nover two lines.",
                "date_modified": "2024-08-05T12:30:00Z",
                "tags": "Feeds, Formats",
            },
            {
                "id": "3",
                "url": f"{site}/posts/three",
                "title": "Third post",
                "summary": "Only a summary.",
                "date_published": "2024-08-09T00:00:00Z",
            },
        ],
    }
    return Template(
        feed_id="json-feed",
        family="JSON Feed 1.1",
        quirks=(
            "application/feed+json",
            "external_url only",
            "date_modified only",
            "tags as one comma-separated string",
        ),
        payload=json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
        content_type="application/feed+json",
        posts=(
            ExpectedPost(
                title="First post",
                url=f"{site}/posts/one",
                published_at=_utc(2024, 8, 1, 8, 0),
                published_at_source="published",
                published_text="2024-08-01T10:00:00+02:00",
                body_source="content_html",
                content_text="Hello JSON readers.",
                word_count=3,
                summary="Hello.",
                author="Ola Berg",
                tags=("Feeds", "JSON"),
                enclosure_count=1,
            ),
            ExpectedPost(
                title="Second post",
                url=f"{site}/elsewhere/two",
                published_at=_utc(2024, 8, 5, 12, 30),
                published_at_source="date_modified",
                published_text="2024-08-05T12:30:00Z",
                body_source="content_text",
                content_text="Plain text over two lines.",
                word_count=5,
                summary=None,
                author="Mara Quinn",
                tags=("Feeds", "Formats"),
            ),
            ExpectedPost(
                title="Third post",
                url=f"{site}/posts/three",
                published_at=_utc(2024, 8, 9, 0, 0),
                published_at_source="published",
                published_text="2024-08-09T00:00:00Z",
                body_source="summary",
                content_text="Only a summary.",
                word_count=3,
                summary="Only a summary.",
                author="Mara Quinn",
            ),
        ),
    )


# ---------------------------------------------------------------------------------------------
# 20. RSS 0.90 and RSS 0.91 (Netscape DTD, EUC-JP), JSON Feed 1.0


def rss090_rdf(origin: str) -> Template:
    """RSS 0.90: RDF with Netscape's namespace, items of a title and a link only (no date,
    no body, no guid: the link is the post)."""
    site = "https://old-rdf.example"
    payload = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://my.netscape.com/rdf/simple/0.9/">
  <channel>
    <title>Old RDF Headlines</title>
    <link>{site}/</link>
    <description>Headlines, 1999 style.</description>
  </channel>
  <item>
    <title>Modems get faster</title>
    <link>{site}/modems.html</link>
  </item>
  <item>
    <title>Portals everywhere</title>
    <link>{site}/portals.html</link>
  </item>
</rdf:RDF>
"""
    posts = tuple(
        ExpectedPost(
            title=title,
            url=f"{site}/{page}.html",
            published_at=None,
            published_at_source=None,
            published_text=None,
            body_source=None,
            content_text=None,
            word_count=0,
            summary=None,
            author=None,
        )
        for title, page in (("Modems get faster", "modems"), ("Portals everywhere", "portals"))
    )
    return Template(
        feed_id="rss090",
        family="RSS 0.90 (RDF)",
        quirks=("Netscape RDF namespace", "title and link only"),
        payload=payload.encode("ascii"),
        content_type="application/rdf+xml",
        posts=posts,
    )


def rss091_euc_jp(origin: str) -> Template:
    """RSS 0.91 with Netscape's DTD (public identifier; never read) in EUC-JP, a channel
    managingEditor as the only author, relative links against the channel's link."""
    site = "https://euc.example"
    payload = f"""<?xml version="1.0" encoding="EUC-JP"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91">
  <channel>
    <title>古い日記</title>
    <link>{site}/diary/</link>
    <description>日記です。</description>
    <language>ja</language>
    <managingEditor>diary@euc.example (佐藤 一郎)</managingEditor>
    <item>
      <title>雨の日</title>
      <link>2001/06/rain.html</link>
      <description>今日は雨でした。</description>
    </item>
    <item>
      <title>晴れの日</title>
      <link>2001/07/sun.html</link>
      <description>今日は晴れでした。</description>
    </item>
  </channel>
</rss>
"""
    posts = tuple(
        ExpectedPost(
            title=title,
            url=f"{site}/diary/2001/{path}",
            published_at=None,
            published_at_source=None,
            published_text=None,
            body_source="description",
            content_text=body,
            word_count=1,
            summary=body,
            author="佐藤 一郎",
        )
        for title, path, body in (
            ("雨の日", "06/rain.html", "今日は雨でした。"),
            ("晴れの日", "07/sun.html", "今日は晴れでした。"),
        )
    )
    return Template(
        feed_id="rss091-euc-jp",
        family="RSS 0.91 in EUC-JP",
        quirks=("Netscape DTD", "EUC-JP", "managingEditor only", "relative links"),
        payload=payload.encode("euc_jp"),
        content_type="text/xml",
        posts=posts,
    )


def json_feed_10(origin: str) -> Template:
    """JSON Feed 1.0 served as application/json: the 1.0 `author` object (`email (Name)`
    text in its name), a relative url against home_page_url, content_html with markup."""
    site = "https://json10.example"
    document = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Ten",
        "home_page_url": f"{site}/blog/",
        "author": {"name": "ten@json10.example (Ten Author)"},
        "items": [
            {
                "id": f"{site}/blog/a",
                "url": "a",
                "title": "Alpha &amp; omega",
                "content_html": "<h2>Alpha</h2><p>and <em>omega</em></p>",
                "date_published": "2024-07-01T00:00:00Z",
            },
            {
                "id": f"{site}/blog/b",
                "url": "b",
                "title": "Beta",
                "content_html": "<p>Beta.</p>",
                "date_published": "2024-07-02T00:00:00Z",
                "tags": ["Formats"],
            },
        ],
    }
    return Template(
        feed_id="json-feed-10",
        family="JSON Feed 1.0",
        quirks=("application/json", "1.0 author object", "relative url"),
        payload=json.dumps(document).encode("utf-8"),
        content_type="application/json",
        posts=(
            ExpectedPost(
                title="Alpha &amp; omega",  # JSON Feed titles are plain text: shown as sent
                url=f"{site}/blog/a",
                published_at=_utc(2024, 7, 1, 0, 0),
                published_at_source="published",
                published_text="2024-07-01T00:00:00Z",
                body_source="content_html",
                content_text="Alpha and omega",
                word_count=3,
                summary=None,
                author="Ten Author",
            ),
            ExpectedPost(
                title="Beta",
                url=f"{site}/blog/b",
                published_at=_utc(2024, 7, 2, 0, 0),
                published_at_source="published",
                published_text="2024-07-02T00:00:00Z",
                body_source="content_html",
                content_text="Beta.",
                word_count=1,
                summary=None,
                author="Ten Author",
                tags=("Formats",),
            ),
        ),
    )


TEMPLATES: tuple[Callable[[str], Template], ...] = (
    wordpress_rss,
    wordpress_summary_rss,
    wordpress_comments_rss,
    generic_atom,
    blogger_atom,
    hugo_rss,
    tumblr_rss,
    medium_rss,
    blogengine_rss,
    youtube_atom,
    rss1_rdf,
    localized_pt_rss,
    localized_es_rss,
    localized_fr_rss,
    localized_de_rss,
    podcast_rss,
    shift_jis_rss,
    gb2312_rss,
    dtd_titles_rss,
    atom_xml_base,
    shared_link_rss,
    podcast_precedence_rss,
    json_feed,
    rss090_rdf,
    rss091_euc_jp,
    json_feed_10,
)


def corpus(origin: str) -> list[Template]:
    """Every template, for a server whose root is `origin` (e.g. http://127.0.0.1:8080)."""
    return [template(origin.rstrip("/")) for template in TEMPLATES]


def expected_authors(templates: list[Template]) -> set[str]:
    """The names marts.authors must hold: every post's author (already the preferred spelling)."""
    return {post.author for template in templates for post in template.posts if post.author}
