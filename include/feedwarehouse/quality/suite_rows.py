"""Which rows a suite validates: every row of its query, or only those this run changed.

A suite's `changed` condition names the rows a run changed; the rows the BI file already holds
passed the same suite when they were published, so they are not read again. That holds only
if the BI file's last run of the suite checked what the suite checks now (its fingerprint):
a new or edited suite reads every row once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from feedwarehouse.quality import table_checks

log = logging.getLogger(__name__)


def relation(spec: dict[str, Any]) -> str:
    """The SELECT of every row a suite is about."""
    # table names and queries come from our own suite files, not from input
    query = spec.get("query") or f"select * from {spec['table']}"  # noqa: S608
    if spec.get("scope") == "logical_date" and "query" not in spec:
        query += " where logical_date = $logical_date"
    return query


@contextmanager
def published_attached(
    conn: duckdb.DuckDBPyConnection, published: Path | None, spec: dict[str, Any]
) -> Iterator[None]:
    """The BI file attached read-only as `published` while a suite that reads it runs."""
    if published is None or ("published." not in spec.get("query", "") and "changed" not in spec):
        yield
        return
    conn.execute(f"attach '{published}' as published (read_only)")
    try:
        yield
    finally:
        conn.execute("detach published")


def fingerprint(spec: dict[str, Any]) -> str:
    """What a suite checks: its rows, its condition for changed rows and its expectations."""
    checks = {k: spec.get(k) for k in ("table", "query", "scope", "changed", "expectations")}
    return hashlib.md5(json.dumps(checks, sort_keys=True).encode()).hexdigest()  # noqa: S324


def published_after(conn: duckdb.DuckDBPyConnection, suite: str, fingerprint: str) -> bool:
    """Whether the BI file was published after this very suite passed (its last run there).

    Every publish follows a passing gate, so the BI file's last run of a suite is the one that
    let it through: if it checked what the suite checks now, every published row passed it,
    and only changed rows need checking again. Otherwise (a new or edited suite, a BI file
    older than fingerprints) every row is checked.
    """
    (has_column,) = conn.execute(
        "select count(*) from duckdb_columns() where database_name = 'published' "
        "and schema_name = 'quality' and table_name = 'validation_runs' "
        "and column_name = 'suite_fingerprint'"
    ).fetchone()
    if not has_column:
        return False
    last = conn.execute(
        "select suite_fingerprint from published.quality.validation_runs where suite = ? "
        "order by validated_at desc limit 1",
        [suite],
    ).fetchone()
    return last is not None and last[0] == fingerprint


def changed_rows(
    conn: duckdb.DuckDBPyConnection,
    relation: str,
    changed: str | None,
    params: dict[str, Any],
    expectations: list[dict[str, Any]],
) -> Any:
    """The rows this run changed, with only the columns the row-level expectations name."""
    available = table_checks.columns_of(conn, relation, params)
    named = {e["kwargs"].get("column") for e in expectations} - {None}
    named |= {c for e in expectations for c in e["kwargs"].get("column_list", [])}
    # a column the table lost stays out: its expectation fails in GX, naming it
    columns = [c for c in available if c in named] or available[:1]  # pandas needs a column
    select = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    sql = f"select {select} from ({relation}) as rel"  # noqa: S608 (our suite files)
    if changed:
        try:
            return table_checks.run(conn, f"{sql} where {changed}", params).df()
        except duckdb.BinderException as exc:
            # the table lost a column the condition reads: a column-set expectation names it
            log.warning("changed-rows condition failed (%s): every row is checked", exc)
    return table_checks.run(conn, sql, params).df()
