"""FEEDWAREHOUSE_WAREHOUSE=ducklake against a PostgreSQL catalog this module starts (127.0.0.1):
the same marts as the embedded file, loads as appends where the latest wins, two workers
appending at once, and a BI reader that never sees a build the gate did not pass."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers.gates import strict_suites
from helpers.lake_catalog import (
    CatalogServer,
    catalog_server,
    entry_row,
    fetch_row,
    lake_env,
    load_repeatedly,
)

from feedwarehouse.config import data_paths, load_feeds
from feedwarehouse.lake import attach_sql, load_extensions
from feedwarehouse.load.lake_raw import append_fetch
from feedwarehouse.orchestration import steps
from feedwarehouse.orchestration.daily import DayRun, extract, run_all
from feedwarehouse.quality.reports import MARTS
from feedwarehouse.quality.validate import ValidationFailed
from feedwarehouse.tables import ensure_schema
from feedwarehouse.warehouse import connect
from feedwarehouse_dev.sample import generate_sample

RUN_DATE = date(2026, 11, 23)


@pytest.fixture(scope="module")
def server() -> Iterator[CatalogServer]:
    with catalog_server() as started:
        yield started


@contextmanager
def on_lake(catalog: str, data: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in lake_env(catalog, data).items():
            patch.setenv(name, value)
        yield


def lake_reader(catalog: str, *, published: bool = True) -> duckdb.DuckDBPyConnection:
    """What a BI tool runs: the lake attached read-only (the published one unless told)."""
    conn = duckdb.connect()
    load_extensions(conn)
    conn.execute(attach_sql("lake", published=published, read_only=True, catalog=catalog))
    conn.execute("use lake")
    return conn


def marts_of(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {m: conn.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS}


@pytest.fixture(scope="module")
def both_runs(server: CatalogServer, tmp_path_factory: pytest.TempPathFactory):
    """One date run into the embedded file, then from the same landed payloads into a lake."""
    root = tmp_path_factory.mktemp("same")
    sample = generate_sample(root / "sample", feeds=2, items=20, seed=7)
    feeds = load_feeds(sample.feeds_file)
    file_paths, lake_paths = data_paths(root / "file"), data_paths(root / "lake")
    assert run_all(feeds, RUN_DATE, file_paths, today=date(2026, 11, 24)).ok
    shutil.copytree(file_paths.data_dir / "landing", lake_paths.data_dir / "landing")
    catalog = server.new_catalog("same_answers")
    with on_lake(catalog, root / "lake-data"):
        assert run_all(feeds, RUN_DATE, lake_paths, today=date(2026, 11, 24)).ok
    return file_paths, lake_paths, catalog, root / "lake-data"


def test_the_lake_holds_the_files_marts_row_for_row(both_runs):
    file_paths, lake_paths, catalog, _ = both_runs
    with duckdb.connect(str(file_paths.published), read_only=True) as conn:
        expected = marts_of(conn)
    assert sum(map(len, expected.values())) > 0
    assert len(expected["posts"]) == 40
    with lake_reader(catalog) as conn:
        assert marts_of(conn) == expected
    # the BI file written on the lake is the same file, for tools that load no extension
    with duckdb.connect(str(lake_paths.published), read_only=True) as conn:
        assert marts_of(conn) == expected
    assert not lake_paths.warehouse.exists()  # nothing went to an embedded file


def test_a_second_load_of_a_date_supersedes_the_first(both_runs):
    _, lake_paths, catalog, data = both_runs
    with lake_reader(catalog, published=False) as conn:
        before = marts_of(conn)
    with on_lake(catalog, data):
        steps.load_raw(RUN_DATE, lake_paths)
        steps.transform_marts(lake_paths)
    with lake_reader(catalog, published=False) as conn:
        loads = conn.execute(
            "select fetch_id, count(distinct load_id) from raw.fetch_loads group by all"
        ).fetchall()
        assert sorted(count for _, count in loads) == [2, 2]
        assert conn.execute("select count(*) from raw.entry_loads").fetchone()[0] == 80
        assert conn.execute("select count(*) from raw.fetches").fetchone()[0] == 2
        assert conn.execute("select count(*) from raw.entries").fetchone()[0] == 40
        assert marts_of(conn) == before


def feedwarehouse(env: dict[str, str], *args: str) -> int:
    """The CLI in its own process (a failpoint SIGKILLs it); its return code."""
    return subprocess.run(
        [sys.executable, "-m", "feedwarehouse.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        check=False,
        timeout=600,
    ).returncode


def test_a_worker_killed_mid_commit_leaves_nothing_visible(both_runs, tmp_path: Path):
    _, lake_paths, catalog, data = both_runs
    sample_feeds = next(lake_paths.data_dir.parent.glob("sample/feeds.yml"))
    with lake_reader(catalog, published=False) as conn:
        loads_before = conn.execute("select count(*) from raw.fetch_loads").fetchone()
        entries_before = conn.execute("select count(*) from raw.entry_loads").fetchone()
    with lake_reader(catalog) as conn:
        published_before = marts_of(conn)
        snapshots_before = conn.execute("select count(*) from lake.snapshots()").fetchone()
    env = {**lake_env(catalog, data), "FEEDWAREHOUSE_DATA_DIR": str(lake_paths.data_dir)}
    killed = {**env, "FEEDWAREHOUSE_FAILPOINT": "load.fetch_inserted"}
    assert feedwarehouse(killed, "replay", "--date", str(RUN_DATE)) == -signal.SIGKILL
    with lake_reader(catalog, published=False) as conn:
        assert conn.execute("select count(*) from raw.fetch_loads").fetchone() == loads_before
        assert conn.execute("select count(*) from raw.entry_loads").fetchone() == entries_before
    # killed inside the published lake's transaction, after two of its tables
    killed = {**env, "FEEDWAREHOUSE_FAILPOINT": "lake_publish.table_copied@2"}
    run = ["run", "--feeds", str(sample_feeds), "--date", str(RUN_DATE), "--today", "2026-11-24"]
    assert feedwarehouse(killed, *run) == -signal.SIGKILL
    with lake_reader(catalog) as conn:
        assert marts_of(conn) == published_before
        assert conn.execute("select count(*) from lake.snapshots()").fetchone() == snapshots_before


def test_a_reader_reads_the_marts_as_published_on_a_day(both_runs):
    file_paths, _, catalog, _ = both_runs
    with duckdb.connect(str(file_paths.published), read_only=True) as conn:
        expected = conn.execute("select post_id, title from marts.posts order by all").fetchall()
    with lake_reader(catalog) as conn:
        (version,) = conn.execute(
            "select max(snapshot_id) from lake.snapshots() "
            "where commit_message = 'published through 2026-11-23'"
        ).fetchone()
        assert version is not None
        published = conn.execute(
            f"select post_id, title from lake.marts.posts at (version => {version}) order by all"
        ).fetchall()
    assert published == expected


def test_maintenance_compacts_and_expires_without_changing_the_marts(both_runs):
    from feedwarehouse.lake_maintenance import maintain

    _, lake_paths, catalog, data = both_runs
    with lake_reader(catalog, published=False) as conn:
        before = marts_of(conn)
    with on_lake(catalog, data):
        conn = connect(lake_paths.warehouse)
        try:
            done = {result.lake: result for result in maintain(conn, retention_days=0)}
        finally:
            conn.close()
    assert set(done) == {"lake", "published_lake"}
    assert done["lake"].snapshots_expired > 0
    assert done["lake"].files_deleted > 0  # the marts' files the rebuild replaced
    with lake_reader(catalog, published=False) as conn:
        assert marts_of(conn) == before
        (snapshots,) = conn.execute("select count(*) from lake.snapshots()").fetchone()
    assert snapshots == 1  # only the current one is left


def test_the_latest_load_wins_even_with_fewer_entries(server: CatalogServer, tmp_path: Path):
    catalog = server.new_catalog("latest_wins")
    with on_lake(catalog, tmp_path / "lake-data"):
        conn = connect(data_paths(tmp_path).warehouse)
        try:
            ensure_schema(conn)
            for titles in (["a", "b", "c"], ["only"]):
                conn.execute("begin transaction")
                entries = [entry_row("f1", index, title) for index, title in enumerate(titles)]
                append_fetch(conn, fetch_row("f1", len(titles)), entries)
                conn.execute("commit")
            rows = conn.execute("select entry_index, title from raw.entries").fetchall()
            fetches = conn.execute("select fetch_id, entry_count from raw.fetches").fetchall()
        finally:
            conn.close()
    assert rows == [(0, "only")]
    assert fetches == [("f1", 1)]


def test_two_workers_appending_at_once_lose_nothing(server: CatalogServer, tmp_path: Path):
    sample = generate_sample(tmp_path / "sample", feeds=4, items=10, seed=11)
    feeds = load_feeds(sample.feeds_file)
    paths = data_paths(tmp_path / "data")
    extract(DayRun(RUN_DATE, paths, date(2026, 11, 24)), feeds)
    catalog = server.new_catalog("two_workers")
    env = lake_env(catalog, tmp_path / "lake-data")
    with on_lake(catalog, tmp_path / "lake-data"):
        conn = connect(paths.warehouse)
        try:
            ensure_schema(conn)  # as the first run does, before workers fan out
        finally:
            conn.close()
    ids = [feed.id for feed in feeds]
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(2) as pool:
        results = [
            pool.apply_async(load_repeatedly, (env, str(paths.data_dir), half, RUN_DATE, 5))
            for half in (ids[:2], ids[2:])
        ]
        conflicts = [result.get(timeout=600) for result in results]
    with lake_reader(catalog, published=False) as conn:
        loads = conn.execute(
            "select feed_id, count(*) from raw.fetch_loads group by all order by all"
        ).fetchall()
        entries = conn.execute("select count(*) from raw.entry_loads").fetchone()[0]
        latest = conn.execute("select count(*) from raw.entries").fetchone()[0]
    assert loads == [(feed_id, 5) for feed_id in sorted(ids)]
    assert entries == 4 * 10 * 5
    assert latest == 4 * 10
    print(f"lake conflicts retried by the workers: {conflicts}")


class Poller(threading.Thread):
    """A BI reader attached to the published lake, reading every published table's size."""

    def __init__(self, catalog: str) -> None:
        super().__init__(daemon=True)
        self.catalog = catalog
        self.seen: list[tuple] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with lake_reader(self.catalog) as conn:
            while not self.stop.is_set():
                self.seen.append(published_state(conn))
                self.stop.wait(0.2)


