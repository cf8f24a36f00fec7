"""Retire a post: take it out of every mart and, at the next publish, out of the BI file.

The way out when a post must leave BI (garbage published before a fix, a post its publisher
retracted): the marts_published_kept gate refuses any run that drops a published post, so
without a record that the drop is meant, nothing could be published again. The record lives in
quality.retired_posts of the writer's warehouse (published with it); dbt leaves those posts out
(int_post_listings) and the gate accepts their absence.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import duckdb

from feedwarehouse.config import Paths
from feedwarehouse.tables import ensure_schema
from feedwarehouse.warehouse import connect, writer_lock

COMMAND = "feedwarehouse retire POST_ID --reason TEXT"


class UnknownPost(ValueError):
    """The post id is in neither the writer's warehouse nor the BI file."""


@dataclass(frozen=True)
class Retirement:
    """One row of quality.retired_posts."""

    post_id: str
    reason: str
    retired_at: datetime
    retired_by: str
    title: str | None  # of the post, from whichever file held it


def retire_post(paths: Paths, post_id: str, reason: str, by: str | None = None) -> Retirement:
    """Record the retirement (again: the newest reason wins); the next run drops the post.

    Raise UnknownPost when no warehouse file of `paths` knows the post, ValueError on a
    blank reason.
    """
    if not reason.strip():
        raise ValueError("a retirement needs a reason (--reason TEXT): say why the post must go")
    retirement = Retirement(
        post_id=post_id,
        reason=reason.strip(),
        retired_at=datetime.now(UTC).replace(tzinfo=None),
        retired_by=by or getpass.getuser(),
        title=None,
    )
    with writer_lock(paths, holder=f"feedwarehouse retire {post_id}"):
        conn = connect(paths.warehouse)
        try:
            ensure_schema(conn)
            found, title = _find(conn, paths, post_id)
            if not found:
                raise UnknownPost(
                    f"post {post_id} is in neither marts.posts of {paths.warehouse} nor of the "
                    f"BI file {paths.published}: check the id (the gate's failure names it)"
                )
            # delete + insert, not `insert or replace`: a DuckLake table has no key
            conn.execute("begin transaction")
            conn.execute("delete from quality.retired_posts where post_id = ?", [post_id])
            conn.execute(
                "insert into quality.retired_posts "
                "(post_id, reason, retired_at, retired_by) values (?, ?, ?, ?)",
                [post_id, retirement.reason, retirement.retired_at, retirement.retired_by],
            )
            conn.execute("commit")
        finally:
            conn.close()
    return replace(retirement, title=title)


def retired_posts(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(post_id, reason, retired_at, retired_by) of every retirement, newest first."""
    return conn.execute(
        "select post_id, reason, retired_at, retired_by from quality.retired_posts "
        "order by retired_at desc, post_id"
    ).fetchall()


def _find(conn: duckdb.DuckDBPyConnection, paths: Paths, post_id: str) -> tuple[bool, str | None]:
    """Whether the writer's marts or the BI file hold the post, and its title there."""
    sources = ["marts.posts"]
    if paths.published.exists():
        conn.execute(f"attach '{paths.published}' as published_now (read_only)")
        sources.append("published_now.marts.posts")
    try:
        for table in sources:
            if not _has_table(conn, table):
                continue
            row = conn.execute(
                f"select title from {table} where post_id = ?",  # noqa: S608 - fixed names
                [post_id],
            ).fetchone()
            if row is not None:
                return True, row[0]
        return False, None
    finally:
        if len(sources) > 1:
            conn.execute("detach published_now")


def _has_table(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    database = "published_now" if table.startswith("published_now.") else None
    (count,) = conn.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' "
        "and table_name = 'posts' and database_name = coalesce(?, current_database())",
        [database],
    ).fetchone()
    return count > 0
