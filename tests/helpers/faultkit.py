"""Shared by the fault-injection suite (`pytest -m faults`): the ledger and warehouse diffs.

Every fault test records what it injected in the session's `fault_ledger` fixture: the fault,
whether a rerun recovered, and the rows lost and duplicated compared with a run that saw no
fault. The suite prints the totals at the end of the session (tests/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

# columns stamped with the wall clock of a load or a dbt run, not derived from the feeds
LOAD_TIME_COLUMNS = frozenset(
    {"fetched_at", "validated_at", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_scd_id"}
)
RAW_TABLES = ("raw.fetches", "raw.entries")
MART_TABLES = (
    "marts.posts",
    "marts.tags",
    "marts.post_tags",
    "marts.authors",
    "marts.feed_authors",
    "marts.feeds",
    "marts.daily_posts",
    "marts.daily_tag_posts",
    "marts.daily_author_posts",
)
WAREHOUSE_TABLES = (*RAW_TABLES, *MART_TABLES, "snapshots.posts_snapshot")

Rows = dict[str, Counter[tuple[str, ...]]]
PROPERTY = "fault"


@dataclass
class FaultRecord:
    fault: str
    recovered: bool
    lost: int
    duplicated: int


@dataclass
class Ledger:
    """What the fault suite injected and what it cost; printed once per session.

    A test records through its own ledger (the `fault_ledger` fixture), which files each record
    on the test's report (`user_properties`); the session's ledger collects them from the
    reports, so the tally is the same whether the tests ran in this process or in workers.
    """

    records: list[FaultRecord] = field(default_factory=list)
    properties: list[tuple[str, object]] | None = None  # the test's user_properties

    def record(
        self, fault: str, *, recovered: bool = False, lost: int = 0, duplicated: int = 0
    ) -> None:
        """One fault injected; `recovered` when a rerun after it equalled an undisturbed run."""
        record = FaultRecord(fault, recovered, lost, duplicated)
        self.records.append(record)
        if self.properties is not None:
            self.properties.append((PROPERTY, asdict(record)))

    def collect(self, properties: list[tuple[str, object]]) -> None:
        """Take the records a finished test filed on its report."""
        for name, value in properties:
            if name == PROPERTY and isinstance(value, dict):
                self.records.append(FaultRecord(**value))

    def summary(self) -> str:
        recovered = sum(r.recovered for r in self.records)
        lost = sum(r.lost for r in self.records)
        duplicated = sum(r.duplicated for r in self.records)
        return (
            f"fault suite: {len(self.records)} faults tried, {recovered} runs recovered, "
            f"{lost} rows lost, {duplicated} rows duplicated"
        )


def table_rows(database: Path, tables: tuple[str, ...] = WAREHOUSE_TABLES, **where: object) -> Rows:
    """Each table's rows as a multiset, load-time columns left out; read-only.

    `where` keeps the rows whose columns equal the values given, e.g. `logical_date=day`: the
    rows an earlier, good day loaded, which a later day's fault must leave as they were.
    """
    conn = duckdb.connect(str(database), read_only=True)
    try:
        rows: Rows = {}
        for table in tables:
            schema, name = table.split(".")
            columns = [
                column
                for (column,) in conn.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if column not in LOAD_TIME_COLUMNS
            ]
            if not columns:
                rows[table] = Counter()
                continue
            selected = ", ".join(f'"{column}"' for column in columns)
            condition = " and ".join(f'"{column}" = ?' for column in where) or "true"
            rows[table] = Counter(
                tuple(repr(value) for value in row)
                for row in conn.execute(
                    f"select {selected} from {table} where {condition}", list(where.values())
                ).fetchall()
            )
        return rows
    finally:
        conn.close()


def diff(expected: Rows, actual: Rows) -> tuple[int, int]:
    """(rows lost, rows duplicated or unexpected) of `actual` against `expected`, all tables."""
    lost = duplicated = 0
    for table, want in expected.items():
        got = actual.get(table, Counter())
        lost += sum((want - got).values())
        duplicated += sum((got - want).values())
    return lost, duplicated


def differing_tables(expected: Rows, actual: Rows) -> dict[str, tuple[int, int]]:
    """Per table (lost, extra) where the two differ: the assertion message of a failed diff."""
    out = {}
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table, Counter()), actual.get(table, Counter())
        if want != got:
            out[table] = (sum((want - got).values()), sum((got - want).values()))
    return out


def of_feed(rows: Rows, feed_id: str) -> Rows:
    """The rows of one feed: feed_id is the second column of raw.fetches and raw.entries."""
    return {
        table: Counter({row: n for row, n in counts.items() if row[1] == repr(feed_id)})
        for table, counts in rows.items()
    }


def record_feed_fault(
    ledger: Ledger, fault: str, feed_id: str, before: Rows, after: Rows, *, recovered: bool
) -> tuple[bool, int, int]:
    """Record a fault of one feed, its rows in `before` lost or duplicated in `after`."""
    lost, duplicated = diff(of_feed(before, feed_id), of_feed(after, feed_id))
    ledger.record(fault, recovered=recovered, lost=lost, duplicated=duplicated)
    return recovered, lost, duplicated
