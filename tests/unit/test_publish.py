"""Publish: an atomic swap that readers never block, in a format DuckDB 1.x clients open."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from feedwarehouse.config import Paths, data_paths
from feedwarehouse.publish.bi_file import export_marts, publish, spare_path
from feedwarehouse.warehouse import connect

COMPAT_SCRIPT = Path(__file__).resolve().parents[1] / "compat" / "read_bi_file.py"


def build_warehouse(paths: Paths, titles: list[str]) -> None:
    conn = connect(paths.warehouse)
    try:
        conn.execute("create schema if not exists marts")
        conn.execute("create schema if not exists quality")
        conn.execute("create schema if not exists raw")
        conn.execute("create or replace table marts.posts (post_id varchar, title varchar)")
        conn.executemany(
            "insert into marts.posts values (?, ?)", [[f"p{i}", t] for i, t in enumerate(titles)]
        )
        conn.execute("comment on table marts.posts is 'One row per post, it''s the main mart.'")
        conn.execute("comment on column marts.posts.title is 'Title as the feed wrote it.'")
        conn.execute("create or replace table quality.validation_runs (suite varchar)")
        conn.execute("insert into quality.validation_runs values ('marts_posts')")
        conn.execute("create or replace table raw.entries (secret varchar)")
        conn.execute("create or replace view marts.recent as select * from marts.posts")
        publish(conn, paths)
    finally:
        conn.close()


def published_titles(path: Path) -> list[str]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return [
            row[0] for row in conn.execute("select title from marts.posts order by 1").fetchall()
        ]
    finally:
        conn.close()


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return data_paths(tmp_path)


def test_publish_copies_marts_and_quality_only(paths: Paths):
    build_warehouse(paths, ["\u201ccurly\u201d \u2013 title", "b"])
    conn = duckdb.connect(str(paths.published), read_only=True)
    try:
        tables = conn.execute(
            "select table_schema, table_name, table_type "
            "from information_schema.tables order by all"
        ).fetchall()
    finally:
        conn.close()
    assert tables == [
        ("marts", "posts", "BASE TABLE"),
        ("quality", "validation_runs", "BASE TABLE"),
    ]
    assert published_titles(paths.published) == ["b", "\u201ccurly\u201d \u2013 title"]
    assert sorted(p.name for p in paths.published.parent.iterdir()) == ["warehouse.duckdb"]


def test_reader_holding_the_file_never_blocks_a_publish(paths: Paths):
    build_warehouse(paths, ["old"])
    reader = duckdb.connect(str(paths.published), read_only=True)
    try:
        build_warehouse(paths, ["new", "newer"])
        # the reader keeps its consistent view of the file it opened
        assert reader.execute("select title from marts.posts").fetchall() == [("old",)]
    finally:
        reader.close()
    assert published_titles(paths.published) == ["new", "newer"]


def read_with_duckdb_1x(path: Path) -> dict:
    """What a DuckDB 1.x client (locked by tests/compat/read_bi_file.py.lock) reads in the file."""
    bootstrap = COMPAT_SCRIPT.parents[2] / ".bootstrap" / "bin" / "uv"  # where `make` puts uv
    uv = os.environ.get("UV") or shutil.which("uv") or (bootstrap.exists() and str(bootstrap))
    assert uv, "uv not found: run the tests through `make test` (uv run sets $UV)"
    result = subprocess.run(
        [uv, "run", "--quiet", "--frozen", "--script", str(COMPAT_SCRIPT), str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_bi_file_opens_in_a_duckdb_1x_client(paths: Paths):
    build_warehouse(paths, ["a", "b", "c"])
    report = read_with_duckdb_1x(paths.published)
    assert report["duckdb"].startswith("1.")
    assert report["rows"] == {"marts.posts": 3, "quality.validation_runs": 1}


def test_export_marts_writes_parquet_and_csv(paths: Paths):
    build_warehouse(paths, ["x", "y"])
    written = export_marts(paths)
    assert [p.name for p in written] == ["posts.parquet", "posts.csv"]
    with (paths.data_dir / "exports" / "posts.csv").open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [["post_id", "title"], ["p0", "x"], ["p1", "y"]]
    conn = duckdb.connect()
    try:
        parquet = str(paths.data_dir / "exports" / "posts.parquet")
        rows = conn.execute("select * from read_parquet(?) order by 1", [parquet]).fetchall()
    finally:
        conn.close()
    assert rows == [("p0", "x"), ("p1", "y")]


def test_dbt_descriptions_travel_into_the_bi_file(paths: Paths):
    build_warehouse(paths, ["a"])
    conn = duckdb.connect(str(paths.published), read_only=True)
    try:
        table = conn.execute(
            "select comment from duckdb_tables() where table_name = 'posts'"
        ).fetchone()[0]
        columns = conn.execute(
            "select column_name, comment from duckdb_columns() "
            "where table_name = 'posts' order by column_index"
        ).fetchall()
    finally:
        conn.close()
    assert table == "One row per post, it's the main mart."
    assert columns == [("post_id", None), ("title", "Title as the feed wrote it.")]


def test_the_bi_file_is_read_only_and_a_killed_publish_leaves_nothing(paths: Paths):
    # what a publish killed before its swap leaves behind: a staging file and its WAL
    paths.published.parent.mkdir(parents=True)
    abandoned = paths.published.with_name(".warehouse.0123abcd.duckdb")
    abandoned.write_bytes(b"half a file")
    Path(f"{abandoned}.wal").write_bytes(b"wal")
    build_warehouse(paths, ["Hello"])
    assert sorted(p.name for p in paths.published.parent.iterdir()) == ["warehouse.duckdb"]
    assert paths.published.stat().st_mode & 0o777 == 0o444
    build_warehouse(paths, ["Hello", "Again"])  # a read-only file is still replaced
    assert published_titles(paths.published) == ["Again", "Hello"]


def build_versioned(paths: Paths, posts: dict[str, str], *, publishing: bool = True) -> int:
    """A warehouse whose posts carry a version_hash (as marts.posts does), published; its inode."""
    conn = connect(paths.warehouse)
    try:
        conn.execute("create schema if not exists marts")
        conn.execute(
            "create or replace table marts.posts "
            "(post_id varchar, title varchar, content_html varchar, version_hash varchar)"
        )
        conn.executemany(
            "insert into marts.posts values (?, ?, ?, md5(? || ?))",
            [[post, title, f"<p>{title}</p>", post, title] for post, title in posts.items()],
        )
        conn.execute("create or replace table marts.tags as select 'webrtc' as slug")
        if publishing:
            publish(conn, paths)
    finally:
        conn.close()
    return paths.published.stat().st_ino


def published_posts(path: Path) -> list[tuple[str, str, str]]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(
            "select post_id, title, content_html from marts.posts order by 1"
        ).fetchall()
    finally:
        conn.close()


def test_a_publish_brings_the_previous_file_up_to_date(paths: Paths):
    first = build_versioned(paths, {"p1": "one", "p2": "two"})
    second = build_versioned(paths, {"p1": "one", "p2": "two", "p3": "three"})
    assert second != first  # nothing to reuse yet: a new file; the first waits as the spare
    assert spare_path(paths).stat().st_ino == first
    # a mark on the spare's p2: a row whose version is unchanged is kept, never copied again
    spare_path(paths).chmod(0o644)
    marked = duckdb.connect(str(spare_path(paths)))
    marked.execute("update marts.posts set content_html = '<p>kept</p>' where post_id = 'p2'")
    marked.close()
    third = build_versioned(paths, {"p1": "one, edited", "p2": "two", "p4": "four"})
    assert third == first  # the spare, brought up to date and swapped in
    assert spare_path(paths).stat().st_ino == second
    assert published_posts(paths.published) == [
        ("p1", "one, edited", "<p>one, edited</p>"),
        ("p2", "two", "<p>kept</p>"),
        ("p4", "four", "<p>four</p>"),
    ]
    assert sorted(p.name for p in paths.published.parent.iterdir()) == ["warehouse.duckdb"]
    assert paths.published.stat().st_mode & 0o777 == 0o444
    report = read_with_duckdb_1x(paths.published)
    assert report["duckdb"].startswith("1.")
    assert report["rows"] == {"marts.posts": 3, "marts.tags": 1}


READER = """
import sys, duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
query = "select post_id, title from marts.posts order by 1"
print(conn.execute(query).fetchall(), flush=True)
sys.stdin.readline()
print(conn.execute(query).fetchall(), flush=True)
"""


def test_a_reader_keeps_its_version_while_it_waits_as_the_spare(paths: Paths):
    first = build_versioned(paths, {"p1": "one"})
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(paths.published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "[('p1', 'one')]"
        build_versioned(paths, {"p1": "one", "p2": "two"})
        # the reader's file is the spare now, but it still holds it: a new file is written
        assert build_versioned(paths, {"p3": "three"}) != first
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "[('p1', 'one')]"
    finally:
        reader.stdin.close()
        assert reader.wait(timeout=60) == 0
    assert published_posts(paths.published) == [("p3", "three", "<p>three</p>")]


KILLED_PUBLISH = """
import sys
from feedwarehouse.config import data_paths
from feedwarehouse.publish.bi_file import publish
from feedwarehouse.warehouse import connect
paths = data_paths(sys.argv[1])
publish(connect(paths.warehouse), paths)
"""


@pytest.mark.parametrize(
    ("failpoint", "swapped"),
    [("publish.table_copied@1", False), ("publish.staged", False), ("publish.swapped", True)],
)
def test_a_killed_incremental_publish_leaves_one_version_and_the_next_one_heals(
    paths: Paths, failpoint: str, swapped: bool
):
    build_versioned(paths, {"p1": "one"})
    build_versioned(paths, {"p1": "one", "p2": "two"})  # the first file is the spare now
    before = published_posts(paths.published)
    build_versioned(paths, {"p2": "two, edited", "p3": "three"}, publishing=False)
    env = {**os.environ, "FEEDWAREHOUSE_FAILPOINT": failpoint}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_PUBLISH, str(paths.data_dir)], env=env, check=False
    )
    assert killed.returncode == -9  # SIGKILL at the failpoint
    after = [("p2", "two, edited", "<p>two, edited</p>"), ("p3", "three", "<p>three</p>")]
    assert published_posts(paths.published) == (after if swapped else before)
    conn = connect(paths.warehouse)
    try:
        publish(conn, paths)
    finally:
        conn.close()
    assert published_posts(paths.published) == after
    assert sorted(p.name for p in paths.published.parent.iterdir()) == ["warehouse.duckdb"]
    assert paths.published.stat().st_mode & 0o777 == 0o444


def test_a_reader_in_this_process_keeps_its_version_too(paths: Paths):
    first = build_versioned(paths, {"p1": "one"})
    reader = duckdb.connect(str(paths.published), read_only=True)
    try:
        build_versioned(paths, {"p1": "one", "p2": "two"})
        # DuckDB's lock does not guard a file against its own process: the open file does
        assert build_versioned(paths, {"p3": "three"}) != first
        assert reader.execute("select post_id, title from marts.posts").fetchall() == [
            ("p1", "one")
        ]
    finally:
        reader.close()
    assert published_posts(paths.published) == [("p3", "three", "<p>three</p>")]
