"""A feed breaks in production, end to end through `feedwarehouse run` on a 127.0.0.1 server.

Day 1 both feeds are fine. Day 2 one is cut off mid-item with status 200 (a publisher's PHP
timeout): the run publishes, warned, and the cut-off item is quarantined, not a post. Then the
stuck state of a warehouse from before that fix: a garbage post already in the BI file that the
next run does not have. The gate refuses day 3 naming `feedwarehouse retire`; the documented
command retires the post, and the rerun of day 3 publishes.
"""

from __future__ import annotations

import os
import stat
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from pytest_httpserver import HTTPServer

from feedwarehouse.cli import main
from feedwarehouse.config import data_paths
from feedwarehouse.quality.quality_page import quality_page_path

pytestmark = pytest.mark.slow

DAY1, DAY2, DAY3 = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
GARBAGE = "0" * 32  # a post_id as md5 spells it; the post the unfixed run published


def item(feed: str, n: int) -> str:
    return (
        f"<item><title>{feed} post {n}</title><link>https://{feed}.example.com/{n}/</link>"
        f'<guid isPermaLink="false">https://{feed}.example.com/?p={n}</guid>'
        f"<pubDate>Mon, {n + 1:02d} Nov 2026 12:00:00 +0000</pubDate>"
        f"<category>topic{n}</category><description>Words of post {n}.</description></item>"
    )


def rss(feed: str, items: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{feed}'
        f"</title><link>https://{feed}.example.com/</link><description>d</description>\n"
        f"{items}\n</channel></rss>\n"
    ).encode()


WHOLE = {feed: rss(feed, "\n".join(item(feed, n) for n in (1, 2, 3))) for feed in ("alpha", "beta")}
FIXED_ALPHA = rss("alpha", "\n".join(item("alpha", n) for n in (1, 2, 3, 4)))
# day 2: alpha's fourth item (line 6) cut off 47 characters in, mid-link: no guid, no end
CUT_ALPHA = FIXED_ALPHA[: FIXED_ALPHA.index(b"<item><title>alpha post 4</title>") + 47]


def run(server: HTTPServer, work: Path, day: date, alpha: bytes, capsys) -> tuple[int, str]:
    server.clear()
    server.expect_request("/alpha").respond_with_data(alpha, content_type="application/rss+xml")
    server.expect_request("/beta").respond_with_data(
        WHOLE["beta"], content_type="application/rss+xml"
    )
    feeds = [{"id": f, "url": server.url_for(f"/{f}")} for f in ("alpha", "beta")]
    feeds_file = work / "feeds.yml"
    feeds_file.write_text(yaml.safe_dump({"allow_private_hosts": True, "feeds": feeds}))
    argv = ["run", "--feeds", str(feeds_file), "--date", str(day)]
    code = main([*argv, "--today", str(day + timedelta(days=1)), "--data-dir", str(work)])
    return code, capsys.readouterr().err


def rows(database: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(database), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def plant_garbage(published: Path) -> None:
    """The corrupt post an unfixed day 2 published: a copy of a post, its fields lost."""
    os.chmod(published, stat.S_IRUSR | stat.S_IWUSR)
    conn = duckdb.connect(str(published))
    try:
        conn.execute(
            "insert into marts.posts select * replace ("
            f"'{GARBAGE}' as post_id, null as guid, null as url, null as published_at, "
            "0 as word_count) from marts.posts where title = 'alpha post 3'"
        )
    finally:
        conn.close()
    os.chmod(published, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def test_a_cut_off_feed_is_warned_and_the_stuck_gate_has_a_documented_way_out(
    tmp_path: Path, capsys
):
    paths = data_paths(tmp_path)
    with HTTPServer(host="127.0.0.1", threaded=True) as server:
        assert run(server, tmp_path, DAY1, WHOLE["alpha"], capsys)[0] == 0

        code, err = run(server, tmp_path, DAY2, CUT_ALPHA, capsys)
        assert code == 0
        warning = (
            "not well-formed: 3 entries recovered, 1 past the break at line 6, column 47 "
            "(no element found) quarantined"
        )
        assert err.splitlines() == [f"warning: feed alpha for {DAY2}: {warning}"]
        assert rows(
            paths.warehouse,
            f"select feed_id, warning from raw.fetches where logical_date = '{DAY2}' order by 1",
        ) == [("alpha", warning), ("beta", None)]
        assert rows(
            paths.published, "select feed_id, title, reason from quality.quarantined_entries"
        ) == [("alpha", "alpha post 4", "recovered past the break of a not well-formed payload")]
        assert rows(paths.published, "select title from marts.posts order by 1") == [
            (f"{feed} post {n}",) for feed in ("alpha", "beta") for n in (1, 2, 3)
        ]
        assert warning in quality_page_path(paths).read_text(encoding="utf-8")

        plant_garbage(paths.published)
        stuck = paths.published.read_bytes()
        code, err = run(server, tmp_path, DAY3, FIXED_ALPHA, capsys)
        assert code == 1
        first_error = err.splitlines()[0]
        assert first_error.startswith(f"error: nothing was published for {DAY3}: 1 critical ")
        assert f'is_still_present: 1 failing rows, e.g. ["{GARBAGE}"]' in first_error
        assert "run `feedwarehouse retire POST_ID --reason TEXT` for each post named" in (
            first_error
        )
        assert paths.published.read_bytes() == stuck
        page = quality_page_path(paths).read_text(encoding="utf-8")
        assert f"STALE since {DAY3}" in page

        reason = "cut-off item published before not-well-formed feeds were quarantined"
        argv = ["retire", GARBAGE, "--reason", reason, "--by", "oncall"]
        assert main([*argv, "--data-dir", str(tmp_path)]) == 0
        assert capsys.readouterr().out.startswith(
            f"retired post {GARBAGE} ('alpha post 3') by oncall: {reason}\n"
        )

        code, err = run(server, tmp_path, DAY3, FIXED_ALPHA, capsys)
        assert (code, err) == (0, "")

    assert rows(paths.published, "select title from marts.posts order by 1") == [
        ("alpha post 1",),
        ("alpha post 2",),
        ("alpha post 3",),
        ("alpha post 4",),
        ("beta post 1",),
        ("beta post 2",),
        ("beta post 3",),
    ]
    assert rows(paths.published, f"select count(*) from marts.posts where post_id = '{GARBAGE}'")[
        0
    ] == (0,)
    assert rows(
        paths.published, "select post_id, reason, retired_by from quality.retired_posts"
    ) == [(GARBAGE, reason, "oncall")]
    page = quality_page_path(paths).read_text(encoding="utf-8")
    assert f"<code>{GARBAGE}</code>" in page
    assert f"holds data through {DAY3}: current" in page