def published_state(conn: duckdb.DuckDBPyConnection) -> tuple:
    """The posts, the day they were last seen and the validation results, as one reader sees."""
    return conn.execute(
        "select (select count(*) from marts.posts), (select max(last_seen_on) from marts.posts), "
        "(select count(*) from quality.validation_runs)"
    ).fetchone()


def test_a_reader_never_sees_unvalidated_marts(server: CatalogServer, tmp_path: Path):
    sample = generate_sample(tmp_path / "sample", feeds=1, items=5, seed=3)
    feeds = load_feeds(sample.feeds_file)
    paths = data_paths(tmp_path / "data")
    catalog = server.new_catalog("wap")
    with on_lake(catalog, tmp_path / "lake-data"):
        assert run_all(feeds, date(2026, 11, 22), paths).ok
        with lake_reader(catalog) as conn:
            first = published_state(conn)
        poller = Poller(catalog)
        poller.start()
        try:
            with pytest.raises(ValidationFailed):
                run_all(feeds, RUN_DATE, paths, suites_dir=strict_suites(tmp_path / "gx", 5))
            with lake_reader(catalog, published=False) as conn:
                built = published_state(conn)  # what the failed gate kept from BI
            assert run_all(feeds, RUN_DATE, paths).ok
        finally:
            poller.stop.set()
            poller.join()
        with lake_reader(catalog) as conn:
            second = published_state(conn)
    assert built != first
    assert second != first
    assert len(poller.seen) > 10
    assert set(poller.seen) <= {first, second}
    assert poller.seen[0] == first
