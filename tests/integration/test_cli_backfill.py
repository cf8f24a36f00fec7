"""`feedwarehouse backfill`: each date's raw steps, one build and publish, each date's status.

The sample (file:// URLs, no network) keeps each feed as it stood on each of four days; the
backfill reads those archives (the dates are long before --today). Checked: every date gets its
own line and its own raw.fetches rows; the BI file holds exactly the posts of the archives; a
date without data fails and is named while the others publish; so is a date whose raw gate
fails, its rows kept in raw but left out of the marts (the gate refused them).
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from helpers.dbt_raw import query

from feedwarehouse.cli import main
from feedwarehouse.config import data_paths
from feedwarehouse.orchestration.steps import MARTS_SUITES, RAW_SUITES, gx_dir
from feedwarehouse.quality.gx_checkpoint import data_docs_index
from feedwarehouse.quality.quality_notes import published_through
from feedwarehouse_dev.sample import SampleSet, generate_sample

pytestmark = pytest.mark.slow
END = date(2026, 11, 20)
TODAY = "2026-12-06"  # the dates are backfills: archives only, never the live feed
GUID = re.compile(r"<guid[^>]*>([^<]+)</guid>")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    out = tmp_path_factory.mktemp("sample")
    return generate_sample(out, feeds=2, items=6, seed=5, end_date=END, archive_days=4)


def archived_guids(sample: SampleSet, days: list[str]) -> set[str]:
    archive = sample.feeds_file.parent / "archive"
    return {
        guid
        for day in days
        for path in (archive / day.replace("-", "/")).glob("*.xml")
        for guid in GUID.findall(path.read_text(encoding="utf-8"))
    }


def backfill(sample: SampleSet, data_dir: Path, start: str, end: str) -> int:
    argv = ["backfill", "--feeds", str(sample.feeds_file), "--start", start, "--end", end]
    return main([*argv, "--today", TODAY, "--data-dir", str(data_dir)])


def test_backfill_publishes_every_date_once(
    sample: SampleSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    days = ["2026-11-18", "2026-11-19", "2026-11-20"]
    assert backfill(sample, tmp_path, days[0], days[-1]) == 0
    out = capsys.readouterr()
    counts = {
        day: sorted(
            (path.stem, path.read_text(encoding="utf-8").count("<item>"))
            for path in (sample.feeds_file.parent / "archive" / day.replace("-", "/")).glob("*")
        )
        for day in days
    }
    expected = [
        f"{day}: ok (entries: {', '.join(f'{feed} {n}' for feed, n in counts[day])})"
        for day in days
    ]
    assert out.out.splitlines()[:3] == expected
    assert out.err == ""
    paths = data_paths(tmp_path)
    fetches = query(
        paths.warehouse,
        "select logical_date::varchar, feed_id, entry_count, error is null from raw.fetches "
        "order by all",
    )
    assert fetches == [(day, feed, n, True) for day in days for feed, n in counts[day]]
    posts = query(paths.published, "select guid from marts.posts")
    assert sorted(guid for (guid,) in posts) == sorted(archived_guids(sample, days))
    assert published_through(paths.published) == END
    # Data Docs, built once at the end of the raw steps: a page per raw suite and date
    index = data_docs_index(gx_dir(paths))
    pages = sorted(
        p.parent.parent.parent.name for p in index.parent.glob("validations/*/*/*/*.html")
    )
    assert pages == sorted([*RAW_SUITES * 3, *MARTS_SUITES[:-1]])


def test_a_date_without_data_is_named_and_the_others_publish(
    sample: SampleSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert backfill(sample, tmp_path, "2026-11-16", "2026-11-18") == 1  # 11-16: no archive
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert lines[0] == "2026-11-16: FAILED"
    assert [line.split(" (")[0] for line in lines[1:3]] == ["2026-11-17: ok", "2026-11-18: ok"]
    errors = out.err.splitlines()
    assert errors[-1] == "error: published 2026-11-16 to 2026-11-18 except 2026-11-16"
    assert errors[-2].startswith(
        "error: 2026-11-16 failed: no feed delivered anything for 2026-11-16"
    )
    posts = query(data_paths(tmp_path).published, "select guid from marts.posts")
    assert sorted(g for (g,) in posts) == sorted(
        archived_guids(sample, ["2026-11-17", "2026-11-18"])
    )


def test_a_date_failing_the_raw_gate_is_named_and_left_out_of_the_marts(
    sample: SampleSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    copy = tmp_path / "sample"
    shutil.copytree(sample.feeds_file.parent, copy)
    feeds_file = copy / "feeds.yml"
    feeds_file.write_text(
        sample.feeds_file.read_text(encoding="utf-8").replace(
            str(sample.feeds_file.parent), str(copy)
        ),
        encoding="utf-8",
    )
    for path in (copy / "archive" / "2026" / "11" / "19").glob("*.xml"):  # a collapse: no entry
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"<item>.*?</item>", "", text, flags=re.S), encoding="utf-8")
    data_dir = tmp_path / "data"
    argv = ["backfill", "--feeds", str(feeds_file), "--start", "2026-11-18", "--end", "2026-11-20"]
    assert main([*argv, "--today", TODAY, "--data-dir", str(data_dir)]) == 1
    out = capsys.readouterr()
    assert [line.split(" (")[0] for line in out.out.splitlines()[:3]] == [
        "2026-11-18: ok",
        "2026-11-19: raw gate FAILED",
        "2026-11-20: ok",
    ]
    errors = out.err.splitlines()
    assert errors[-1] == "error: published 2026-11-18 to 2026-11-20 except 2026-11-19"
    assert errors[-2].startswith("error: 2026-11-19 failed: ")
    assert "critical expectation(s) failed: suite raw_volume" in errors[-2]
    paths = data_paths(data_dir)
    posts = query(paths.published, "select guid from marts.posts")
    assert sorted(g for (g,) in posts) == sorted(
        archived_guids(sample, ["2026-11-18", "2026-11-20"])
    )
    # the refused date's fetches stay in raw (a rerun that passes the gate builds them), and
    # never reached the marts: no feed's history counts a fetch of that date
    by_date = "select logical_date::varchar, count(*) from {} group by 1 order by 1"
    assert query(paths.warehouse, by_date.format("raw.fetches")) == [
        ("2026-11-18", 2),
        ("2026-11-19", 2),
        ("2026-11-20", 2),
    ]
    built = "select distinct logical_date::varchar from intermediate.int_entries_identified"
    assert sorted(query(paths.warehouse, built)) == [("2026-11-18",), ("2026-11-20",)]
