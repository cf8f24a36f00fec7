"""Section 1: parse + load landed payloads into raw tables, ours against its peers and lxml.

Every contender reads the same landed payload files (page-cached) and counts its rows at the
end, so row counts are compared, not assumed. Ours also checks each payload's sha256 on read.
"""

# The table speaks in multiplication signs and en dashes, as the results file shows them.
# ruff: noqa: RUF001

from __future__ import annotations

import calendar
import datetime as dt
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import feedparser

from bench.common import Figure, Section, median_of
from feedwarehouse.config import Paths, load_feeds
from feedwarehouse.extract import feeds as extract
from feedwarehouse.extract import land
from feedwarehouse.load import raw as load
from feedwarehouse.parse.feed import parse_feed
from feedwarehouse.warehouse import connect
from feedwarehouse_dev.sample import generate_sample

LOGICAL_DATE = date(2026, 11, 23)
NAIVE_DDL = """
create table entries (
    feed_id varchar, guid varchar, link varchar, title varchar, author varchar,
    published varchar, summary varchar, content varchar, categories varchar[]
)
"""


@dataclass(frozen=True)
class Landed:
    """A landing zone holding one date's payloads, and where each payload's bytes live."""

    paths: Paths
    manifests: list[Path]
    payloads: list[tuple[str, Path]]  # (feed_id, payload file)

    @property
    def total_bytes(self) -> int:
        return sum(path.stat().st_size for _, path in self.payloads)


def prepare(work: Path, feeds: int, items: int) -> Landed:
    """Generate the sample feeds and land them with the package's own extract (file://)."""
    sample = generate_sample(work / "sample", feeds=feeds, items=items)
    paths = Paths(work / "data")
    manifests = [
        extract.extract(feed, LOGICAL_DATE, paths) for feed in load_feeds(sample.feeds_file)
    ]
    payloads = []
    for manifest_file in manifests:
        manifest = land.read_manifest(manifest_file)
        payloads.append((manifest.feed_id, land.payload_path(paths, str(manifest.payload_sha256))))
    return Landed(paths, manifests, payloads)


def run_ours(landed: Landed, database: Path) -> int:
    """feedwarehouse.load.raw.load_raw over the landed manifests, into a fresh warehouse file."""
    conn = connect(database)
    try:
        summary = load.load_raw(conn, landed.paths, landed.manifests)
        if summary.failed:
            raise RuntimeError(f"our load failed for {summary.failed}")
        return conn.execute("select count(*) from raw.entries").fetchone()[0]
    finally:
        conn.close()


def run_our_parse(landed: Landed, *, fast_path: bool = True) -> int:
    """Our parse step alone (feedwarehouse.parse.feed.parse_feed), to split our time; with
    fast_path=False every payload takes the feedparser path (the parse before issue 25)."""
    return sum(
        len(parse_feed(payload.read_bytes(), source=feed_id, fast_path=fast_path).entries)
        for feed_id, payload in landed.payloads
    )


def bytes_by_path(landed: Landed) -> dict[str, int]:
    """How many of the payloads' bytes each parse path read (lxml: the fast path)."""
    paths: dict[str, int] = {}
    for feed_id, payload in landed.payloads:
        data = payload.read_bytes()
        path = parse_feed(data, source=feed_id).parsed_by
        paths[path] = paths.get(path, 0) + len(data)
    return paths


