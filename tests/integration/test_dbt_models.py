"""dbt models end to end: hand-made raw rows in, exact mart contents out."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from helpers.dbt_raw import dbt_build, entry, insert_fetch, md5, rows

from feedwarehouse.tables import ensure_schema

MARTS = ("posts", "tags", "post_tags", "authors", "feeds")
DAY1, DAY2 = date(2024, 5, 1), date(2024, 5, 2)

FIRST_HTML = (
    "<p>Hello &amp; welcome to <b>WebRTC</b>&#8230;</p>\n"
    '<p>It&#8217;s&nbsp;<a href="https://alpha.example/x">here</a>.</p>'
    "<!-- a comment --><script>var hidden = 1;</script>"
)
FIRST_TEXT = "Hello & welcome to WebRTC\u2026 It\u2019s here."
LONG_HTML = (
    "<h2>Intro</h2>\n<p>" + " ".join(f"word{i}" for i in range(248)) + "</p><ul><li>end</li></ul>"
    '<img src="https://alpha.example/a.png"><IMG src="https://alpha.example/b.png" onerror="x()">'
)
BETA_HTML = "<div>Tiny&amp;lt;tag&amp;gt;</div><div>two&quot;s</div>"
BETA_TEXT = 'Tiny&lt;tag&gt; two"s'
UNTITLED_PUBLISHED = "Wed, 01 May 2024 10:00:00 +0000"
FIRST_GUID = "https://alpha.example/?p=1"
THIRD_GUID = "https://alpha.example/?p=3"
SECOND_LINK = "https://alpha.example/second/"


# Two feeds over two days. Day 2 re-lists alpha's posts (one with an edited title) and adds one;
# beta's day-2 fetch failed, and the entries it nonetheless carries must be ignored.
ALPHA_DAY1 = [
    entry(
        "First post",
        guid=FIRST_GUID,
        link="https://alpha.example/first/",
        author="Jane Doe",
        categories=["WebRTC", "Q&A", "Draft"],
        content=FIRST_HTML,
        published_at=datetime(2024, 4, 30, 8, 0),
        comments_count=2,
    ),
    entry("Second post", guid=None, link=SECOND_LINK, categories=["webrtc ", "!!!"]),
]
ALPHA_DAY2 = [
    entry(
        "Third post",
        guid=f"  {THIRD_GUID} ",
        link="https://alpha.example/third/",
        author="jane  doe",
        categories=["WebRTC", "Open source", "  \u0130stanbul  Caf\u00e9\u00a0Tips "],
        content=LONG_HTML,
        published_at=datetime(2024, 5, 2, 6, 30),
    ),
    entry(
        "First post (edited)",
        guid=FIRST_GUID,
        link="https://alpha.example/first/",
        author="Jane Doe",
        categories=["WebRTC", "Q&A"],
        content=FIRST_HTML,
        published_at=datetime(2024, 4, 30, 8, 0),
        updated_at=datetime(2024, 5, 1, 20, 0),
        comments_count=5,
    ),
    entry(
        "Second post", guid="", link=SECOND_LINK, author="   ", categories=["webrtc ", "!!!", " "]
    ),
]
# Defects, quarantined (index -> reason), and an exact repeat that silently collapses.
ALPHA_DAY2_DEFECTS = {
    # a body but no guid, link or title (with nothing at all it is an "empty entry")
    3: ("no usable identity", entry("  ", guid=None, link=None, content="<p>orphan</p>")),
    5: (
        "published date in the future",
        entry("Future", guid="future", published="x", published_at=datetime(2030, 1, 1)),
    ),
    6: (
        "published date before 1995",
        entry("Ancient", guid="ancient", published="x", published_at=datetime(1990, 1, 1)),
    ),
    7: ("title too long", entry("x" * 1001, guid="long-title")),
    8: (
        "duplicate guid with different content",
        entry("Third post (a conflicting copy)", guid=THIRD_GUID),
    ),
}
# A date no parser reads is no defect: the post is published undated, its text kept.
BAD_DATE = entry("Bad date", guid="bad-date", published="soon")
BAD_DATE_INDEX = 4
LISTED_DAY2 = {**{i: item for i, (_, item) in ALPHA_DAY2_DEFECTS.items()}, BAD_DATE_INDEX: BAD_DATE}
ALPHA_DAY2 += [LISTED_DAY2[i] for i in sorted(LISTED_DAY2)] + [ALPHA_DAY2[2]]
BETA_DAY1 = [
    entry(
        "Beta one",
        guid="beta-1",
        link="https://beta.example/1",
        author="Bob",
        categories=["Q&amp;A", "Video  Streaming", "open source"],
        content=BETA_HTML,
    ),
    entry(
        "Untitled note",
        published=UNTITLED_PUBLISHED,
        published_at=datetime(2024, 5, 1, 10, 0),
        author=" bob ",
    ),
]
BETA_DAY2_FAILED = [
    entry("SHOULD NOT APPEAR", guid="beta-1", author="Ghost Writer", categories=["Ghost"]),
    entry("Ghost post", guid="beta-ghost", link="https://beta.example/ghost"),
]

FIRST_ID = md5(f"alpha|{FIRST_GUID}")
SECOND_ID = md5(f"alpha|{SECOND_LINK}")
THIRD_ID = md5(f"alpha|{THIRD_GUID}")
BETA_ID = md5("beta|beta-1")
UNTITLED_ID = md5("beta|" + md5(f"Untitled note|{UNTITLED_PUBLISHED}"))
BAD_DATE_ID = md5("alpha|bad-date")
ISTANBUL = "\u0130stanbul Caf\u00e9 Tips"
# casefolded, "İ" is "i" and a combining dot above (U+0307), which a slug keeps
ISTANBUL_KEY = "i\u0307stanbul caf\u00e9 tips"
ISTANBUL_SLUG = "i\u0307stanbul-caf\u00e9-tips"
# "!!!" has no letter or digit: its slug spells the characters' Unicode names
BANGS_SLUG = "exclamation-mark-exclamation-mark-exclamation-mark"


def load_sample(data_dir: Path, *, rerun_fetched_at: datetime | None = None) -> None:
    """The raw rows of both days; with rerun_fetched_at, only day 2 is reloaded, later."""
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        ensure_schema(conn)
        if rerun_fetched_at is None:
            insert_fetch(conn, "alpha", DAY1, ALPHA_DAY1)
            insert_fetch(conn, "beta", DAY1, BETA_DAY1)
        insert_fetch(conn, "alpha", DAY2, ALPHA_DAY2, fetched_at=rerun_fetched_at)
        insert_fetch(
            conn, "beta", DAY2, BETA_DAY2_FAILED, error="HTTP 503", fetched_at=rerun_fetched_at
        )
    finally:
        conn.close()


def snapshot(data_dir: Path) -> dict[str, list[tuple]]:
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return {m: conn.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the sample loaded and dbt built once, shared by the content tests."""
    data_dir = tmp_path_factory.mktemp("dbt")
    load_sample(data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDWAREHOUSE_DATA_DIR", str(data_dir))
        dbt_build(data_dir)
    return data_dir


def test_mart_row_counts(built: Path):
    counts = {m: rows(built, f"select count(*) from marts.{m}")[0][0] for m in MARTS}
    assert counts == {"posts": 6, "tags": 6, "post_tags": 10, "authors": 2, "feeds": 2}


def test_schemas_and_materializations(built: Path):
    relations = rows(
        built,
        "select table_schema, table_type, count(*) from information_schema.tables"
        " where table_schema <> 'raw' group by all order by all",
    )
    assert relations == [
        # int_entries_identified, int_entries_flagged, int_posts_latest, the two that call the
        # plugin's functions (int_tags_normalized, int_authors_resolved), int_tag_slugs
        ("intermediate", "BASE TABLE", 6),
        ("intermediate", "VIEW", 2),
        ("marts", "BASE TABLE", 9),
        # quarantined_entries (dbt); validation_runs, retired_posts (tables.py)
        ("quality", "BASE TABLE", 3),
        ("snapshots", "BASE TABLE", 1),
        # stg_raw__fetches, stg_raw__entries, stg_quality__retired_posts and
        # stg_quality__raw_gate_refusals
        ("staging", "VIEW", 4),
    ]


def test_posts_are_the_latest_versions_with_stable_ids(built: Path):
    posts = rows(
        built,
        "select post_id, feed_id, guid, url, title, comments_count, first_seen_on, last_seen_on"
        " from marts.posts order by feed_id, title",
    )
    assert posts == [
        (BAD_DATE_ID, "alpha", "bad-date", None, "Bad date", None, DAY2, DAY2),
        (FIRST_ID, "alpha", FIRST_GUID, "https://alpha.example/first/", "First post (edited)",
         5, DAY1, DAY2),
        (SECOND_ID, "alpha", None, SECOND_LINK, "Second post", None, DAY1, DAY2),
        (THIRD_ID, "alpha", THIRD_GUID, "https://alpha.example/third/", "Third post",
         None, DAY2, DAY2),
        (BETA_ID, "beta", "beta-1", "https://beta.example/1", "Beta one", None, DAY1, DAY1),
        (UNTITLED_ID, "beta", None, None, "Untitled note", None, DAY1, DAY1),
    ]  # fmt: skip  # a row a line


def test_latest_versions_follow_the_window_rule(built: Path):
    """int_posts_latest picks by integers and joins back (to spill at 3M posts); it must pick
    what the plain rule picks: the latest fetch (date, fetched_at, fetch_id), its first listing."""
    rule = rows(
        built,
        "select post_id, fetch_id, title, published_at,"
        " min(logical_date) over (partition by post_id),"
        " max(logical_date) over (partition by post_id),"
        " count(distinct fetch_id) over (partition by post_id)"
        " from intermediate.int_post_listings"
        " qualify row_number() over (partition by post_id order by logical_date desc,"
        " fetched_at desc, fetch_id desc, entry_index asc) = 1 order by post_id",
    )
    model = rows(
        built,
        "select post_id, latest_fetch_id, title, published_at, first_seen_on, last_seen_on,"
        " times_seen from intermediate.int_posts_latest order by post_id",
    )
    assert len(model) == 6
    assert model == rule


def test_posts_dates_and_authors(built: Path):
    posts = rows(
        built,
        "select p.post_id, p.published_at, p.updated_at, a.name, p.published_at_source,"
        " p.published_text, p.has_unparsed_date"
        " from marts.posts as p left join marts.authors as a using (author_id) order by all",
    )
    assert {row[0]: row[1:] for row in posts} == {
        FIRST_ID: (
            datetime(2024, 4, 30, 8, 0),
            datetime(2024, 5, 1, 20, 0),
            "Jane Doe",
            "published",
            None,
            False,
        ),
        SECOND_ID: (None, None, None, None, None, False),
        THIRD_ID: (datetime(2024, 5, 2, 6, 30), None, "Jane Doe", "published", None, False),
        BETA_ID: (None, None, "Bob", None, None, False),
        UNTITLED_ID: (
            datetime(2024, 5, 1, 10, 0),
            None,
            "Bob",
            "published",
            UNTITLED_PUBLISHED,
            False,
        ),
        BAD_DATE_ID: (None, None, None, None, "soon", True),
    }


def test_content_text_and_word_count(built: Path):
    posts = {
        row[0]: row[1:]
        for row in rows(built, "select post_id, content_text, word_count from marts.posts")
    }
    assert posts[FIRST_ID] == (FIRST_TEXT, 7)
    assert posts[BETA_ID] == (BETA_TEXT, 2)
    assert posts[THIRD_ID][1] == 250
    assert posts[THIRD_ID][0].startswith("Intro word0 word1 ")
    assert posts[THIRD_ID][0].endswith(" word247 end")
    assert posts[SECOND_ID] == (None, 0)
    assert posts[UNTITLED_ID] == (None, 0)


def test_tags_merge_spellings_by_normalized_name(built: Path):
    tags = rows(built, "select tag_id, name, slug, post_count from marts.tags order by slug")
    assert tags == sorted(
        [
            (md5("webrtc"), "WebRTC", "webrtc", 3),  # 2 posts spell it WebRTC, 1 webrtc
            (md5("q&a"), "Q&A", "q-a", 2),
            (md5("open source"), "Open source", "open-source", 2),  # a tie: alphabetical
            (md5("video streaming"), "Video Streaming", "video-streaming", 1),
            (md5(ISTANBUL_KEY), ISTANBUL, ISTANBUL_SLUG, 1),
            (md5("!!!"), "!!!", BANGS_SLUG, 1),
        ],
        key=lambda t: t[2],
    )


def test_post_tags_come_from_the_latest_version_only(built: Path):
    post_tags = rows(
        built,
        "select pt.post_id, t.slug from marts.post_tags as pt"
        " inner join marts.tags as t using (tag_id) order by all",
    )
    assert post_tags == sorted(
        [
            (FIRST_ID, "webrtc"),
            (FIRST_ID, "q-a"),  # "Draft" was dropped by the edit
            (SECOND_ID, "webrtc"),
            (SECOND_ID, BANGS_SLUG),
            (THIRD_ID, "webrtc"),
            (THIRD_ID, "open-source"),
            (THIRD_ID, ISTANBUL_SLUG),
            (BETA_ID, "q-a"),
            (BETA_ID, "video-streaming"),
            (BETA_ID, "open-source"),
        ]
    )


def test_authors_and_feeds(built: Path):
    bob_at, jane_first, jane_last = (
        datetime(2024, 5, 1, 10, 0),
        datetime(2024, 4, 30, 8, 0),
        datetime(2024, 5, 2, 6, 30),
    )
    assert rows(built, "select * from marts.authors order by all") == sorted(
        [
            (md5("bob"), "Bob", 2, 1, bob_at, bob_at, ["open-source", "q-a", "video-streaming"]),
            (md5("jane doe"), "Jane Doe", 2, 1, jane_first, jane_last,
             ["webrtc", ISTANBUL_SLUG, "open-source"]),
        ]
    )  # fmt: skip  # a row a line
    feed_authors = "select feed_id, author_id, name_in_feed, posts_in_feed from marts.feed_authors"
    assert rows(built, feed_authors + " order by all") == sorted(
        [("alpha", md5("jane doe"), "Jane Doe", 2), ("beta", md5("bob"), "Bob", 2)]
    )
    assert rows(built, "select * from marts.feeds order by feed_id") == [
        ("alpha", "https://alpha.example/feed/", "Alpha Blog", "https://alpha.example/",
         "All about alpha", "en", "WordPress 6.5", DAY2, jane_first, jane_last, 1.94, 4,
         len(ALPHA_DAY2_DEFECTS)),
        ("beta", "https://beta.example/feed/", "Beta Blog", "https://beta.example/",
         "All about beta", "en", "WordPress 6.5", DAY1, bob_at, bob_at, None, 2, 0),
    ]  # fmt: skip  # a row a line


def test_defective_entries_are_quarantined_with_their_reason(built: Path):
    quarantined = rows(
        built,
        "select feed_id, logical_date, entry_index, reason, post_id is null"
        " from quality.quarantined_entries order by entry_index",
    )
    assert quarantined == [
        ("alpha", DAY2, index, reason, index == 3)
        for index, (reason, _) in sorted(ALPHA_DAY2_DEFECTS.items())
    ]
    titles = rows(built, "select title from marts.posts")
    assert ("Third post (a conflicting copy)",) not in titles


def test_posts_html_is_sanitized_and_counted(built: Path):
    posts = {
        row[0]: row[1:]
        for row in rows(
            built,
            "select post_id, content_html, image_count, reading_time_minutes, times_seen,"
            " is_deleted_from_feed, tag_slugs from marts.posts",
        )
    }
    first_html = posts[FIRST_ID][0]
    assert "<script" not in first_html
    assert "hidden" not in first_html
    assert '<a href="https://alpha.example/x"' in first_html
    assert "<b>WebRTC</b>" in first_html
    third_html = posts[THIRD_ID][0]
    assert "<h2>Intro</h2>" in third_html
    assert "<li>end</li>" in third_html
    assert "onerror" not in third_html
    assert {k: v[1:] for k, v in posts.items()} == {
        FIRST_ID: (0, 1, 2, False, ["q-a", "webrtc"]),
        SECOND_ID: (0, 0, 2, False, sorted([BANGS_SLUG, "webrtc"])),
        THIRD_ID: (2, 2, 1, False, sorted(["webrtc", "open-source", ISTANBUL_SLUG])),
        BETA_ID: (0, 1, 1, False, ["open-source", "q-a", "video-streaming"]),
        UNTITLED_ID: (0, 0, 1, False, []),
        BAD_DATE_ID: (0, 0, 1, False, []),
    }


# DESIGN.md's contract names both marts' `title` (the feed's, the post's): kept, qualified in BI
CONTRACT_SHARED = {frozenset({"feeds", "posts"}): {"title"}}


def test_every_pair_of_marts_joins_using_its_shared_keys(built: Path):
    """A BI join `a join b using (keys)` works for any two marts, and every other column then
    reads unqualified: no column name means two things in two marts that join."""
    columns: dict[str, list[str]] = {}
    for table, column in rows(
        built,
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
        "order by table_name, column_index",
    ):
        columns.setdefault(table, []).append(column)
    ambiguous, joined = [], 0
    for left, right in itertools.combinations(sorted(columns), 2):
        shared = set(columns[left]) & set(columns[right])
        keys = sorted(c for c in shared if c.endswith("_id") or c == "post_on")
        if not keys:
            continue
        others = shared - set(keys) - CONTRACT_SHARED.get(frozenset({left, right}), set())
        ambiguous += [f"{left}/{right}.{column}" for column in sorted(others)]
        readable = [c for c in dict.fromkeys(columns[left] + columns[right]) if c not in others]
        readable = [
            c for c in readable if c not in CONTRACT_SHARED.get(frozenset({left, right}), ())
        ]
        rows(
            built,
            f"select {', '.join(readable)} from marts.{left} join marts.{right} "
            f"using ({', '.join(keys)}) limit 1",
        )
        joined += 1
    assert ambiguous == []
    assert joined == 22  # the pairs of marts that share a key


def test_counts_and_sums_are_bigint_never_hugeint(built: Path):
    """DuckDB's sum() of any integer is HUGEINT, which BI drivers read poorly: marts cast it."""
    wide = rows(
        built,
        "select table_name || '.' || column_name from duckdb_columns() "
        "where schema_name = 'marts' and data_type = 'HUGEINT'",
    )
    assert wide == []
    counts = rows(
        built,
        "select table_name || '.' || column_name, data_type from duckdb_columns() "
        "where schema_name = 'marts' and table_name like 'daily_%' and column_name like '%_on_day'"
        " order by 1",
    )
    assert counts == [
        ("daily_author_posts.author_posts_on_day", "BIGINT"),
        ("daily_posts.authors_on_day", "BIGINT"),
        ("daily_posts.posts_on_day", "BIGINT"),
        ("daily_posts.words_on_day", "BIGINT"),
        ("daily_tag_posts.tag_posts_on_day", "BIGINT"),
    ]


def test_daily_posts_include_zero_days(built: Path):
    assert rows(built, "select * from marts.daily_posts order by all") == [
        ("alpha", date(2024, 4, 30), 1, 1, 7),
        ("alpha", date(2024, 5, 1), 0, 0, 0),
        ("alpha", date(2024, 5, 2), 1, 1, 250),
        ("beta", date(2024, 5, 1), 1, 1, 0),
    ]
    webrtc_days = rows(
        built,
        "select post_on, tag_posts_on_day from marts.daily_tag_posts"
        f" where tag_id = '{md5('webrtc')}' order by all",
    )
    assert webrtc_days == [(date(2024, 4, 30), 1), (date(2024, 5, 1), 0), (date(2024, 5, 2), 1)]


def test_rerun_of_a_date_then_rebuild_leaves_marts_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FEEDWAREHOUSE_DATA_DIR", str(tmp_path))
    load_sample(tmp_path)
    dbt_build(tmp_path)
    before = snapshot(tmp_path)
    # The loader replaces a rerun date's rows; only its fetched_at differs.
    load_sample(tmp_path, rerun_fetched_at=datetime(2024, 5, 3, 9, 15))
    dbt_build(tmp_path)
    after = snapshot(tmp_path)
    assert after == before
    assert len(after["posts"]) == 6


def test_docs_describe_every_model_and_column(built: Path):
    from feedwarehouse.config import Paths
    from feedwarehouse.transform.dbt_build import generate_docs, static_docs_page

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDWAREHOUSE_DATA_DIR", str(built))
        site = generate_docs(Paths(built))
    assert (site / "index.html").is_file()
    manifest = json.loads((site / "manifest.json").read_text())
    # the one-file site (opens offline, without a server) inlines the same manifest
    static_page = static_docs_page(Paths(built)).read_text(encoding="utf-8")
    assert static_docs_page(Paths(built)).parent == site
    assert '"model.feedwarehouse.posts"' in static_page
    assert "unable to load the manifest" not in static_page.lower()
    catalog = json.loads((site / "catalog.json").read_text())
    models = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    assert len(models) == 22  # staging 4, intermediate 8, marts 9, quality 1
    undescribed = [uid for uid, node in models.items() if not node["description"].strip()]
    for uid, node in models.items():
        documented = {n for n, c in node["columns"].items() if c["description"].strip()}
        built_columns = {c.lower() for c in catalog["nodes"][uid]["columns"]}
        undescribed += [f"{uid}.{c}" for c in sorted(built_columns - documented)]
    assert undescribed == []
    assert "exposure.feedwarehouse.published_warehouse" in manifest["exposures"]
