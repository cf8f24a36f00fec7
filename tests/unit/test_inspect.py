"""feedwarehouse inspect: per entry, what it becomes in the marts and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.realworld.shapes import corpus
from pytest_httpserver import HTTPServer

from feedwarehouse.cli import main

TEMPLATES = {template.feed_id: template for template in corpus("https://pub.example")}


def inspect(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["inspect", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_localized_feed_names_the_element_and_text_of_each_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    feed = tmp_path / "pt.xml"
    feed.write_bytes(TEMPLATES["pt-news"].payload)
    code, out, _ = inspect(capsys, str(feed))
    assert code == 0
    blocks = out.split("\n\n")
    assert blocks[0].splitlines() == [
        "feed: Rede Aberta  link: https://redeaberta.example/  language: pt-BR  entries: 4",
        "  format rss20, read as utf-8",
        "  body from the first of: content:encoded, content, description, summary, "
        "itunes:summary, media:description",
        "  author from the first of: dc:creator, author, atom:author, itunes:author, "
        "the feed's author",
    ]
    assert blocks[1].splitlines() == [
        "#0  Fibra chega ao interior",
        "  identity  guid https://redeaberta.example/fibra-chega-ao-interior",
        "  url       https://redeaberta.example/fibra-chega-ao-interior",
        "  date      2018-09-24 22:42:40 UTC from published 'Seg, 24 Set 2018 19:42:40 -0300'",
        '  body      from description, 11 words: "A nova rede de fibra chega a 40 cidades do'
        ' interior."',
        '  summary   "A nova rede de fibra chega a 40 cidades do interior."',
        "  author    Beatriz Lima",
        "  tags      Infraestrutura -> infraestrutura",
    ]


def test_blogger_placeholder_author_and_summary_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    feed = tmp_path / "blogger.xml"
    feed.write_bytes(TEMPLATES["blogger"].payload)
    _, out, _ = inspect(capsys, str(feed))
    second = out.split("\n\n")[2].splitlines()
    assert second[0] == "#1  A checklist for encoder settings"
    assert (
        second[4]
        == '  body      from summary, 8 words: "Keyframe interval & rate control, in that order."'
    )
    assert second[6] == "  author    (none) (the feed says 'Unknown (noreply@blogger.com)')"


def test_inspect_over_http_refuses_a_loopback_host_unless_allowed(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
):
    template = TEMPLATES["youtube"]
    httpserver.expect_request(template.path).respond_with_data(
        template.payload, content_type=template.content_type
    )
    url = httpserver.url_for(template.path)
    code, _, err = inspect(capsys, url)
    assert code == 1
    assert err.startswith(
        f"error: refused {url}: 127.0.0.1 resolves to non-public address 127.0.0.1; "
    )
    code, out, _ = inspect(capsys, url, "--allow-private-host")
    assert code == 0
    assert "  body      from media:description, 15 words: " in out
    assert "  summary   (none)" in out


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, out, err = inspect(capsys, str(tmp_path / "nope.xml"))
    assert (code, out) == (1, "")
    assert (
        err == f"error: {tmp_path / 'nope.xml'}: cannot read the file (No such file or directory)\n"
    )


def test_a_file_that_is_no_feed_is_named_with_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    page = tmp_path / "page.xml"
    page.write_bytes(b"<html><body><p>Not found</p></body></html>")
    code, out, err = inspect(capsys, str(page))
    assert (code, out) == (1, "")
    assert (
        err == f"error: {page.as_uri()}: not a recognizable RSS/Atom/JSON feed (no feed elements)\n"
    )


def test_shared_links_an_empty_item_and_a_json_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Issue 23: entries sharing a link are told apart by title and date; an empty <item/>
    is named as the quarantine names it; a JSON Feed reads like any other feed."""
    feed = tmp_path / "news.xml"
    feed.write_bytes(TEMPLATES["shared-link"].payload)
    _, out, _ = inspect(capsys, str(feed))
    blocks = out.split("\n\n")
    assert blocks[1].splitlines()[1] == (
        "  identity  link https://town.example/announcements + title + published text "
        "(no guid; link shared)"
    )
    assert blocks[4].splitlines()[:2] == [
        "#3  (no title)",
        "  identity  none: quarantined as 'empty entry: no guid, link, title, body or date'",
    ]
    json_feed = tmp_path / "feed.json"
    json_feed.write_bytes(TEMPLATES["json-feed"].payload)
    _, out, _ = inspect(capsys, str(json_feed))
    blocks = out.split("\n\n")
    assert blocks[0].splitlines()[:2] == [
        "feed: JSON &amp; Friends  link: https://json.example/  language: en  entries: 3",
        "  format https://jsonfeed.org/version/1.1, read as utf-8",
    ]
    assert blocks[2].splitlines() == [
        "#1  Second post",
        "  identity  guid 2",
        "  url       https://json.example/elsewhere/two",
        "  date      2024-08-05 12:30:00 UTC from date_modified '2024-08-05T12:30:00Z' "
        "(no published date)",
        '  body      from content_text, 5 words: "Plain text over two lines."',
        "  summary   (none)",
        "  author    Mara Quinn",
        "  tags      Feeds -> feeds; Formats -> formats",
    ]