def run_feedparser(landed: Landed, database: Path | None) -> tuple[float, int]:
    """A hand-written script: feedparser.parse with defaults, then executemany into DuckDB.

    Returns the parse-only seconds (the caller times the whole) and the rows.
    """
    start = time.perf_counter()
    rows = []
    for feed_id, payload in landed.payloads:
        for e in feedparser.parse(payload.read_bytes()).entries:
            content = e.get("content") or [{}]
            rows.append(
                (
                    feed_id,
                    e.get("id"),
                    e.get("link"),
                    e.get("title"),
                    e.get("author"),
                    e.get("published"),
                    e.get("summary"),
                    content[0].get("value"),
                    [tag.get("term") for tag in e.get("tags", [])],
                )
            )
    parse_seconds = time.perf_counter() - start
    if database is None:
        return parse_seconds, len(rows)
    conn = duckdb.connect(str(database))
    try:
        conn.execute(NAIVE_DDL)
        conn.executemany("insert into entries values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return parse_seconds, conn.execute("select count(*) from entries").fetchone()[0]
    finally:
        conn.close()


def run_dlt(landed: Landed, work: Path) -> int:
    """The generic EL peer: feedparser (defaults) in a dlt resource, merged on guid into DuckDB."""
    import dlt

    def as_json_safe(value: Any) -> Any:
        # feedparser's *_parsed struct_times are not JSON; dlt refuses them as they are
        if isinstance(value, time.struct_time):
            return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
        return value

    @dlt.resource(name="entries", write_disposition="merge", primary_key="guid")
    def entries() -> Iterator[dict[str, Any]]:
        for feed_id, payload in landed.payloads:
            for entry in feedparser.parse(payload.read_bytes()).entries:
                record = {key: as_json_safe(value) for key, value in entry.items()}
                yield {**record, "feed_id": feed_id, "guid": entry.get("id")}

    database = work / "dlt.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="bench_feeds",
        destination=dlt.destinations.duckdb(str(database)),
        dataset_name="raw",
        pipelines_dir=str(work / "pipelines"),
    )
    pipeline.run(entries())
    conn = duckdb.connect(str(database), read_only=True)
    try:
        return conn.execute("select count(*) from raw.entries").fetchone()[0]
    finally:
        conn.close()


def run_lxml(landed: Landed) -> int:
    """The physical limit of XML parsing here: a C parser building the tree, nothing else."""
    from lxml import etree

    rows = 0
    for _, payload in landed.payloads:
        rows += len(etree.fromstring(payload.read_bytes()).findall("channel/item"))
    return rows


