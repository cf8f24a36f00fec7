"""Data Docs of a backfill (gx_checkpoint): a backfill run whose marts a later run builds leaves
its pages pending; the next build of any gate builds them with its own, and the index lists
every result; a failing gate builds at once; a daily run builds its own pages, once per gate."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from feedwarehouse.quality.gx_checkpoint import (
    data_docs_index,
    data_docs_once,
    pending_dir,
    run_checkpoint,
)

pytestmark = pytest.mark.slow  # imports GX

NOT_NULL = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "guid"}}
FRAME = pd.DataFrame({"guid": ["a", "b"]})


def check(gx_dir: Path, suite: str, run_name: str) -> None:
    run_checkpoint(suite, [NOT_NULL], FRAME, gx_dir, run_name, [])


def pages(gx_dir: Path) -> list[tuple[str, str]]:
    """(suite, run name) of every validation page built: validations/suite/run/time/batch.html"""
    site = data_docs_index(gx_dir).parent
    return sorted(
        (path.parent.parent.parent.name, path.parent.parent.name)
        for path in site.glob("validations/*/*/*/*.html")
    )


def linked(gx_dir: Path) -> list[tuple[str, str]]:
    """(suite, run name) of every validation page built that the index links to."""
    index = data_docs_index(gx_dir).read_text(encoding="utf-8")
    site = data_docs_index(gx_dir).parent
    return sorted(
        (path.parent.parent.parent.name, path.parent.parent.name)
        for path in site.glob("validations/*/*/*/*.html")
        if str(path.relative_to(site)) in index
    )


def test_deferred_pages_wait_for_the_next_build_which_builds_them_all(tmp_path: Path):
    for day in ("d1", "d2"):  # two backfill runs whose marts a later run builds
        with data_docs_once(tmp_path, later=True):
            check(tmp_path, "raw_a", day)
            check(tmp_path, "raw_b", day)
    assert pages(tmp_path) == []
    assert not data_docs_index(tmp_path).exists()
    assert len(list(pending_dir(tmp_path).glob("*.json"))) == 2  # one file per gate
    with data_docs_once(tmp_path):  # the run that builds
        check(tmp_path, "raw_a", "d3")
        check(tmp_path, "raw_b", "d3")
    every = [(suite, day) for suite in ("raw_a", "raw_b") for day in ("d1", "d2", "d3")]
    assert pages(tmp_path) == every
    assert linked(tmp_path) == every
    assert list(pending_dir(tmp_path).iterdir()) == []


def test_a_gate_that_fails_builds_its_pages_at_once(tmp_path: Path):
    def failing_gate() -> None:
        with data_docs_once(tmp_path, later=True):
            check(tmp_path, "raw_a", "d1")
            raise RuntimeError("critical expectation failed")

    with pytest.raises(RuntimeError, match="critical"):
        failing_gate()
    assert pages(tmp_path) == [("raw_a", "d1")]
    assert not pending_dir(tmp_path).exists()


def test_a_check_outside_any_block_builds_its_page_and_the_pending_ones(tmp_path: Path):
    with data_docs_once(tmp_path, later=True):
        check(tmp_path, "raw_a", "d1")
    assert pages(tmp_path) == []
    check(tmp_path, "raw_a", "d2")  # `feedwarehouse run`'s way: page by page
    assert linked(tmp_path) == [("raw_a", "d1"), ("raw_a", "d2")]
    assert list(pending_dir(tmp_path).iterdir()) == []


def test_an_inner_block_leaves_the_build_to_the_outer_one(tmp_path: Path):
    with data_docs_once(tmp_path):  # the CLI backfill's one build
        with data_docs_once(tmp_path, later=True):
            check(tmp_path, "raw_a", "d1")
        with data_docs_once(tmp_path):
            check(tmp_path, "raw_a", "d2")
        assert pages(tmp_path) == []
    assert linked(tmp_path) == [("raw_a", "d1"), ("raw_a", "d2")]
    assert not pending_dir(tmp_path).exists()
