"""End to end: generated feeds → `feedwarehouse run` → the published BI file holds exactly them."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from feedwarehouse.cli import main
from feedwarehouse.config import data_paths, load_feeds
from feedwarehouse.orchestration.daily import run_all
from feedwarehouse.orchestration.steps import MARTS_SUITES, gx_dir
from feedwarehouse.quality.gx_checkpoint import data_docs_index
from feedwarehouse.quality.reports import MARTS
from feedwarehouse_dev.sample import SampleSet, generate_sample, normalize_tag

RUN_DATE = date(2026, 11, 23)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    return generate_sample(tmp_path_factory.mktemp("sample"), feeds=2, items=20, seed=7)


@pytest.fixture(scope="module")
def first_run(sample: SampleSet, tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("data")
    argv = [
        "run",
        "--feeds",
        str(sample.feeds_file),
        "--date",
        "2026-11-23",
        "--today",
        "2026-11-24",
    ]
    exit_code = main([*argv, "--data-dir", str(data_dir)])
    return exit_code, data_paths(data_dir)


def snapshot(database: Path) -> dict[str, list[tuple]]:
    conn = duckdb.connect(str(database), read_only=True)
    try:
        return {m: conn.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS}
    finally:
        conn.close()


def test_run_exits_zero_and_publishes(first_run):
    exit_code, paths = first_run
    assert exit_code == 0
    assert paths.published.is_file()


def test_data_docs_hold_a_page_per_suite(first_run):
    _, paths = first_run
    index = data_docs_index(gx_dir(paths))
    pages = sorted(
        p.parent.parent.parent.name for p in index.parent.glob("validations/*/*/*/*.html")
    )
    assert pages == sorted(["raw_fetches", "raw_volume", "raw_entries", *MARTS_SUITES[:-1]])
    assert "marts_posts" in index.read_text(encoding="utf-8")


def test_published_marts_hold_exactly_the_generated_posts(sample: SampleSet, first_run):
    _, paths = first_run
    conn = duckdb.connect(str(paths.published), read_only=True)
    try:
        posts = conn.execute("select feed_id, guid, title from marts.posts order by all").fetchall()
        tags = {row[0] for row in conn.execute("select slug from marts.tags").fetchall()}
        authors = conn.execute("select count(*) from marts.authors").fetchone()[0]
        post_tags = conn.execute("select count(*) from marts.post_tags").fetchone()[0]
        feeds = conn.execute("select feed_id from marts.feeds order by 1").fetchall()
        post_ids = {row[0] for row in conn.execute("select post_id from marts.posts").fetchall()}
    finally:
        conn.close()
    expected = sorted((f.feed_id, i.guid, i.title) for f in sample.feeds for i in f.items)
    assert posts == expected
    assert len(posts) == sample.post_count == 40
    assert tags == set(sample.tag_slugs)
    assert authors == len(sample.author_keys)
    assert post_tags == sum(
        len({normalize_tag(c) for c in item.categories}) for f in sample.feeds for item in f.items
    )
    assert feeds == [("sample-blog-2",), ("webrtc-blog",)]
    some = sample.feeds[0].items[0]
    identity = f"{sample.feeds[0].feed_id}|{some.guid}"
    assert hashlib.md5(identity.encode()).hexdigest() in post_ids


def test_raw_layer_and_validation_recorded(first_run):
    _, paths = first_run
    conn = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        fetches = conn.execute(
            "select feed_id, logical_date, http_status, entry_count, error "
            "from raw.fetches order by feed_id"
        ).fetchall()
        verdicts = conn.execute(
            "select suite, bool_and(success or severity <> 'critical') "
            "from quality.validation_runs group by suite order by suite"
        ).fetchall()
    finally:
        conn.close()
    assert fetches == [
        ("sample-blog-2", RUN_DATE, 200, 20, None),
        ("webrtc-blog", RUN_DATE, 200, 20, None),
    ]
    # marts_published_kept has nothing to compare with before the first publish
    suites = ["marts_feeds", "marts_posts", "marts_tags"]
    suites += ["raw_entries", "raw_fetches", "raw_volume"]
    assert verdicts == [(suite, True) for suite in suites]


def test_rerun_of_the_same_date_leaves_every_mart_identical(sample: SampleSet, first_run):
    _, paths = first_run
    before = snapshot(paths.published)
    summary = run_all(load_feeds(sample.feeds_file), RUN_DATE, paths)
    assert summary.ok
    assert summary.mart_rows["posts"] == 40
    assert snapshot(paths.published) == before
    conn = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        raw = conn.execute("select count(*), count(distinct fetch_id) from raw.entries").fetchone()
    finally:
        conn.close()
    assert raw == (40, 2)


def test_quality_history_grows_by_one_row_per_expectation_per_run(first_run):
    _, paths = first_run
    conn = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        runs = conn.execute(
            "select suite, count(distinct run_id), count(*) // count(distinct run_id) "
            "from quality.validation_runs where suite in ('marts_posts', 'marts_published_kept') "
            "group by suite order by suite"
        ).fetchall()
    finally:
        conn.close()
    # two runs of marts_posts (6 expectations each); the published check ran on the rerun only
    assert runs == [("marts_posts", 2, 6), ("marts_published_kept", 1, 1)]


def test_summary_names_the_docs_pages_that_open_offline(first_run, capsys):
    _, paths = first_run
    assert main(["summary", "--data-dir", str(paths.data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    quality = paths.data_dir / "quality" / "results.html"
    dbt_docs = paths.data_dir / "dbt" / "target" / "static_index.html"
    assert f"Quality results (opens offline): {quality.as_uri()}" in lines
    assert f"dbt docs (opens offline): {dbt_docs.as_uri()}" in lines
    page = quality.read_text(encoding="utf-8")
    for suite in ("raw_entries", *MARTS_SUITES[:-1]):  # the first run has no BI file to keep
        assert f"<td>{suite}</td>" in page
    assert "Logical date 2026-11-23" in page
    assert '"model.feedwarehouse.posts"' in dbt_docs.read_text(encoding="utf-8")


def test_rerun_with_full_refresh_gives_history_the_current_rules(sample: SampleSet, first_run):
    """After an upgrade: raw rows loaded by an older version lack what parse now resolves; a
    rerun of their date re-parses the landed payloads, and --full-refresh rebuilds the marts."""
    _, paths = first_run
    before = snapshot(paths.published)
    with duckdb.connect(str(paths.warehouse)) as conn:
        conn.execute(
            "update raw.entries set author_name = null, body_html = null, body_source = null,"
            " updated_element = null"
        )
        # and a posts mart of the older shape: an incremental build would refuse it
        conn.execute("alter table marts.posts drop column body_source")
    argv = ["run", "--feeds", str(sample.feeds_file), "--date", str(RUN_DATE)]
    argv += ["--today", "2026-11-24", "--data-dir", str(paths.data_dir), "--full-refresh"]
    assert main(argv) == 0
    assert snapshot(paths.published) == before
    with duckdb.connect(str(paths.published), read_only=True) as conn:
        bodies = conn.execute(
            "select body_source, count(*), count(author_id), min(word_count) > 0"
            " from marts.posts group by all"
        ).fetchall()
    assert bodies == [("content:encoded", 40, 40, True)]