def measure(work: Path, *, feeds: int, items: int, runs: int) -> Section:
    """Time every contender `runs` times on the same landing zone."""
    section = Section("1. Parse + load")
    landed = prepare(work, feeds, items)
    megabytes = landed.total_bytes / 1e6

    def fresh(name: str, index: int) -> Path:
        folder = work / "runs" / f"{name}-{index}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    ours_s, ours_all, ours_rows = median_of(
        runs, lambda i: run_ours(landed, fresh("ours", i) / "w.duckdb")
    )
    our_parse_s, our_parse_all, _ = median_of(runs, lambda i: run_our_parse(landed))
    slow_parse_s, slow_parse_all, _ = median_of(
        runs, lambda i: run_our_parse(landed, fast_path=False)
    )
    paths = bytes_by_path(landed)
    parse_only: list[float] = []

    def naive(i: int) -> int:
        seconds, rows = run_feedparser(landed, fresh("naive", i) / "n.duckdb")
        parse_only.append(seconds)
        return rows

    naive_s, naive_all, naive_rows = median_of(runs, naive)
    dlt_s, dlt_all, dlt_rows = median_of(runs, lambda i: run_dlt(landed, fresh("dlt", i)))
    lxml_s, lxml_all, lxml_rows = median_of(max(runs, 5), lambda i: run_lxml(landed))
    parse_s = sorted(parse_only)[len(parse_only) // 2]
    shutil.rmtree(work / "runs", ignore_errors=True)

    counts = {"ours": ours_rows, "feedparser": naive_rows, "dlt": dlt_rows, "lxml": lxml_rows}
    if len(set(counts.values())) != 1:  # a speed figure over different rows means nothing
        raise RuntimeError(f"contenders loaded different row counts: {counts}")
    equal = len(set(counts.values())) == 1
    rate = {
        "ours": ours_rows / ours_s,
        "feedparser_parse_only": naive_rows / parse_s,
        "feedparser_insert": naive_rows / naive_s,
        "dlt": dlt_rows / dlt_s,
        "lxml": lxml_rows / lxml_s,
    }
    section.details = {
        "feeds": feeds,
        "items_per_feed": items,
        "entries": ours_rows,
        "payload_megabytes": round(megabytes, 2),
        "row_counts": counts,
        "row_counts_equal": equal,
        "bytes_by_parse_path": paths,
        "seconds": {
            "ours": ours_all,
            "ours_parse_only": our_parse_all,
            "ours_parse_only_feedparser_path": slow_parse_all,
            "feedparser_parse_plus_insert": naive_all,
            "feedparser_parse_only": parse_only,
            "dlt": dlt_all,
            "lxml": lxml_all,
        },
        "entries_per_s": {k: round(v, 1) for k, v in rate.items()},
        "mb_per_s": {k: round(v * megabytes / ours_rows, 2) for k, v in rate.items()},
    }
    parse_rate = ours_rows / our_parse_s
    shown = ", ".join(f"{path} {size / 1e6:.1f} MB" for path, size in sorted(paths.items()))
    section.notes.append(
        f"Our parse step (parse_feed: the lxml fast path, feedparser where it declines, plus "
        f"JSON of each entry) takes {our_parse_s:.1f} s of our {ours_s:.1f} s "
        f"({our_parse_s / ours_s:.0%}); forced onto the feedparser path it takes "
        f"{slow_parse_s:.1f} s; bare feedparser with its defaults parses the same bytes in "
        f"{parse_s:.1f} s, lxml builds their trees in {lxml_s:.2f} s. Bytes read by each "
        f"parse path: {shown} (of {megabytes:.1f} MB)."
    )
    rows_note = f"rows {counts}" + ("" if equal else " — NOT EQUAL")
    mb = f"{megabytes:.1f} MB"
    section.figures += [
        Figure(section.name, f"entries/s vs bare feedparser + naive insert ({mb})", "entries/s",
               rate["ours"], rate["feedparser_insert"], rate["lxml"],
               rate["ours"] / rate["feedparser_insert"], "ours ÷ peer", "≥ 3×",
               equal and rate["ours"] >= 3 * rate["feedparser_insert"], rows_note, runs),
        Figure(section.name, "entries/s vs bare feedparser, parse only", "entries/s",
               rate["ours"], rate["feedparser_parse_only"], rate["lxml"],
               rate["ours"] / rate["feedparser_parse_only"], "ours ÷ peer", "(info: ≥ 3×)",
               rate["ours"] >= 3 * rate["feedparser_parse_only"],
               "peer does not store anything", runs),
        Figure(section.name, "entries/s vs dlt merge on guid", "entries/s", rate["ours"],
               rate["dlt"], rate["lxml"], rate["ours"] / rate["dlt"], "ours ÷ peer", "≥ 2×",
               equal and rate["ours"] >= 2 * rate["dlt"], rows_note, runs),
        Figure(section.name, "MB/s of the parse step vs lxml.etree.fromstring (limit)", "MB/s",
               parse_rate * megabytes / ours_rows, None, rate["lxml"] * megabytes / ours_rows,
               parse_rate / rate["lxml"], "ours ÷ limit", "≥ 25 % (0.25×)",
               parse_rate >= 0.25 * rate["lxml"],
               f"share of the XML parsing limit; bytes by path: {shown}", runs),
        Figure(section.name, "MB/s vs lxml.etree.fromstring (limit), parse + load", "MB/s",
               rate["ours"] * megabytes / ours_rows, None, rate["lxml"] * megabytes / ours_rows,
               rate["ours"] / rate["lxml"], "ours ÷ limit", "(info: ≥ 25 % (0.25×))",
               rate["ours"] >= 0.25 * rate["lxml"],
               "share of the XML parsing limit of the whole load_raw", runs),
        Figure(section.name, "parse step: fast path vs feedparser path", "entries/s",
               parse_rate, ours_rows / slow_parse_s, rate["lxml"],
               slow_parse_s / our_parse_s, "ours ÷ peer", "", None,
               "peer: parse_feed(fast_path=False), the parse before issue 25", runs),
    ]  # fmt: skip  # Figure's fields grouped
    return section
