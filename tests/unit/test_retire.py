"""`feedwarehouse retire`: a known post is recorded once (newest reason wins); bad input is
refused naming what was wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedwarehouse.cli import main
from feedwarehouse.config import Paths, data_paths
from feedwarehouse.quality.retire import UnknownPost, retire_post
from feedwarehouse.warehouse import connect


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    paths = data_paths(tmp_path)
    conn = connect(paths.warehouse)
    conn.execute("create schema marts")
    conn.execute("create table marts.posts (post_id varchar, title varchar)")
    conn.execute("insert into marts.posts values ('p1', 'A garbled post')")
    conn.close()
    return paths


def retired(paths: Paths) -> list[tuple]:
    conn = connect(paths.warehouse, read_only=True)
    try:
        return conn.execute(
            "select post_id, reason, retired_by from quality.retired_posts order by all"
        ).fetchall()
    finally:
        conn.close()


def test_a_post_is_retired_once_with_its_newest_reason(paths: Paths):
    first = retire_post(paths, "p1", "garbage", by="oncall")
    assert (first.post_id, first.title, first.retired_by) == ("p1", "A garbled post", "oncall")
    retire_post(paths, "p1", "  retracted by its publisher ", by="editor")
    assert retired(paths) == [("p1", "retracted by its publisher", "editor")]


def test_an_unknown_post_or_a_blank_reason_is_refused(paths: Paths, capsys):
    with pytest.raises(UnknownPost) as unknown:
        retire_post(paths, "nope", "garbage")
    assert str(unknown.value) == (
        f"post nope is in neither marts.posts of {paths.warehouse} nor of the BI file "
        f"{paths.published}: check the id (the gate's failure names it)"
    )
    with pytest.raises(ValueError, match=r"needs a reason \(--reason TEXT\)"):
        retire_post(paths, "p1", "   ")
    argv = ["retire", "nope", "--reason", "garbage", "--data-dir", str(paths.data_dir)]
    assert main(argv) == 1
    assert capsys.readouterr().err == f"error: {unknown.value}\n"
    assert retired(paths) == []
