"""A throwaway PostgreSQL on 127.0.0.1 for DuckLake catalogs (make airflow's LocalPostgres),
and the environment that points the package at a fresh lake in it."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import psycopg2

from feedwarehouse.tables import EntryRow, FetchRow
from feedwarehouse_dev.local_postgres import HOST, USER, LocalPostgres


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class CatalogServer:
    server: LocalPostgres
    password: str

    def new_catalog(self, name: str) -> str:
        """A new, empty database on the server; its libpq connection string."""
        conn = psycopg2.connect(
            host=HOST, port=self.server.port, user=USER, password=self.password, dbname="postgres"
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'drop database if exists "{name}"')
                cur.execute(f'create database "{name}"')
        finally:
            conn.close()
        return (
            f"host={HOST} port={self.server.port} dbname={name} user={USER} "
            f"password={self.password}"
        )


@contextmanager
def catalog_server() -> Iterator[CatalogServer]:
    """Start a PostgreSQL on 127.0.0.1 (a free port); stop and remove it on exit.

    Its folder is its own, not pytest's tmp_path: pytest removes old sessions' folders when a
    new session starts, and the server must outlive whatever else runs meanwhile.
    """
    root = Path(tempfile.mkdtemp(prefix="feedwarehouse-lake-catalog-"))
    password = secrets.token_hex(12)
    server = LocalPostgres(root / "pg", free_port(), root / "pg.log")
    try:
        server.start(password)
        yield CatalogServer(server, password)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def lake_env(catalog: str, data: Path) -> dict[str, str]:
    """The settings that make the package's warehouse this lake."""
    return {
        "FEEDWAREHOUSE_WAREHOUSE": "ducklake",
        "FEEDWAREHOUSE_LAKE_CATALOG": catalog,
        "FEEDWAREHOUSE_LAKE_DATA": str(data),
    }


def fetch_row(fetch_id: str, entry_count: int) -> FetchRow:
    """A successful fetch of feed `fetch_id` on 2026-11-23, as the loader writes one."""
    return FetchRow(
        fetch_id=fetch_id,
        feed_id=fetch_id,
        url=f"https://example.test/{fetch_id}",
        logical_date=date(2026, 11, 23),
        fetched_at=datetime(2026, 11, 23, 6),
        http_status=200,
        etag=None,
        last_modified=None,
        payload_sha256="0" * 64,
        payload_bytes=100,
        entry_count=entry_count,
        error=None,
        bozo_reason=None,
        feed_title=None,
        feed_link=None,
        feed_subtitle=None,
        feed_language=None,
        feed_generator=None,
        feed_json=None,
        is_unchanged=False,
        fetch_mode="live",
        page_count=1,
        content_type="application/rss+xml",
    )


def entry_row(fetch_id: str, index: int, title: str) -> EntryRow:
    return EntryRow(
        fetch_id=fetch_id,
        feed_id=fetch_id,
        logical_date=date(2026, 11, 23),
        entry_index=index,
        guid=f"{fetch_id}-{index}",
        link=None,
        title=title,
        author=None,
        published=None,
        published_at=None,
        updated=None,
        updated_at=None,
        categories=[],
        summary=None,
        content=None,
        comments_count=None,
        enclosure_count=None,
        entry_json="{}",
        author_name=None,
        updated_element=None,
        body_html=None,
        body_source=None,
    )


def load_repeatedly(
    env: dict[str, str], data_dir: str, feed_ids: list[str], logical_date: date, times: int
) -> int:
    """A worker process: load its feeds' landed payloads `times` times, each load retried on
    a DuckLake conflict as Airflow retries a transient failure; how many conflicts it met."""
    from feedwarehouse.config import data_paths
    from feedwarehouse.extract import land
    from feedwarehouse.load import raw as load
    from feedwarehouse.orchestration.failure_kinds import is_lake_conflict
    from feedwarehouse.warehouse import connect

    os.environ.update(env)
    paths = data_paths(Path(data_dir))
    manifests = [m for m in land.landed_manifests(paths, logical_date) if m.stem in feed_ids]
    assert len(manifests) == len(feed_ids), manifests
    conflicts = 0
    for _ in range(times):
        for attempt in range(5):
            conn = connect(paths.warehouse)
            try:
                load.load_raw(conn, paths, manifests)
                break
            except duckdb.Error as exc:
                if not is_lake_conflict(exc) or attempt == 4:
                    raise
                conflicts += 1
            finally:
                conn.close()
    return conflicts
