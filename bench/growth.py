"""Section 3: the daily run's cost as history grows (10k, 100k, 1M posts), and a full refresh.

History is written straight into raw.fetches / raw.entries with DuckDB's range(): one fetch per
feed per day, ENTRIES_PER_FETCH distinct posts each, for the sample's 50 feed ids. Generating
XML for a million posts would take longer than the benchmark itself and measure nothing new.
Then one `dbt build` turns it into marts, validated and published (untimed), and each daily run
is timed in a fresh process (bench.growth_worker) for its wall time and peak RSS. A run whose
sizes reach 1,000,000 posts also measures one daily run on MEMORY_SIZE posts, for memory.
"""

# The table speaks in multiplication signs and en dashes, as the results file shows them.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import shutil
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import Figure, Section, quiet_env, run_json_child, timed
from feedwarehouse import tables
from feedwarehouse.config import Paths
from feedwarehouse.warehouse import connect, duckdb_config
from feedwarehouse_dev.sample import generate_sample

FEEDS = 50
ENTRIES_PER_FETCH = 10
ITEMS_PER_DAILY_FEED = 10
FIRST_DAY = date(2026, 11, 23)  # history ends the day before
WORKER_TIMEOUT_S = 3600
MEMORY_SIZE = 3_000_000  # one daily run on this much history: peak RSS past the 1M target
RSS_LIMIT_MB = 1024  # issue 15: the daily run at 1M posts within 1 GB

# raw column -> SQL over (f: feed number, d: days back, k: entry index, n: post number)
FETCH_COLUMNS = {
    "fetch_id": "md5(feed_id || '|' || strftime(logical_date, '%Y-%m-%d'))",
    "feed_id": "feed_id",
    "url": "'https://' || feed_id || '.example.com/feed/'",
    "logical_date": "logical_date",
    "fetched_at": "logical_date + interval 6 hour",
    "http_status": "200",
    "etag": "'\"' || md5(feed_id || d) || '\"'",
    "payload_sha256": "md5(feed_id || d) || md5(d || feed_id)",
    "payload_bytes": "32000",
    "entry_count": f"{ENTRIES_PER_FETCH}",
    "feed_title": "'Sample Blog ' || (f + 1)",
    "feed_link": "'https://' || feed_id || '.example.com'",
    "feed_language": "'en-US'",
    "is_unchanged": "false",
    "fetch_mode": "'live'",
    "page_count": "1",
    "content_type": "'application/rss+xml; charset=UTF-8'",
}
ENTRY_COLUMNS = {
    "fetch_id": "md5(feed_id || '|' || strftime(logical_date, '%Y-%m-%d'))",
    "feed_id": "feed_id",
    "logical_date": "logical_date",
    "entry_index": "k",
    "guid": "site || '/?p=h' || n",
    "link": "site || '/archive/' || n || '/'",
    "title": "'Archived post ' || n || ': ' || tech || ' for ' || app",
    "author": "['Dana Okafor', 'Tomer Levin', 'Maya Marquez', 'Arjun Iyer'][n % 4 + 1]",
    "published": "strftime(published_at, '%a, %d %b %Y %H:%M:%S +0000')",
    "published_at": "published_at",
    "categories": "['WebRTC', tech, app]",
    "summary": "'Why ' || tech || ' matters for ' || app || ' in post ' || n || ' [&#8230;]'",
    "content": (
        "'<h2>Where we are today</h2><p>' || repeat(tech || ' keeps coming up with teams "
        "building ' || app || '. ', 8) || '</p><ul><li><strong>' || tech || '</strong> &#8211; "
        "worth testing early</li><li>' || app || '</li></ul><p>' || repeat('Measure first: "
        "packet loss, round-trip time &amp; CPU use tell you more than any benchmark. ', 6) || "
        "'</p><p>The post <a href=\"' || site || '/archive/' || n || '/\">Archived post ' || n || "
        "'</a> appeared first on Sample Blog.</p>'"
    ),
    "comments_count": "n % 17",
    "enclosure_count": "0",
    "entry_json": "json_object('id', site || '/?p=h' || n, 'title', 'Archived post ' || n)",
}
GRID = """
with grid as (
    select f, d,
        case when f = 0 then 'webrtc-blog' else 'sample-blog-' || (f + 1) end as feed_id,
        cast(? as date) - cast(d as integer) as logical_date
    from range({feeds}) t1(f), range(1, {days} + 1) t2(d)
)
"""
ENTRY_GRID = """
, posts as (
    select grid.*, k, d * {per_fetch} + k as n,
        'https://' || feed_id || '.example.com' as site,
        logical_date + interval 12 hour - k * interval 1 hour as published_at,
        ['SFU', 'TURN', 'AV1', 'WHIP', 'simulcast', 'Opus', 'SVC'][(d + k) % 7 + 1] as tech,
        ['video conferencing', 'live streaming', 'telehealth visits'][k % 3 + 1] as app
    from grid, range({per_fetch}) t3(k)
)
"""


def build_history(paths: Paths, posts: int) -> dict[str, Any]:
    """Write `posts` synthetic posts of history into a fresh warehouse's raw tables."""
    days = max(1, posts // (FEEDS * ENTRIES_PER_FETCH))
    conn = connect(paths.warehouse)
    try:
        tables.ensure_schema(conn)
        grid = GRID.format(feeds=FEEDS, days=days)
        for table, columns, extra in (
            ("fetches", FETCH_COLUMNS, ""),
            ("entries", ENTRY_COLUMNS, ENTRY_GRID.format(per_fetch=ENTRIES_PER_FETCH)),
        ):
            present = {
                row[0]
                for row in conn.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'raw' and table_name = ?",
                    [table],
                ).fetchall()
            }
            wanted = {name: sql for name, sql in columns.items() if name in present}
            source = "posts" if extra else "grid"
            conn.execute(
                f"{grid}{extra} insert into raw.{table} ({', '.join(wanted)}) "  # noqa: S608
                f"select {', '.join(wanted.values())} from {source}",
                [FIRST_DAY],
            )
        entries = conn.execute("select count(*) from raw.entries").fetchone()[0]
    finally:
        conn.close()
    return {"days": days, "raw_entries": entries}


def worker(
    mode: str, data_dir: Path, log: Path, feeds: Path | None = None, day: date | None = None
):
    args = [sys.executable, "-m", "bench.growth_worker", mode, "--data-dir", str(data_dir)]
    if feeds is not None:
        args += ["--feeds", str(feeds)]
    if day is not None:
        args += ["--date", day.isoformat()]
    result = run_json_child(args, env=quiet_env(), log=log, timeout=WORKER_TIMEOUT_S)
    if mode != "dbt" and not result.get("ok"):
        raise RuntimeError(f"{mode} run for {day} did not publish: {result}; see {log}")
    return result


def measure(work: Path, *, sizes: list[int], runs: int, slow_s: float) -> Section:
    """Daily runs on each history size (median of `runs`), then a full refresh at the top size."""
    section = Section("3. Growth")
    daily_feeds = [
        generate_sample(
            work / f"day-{r}",
            feeds=FEEDS,
            items=ITEMS_PER_DAILY_FEED,
            end_date=FIRST_DAY + timedelta(days=r),
        ).feeds_file
        for r in range(runs + 1)
    ]
    measured: dict[int, dict[str, Any]] = {}
    for size in sizes:
        measured[size] = measure_size(
            work, size, runs, slow_s, daily_feeds, section, full=size == sizes[-1]
        )
        if measured[size]["daily_s"] > slow_s and size != sizes[-1]:
            skipped = [s for s in sizes if s > size]
            section.notes.append(f"sizes {skipped} skipped: the {size:,} daily run was too slow")
            break
    memory: dict[str, Any] | None = None
    memory_error = ""
    if max(measured) >= 1_000_000 and max(measured) < MEMORY_SIZE:
        try:
            memory = measure_size(work, MEMORY_SIZE, 1, slow_s, daily_feeds, section, full=False)
        except RuntimeError as exc:  # a child failed: a miss with its cause; the rest is kept
            memory_error = _cause(str(exc))
            shutil.rmtree(work / f"history-{MEMORY_SIZE}", ignore_errors=True)
    section.details = {"feeds": FEEDS, "entries_per_fetch": ENTRIES_PER_FETCH, "sizes": measured}
    if memory is not None:
        section.details["memory_size"] = {MEMORY_SIZE: memory}
    base_size = min(measured)
    base = measured[base_size]
    for size, m in measured.items():
        target = "≤ 2×" if size == max(measured) and size != base_size else ""
        ratio = m["daily_s"] / base["daily_s"]
        steps = ", ".join(f"{k} {v:.1f}" for k, v in _median_steps(m["daily"]).items())
        section.figures.append(
            Figure(section.name, f"daily run, {size:,} posts of history", "s", m["daily_s"],
                   None, base["daily_s"], ratio, f"ours ÷ {base_size:,}-post run", target,
                   (ratio <= 2) if target else None,
                   f"peak RSS {m['daily_peak_rss_mb']:.0f} MB; median steps (s): {steps}",
                   len(m["daily"]))
        )  # fmt: skip  # Figure's fields grouped
    section.notes.append(step_growth_note(measured))
    top = measured[max(measured)]
    rss_ratio = top["daily_peak_rss_mb"] / base["daily_peak_rss_mb"]
    rss_target = max(measured) >= 1_000_000
    section.figures.append(
        Figure(section.name, f"peak RSS of the daily run, {max(measured):,} posts", "MB",
               top["daily_peak_rss_mb"], None, base["daily_peak_rss_mb"], rss_ratio,
               f"ours ÷ {base_size:,}-post run", f"≤ {RSS_LIMIT_MB:,} MB" if rss_target else "",
               (top["daily_peak_rss_mb"] <= RSS_LIMIT_MB) if rss_target else None,
               f"DuckDB memory_limit {duckdb_config()['memory_limit']}", len(top["daily"]))
    )  # fmt: skip  # Figure's fields grouped
    if memory is not None:
        section.figures.append(memory_figure(section.name, memory, max(measured), top))
    elif memory_error:
        section.figures.append(
            Figure(section.name, f"peak RSS of the daily run, {MEMORY_SIZE:,} posts", "MB", None,
                   target=f"≤ {RSS_LIMIT_MB:,} MB", met=False,
                   note=f"not measured: building its history failed: {memory_error}")
        )  # fmt: skip  # Figure's fields grouped
    if "full" in top:
        full = top["full"]
        section.figures.append(
            Figure(section.name, f"full refresh (--full-refresh), {max(measured):,} posts", "s",
                   full["seconds"], None, top["daily_s"], full["seconds"] / top["daily_s"],
                   "full ÷ daily run", "", None,
                   f"peak RSS {full['peak_rss_mb']:.0f} MB; steps (s): "
                   + ", ".join(f"{k} {v:.1f}" for k, v in full["steps"].items()), 1)
        )  # fmt: skip  # Figure's fields grouped
    return section


def measure_size(
    work: Path,
    size: int,
    runs: int,
    slow_s: float,
    daily_feeds: list[Path],
    section: Section,
    *,
    full: bool,
) -> dict[str, Any]:
    """History of `size` posts, bootstrapped; `runs` daily runs (and a full refresh if `full`)."""
    paths = Paths(work / f"history-{size}")
    shutil.rmtree(paths.data_dir, ignore_errors=True)
    history_s, history = timed(lambda: build_history(paths, size))
    # history built, validated and published: each daily run starts from a BI file
    bootstrap = worker(
        "dbt",
        paths.data_dir,
        work / "logs" / f"{size}-bootstrap.log",
        day=FIRST_DAY - timedelta(days=1),
    )
    daily = []
    for r in range(runs):
        day = FIRST_DAY + timedelta(days=r)
        log = work / "logs" / f"{size}-daily-{r}.log"
        daily.append(worker("daily", paths.data_dir, log, daily_feeds[r], day))
        if daily[-1]["seconds"] > slow_s:
            section.notes.append(
                f"{size:,} posts: a daily run took {daily[-1]['seconds']:.0f} s "
                f"(> {slow_s:.0f} s), so it was run {len(daily)} time(s) only"
            )
            break
    result = {
        "history": history,
        "history_insert_s": round(history_s, 2),
        "bootstrap_build_s": round(bootstrap["seconds"], 2),
        "bootstrap_peak_rss_mb": round(bootstrap["peak_rss_mb"]),
        "daily": daily,
        "daily_s": statistics.median(r["seconds"] for r in daily),
        "daily_peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in daily),
        "warehouse_mb": round(paths.warehouse.stat().st_size / 1e6),
        # after the daily runs' publishes: a file updated in place must not keep growing
        "published_mb": round(paths.published.stat().st_size / 1e6),
    }
    if full:
        log = work / "logs" / f"{size}-full.log"
        result["full"] = worker(
            "full", paths.data_dir, log, daily_feeds[runs], FIRST_DAY + timedelta(days=runs)
        )
    shutil.rmtree(paths.data_dir, ignore_errors=True)
    return result


def memory_figure(
    section: str, memory: dict[str, Any], top_size: int, top: dict[str, Any]
) -> Figure:
    """Peak RSS of one daily run on MEMORY_SIZE posts against the largest timed history."""
    steps = ", ".join(f"{k} {v:.1f}" for k, v in memory["daily"][0]["steps"].items())
    return Figure(
        section, f"peak RSS of the daily run, {MEMORY_SIZE:,} posts", "MB",
        memory["daily_peak_rss_mb"], None, top["daily_peak_rss_mb"],
        memory["daily_peak_rss_mb"] / top["daily_peak_rss_mb"], f"ours ÷ {top_size:,}-post run",
        f"≤ {RSS_LIMIT_MB:,} MB", memory["daily_peak_rss_mb"] <= RSS_LIMIT_MB,
        f"daily run {memory['daily_s']:.0f} s ({memory['daily_s'] / top['daily_s']:.2f}× the "
        f"{top_size:,}-post run); warehouse {memory['warehouse_mb']:,} MB; steps (s): {steps}", 1,
    )  # fmt: skip  # Figure's fields grouped


def _cause(error: str) -> str:
    """Why a child failed, from its log: dbt's failing node and the database's error."""
    lines = [line.strip() for line in error.splitlines()]
    failures = [line.split(":", 2)[-1].strip() for line in lines if "Failure in " in line]
    errors = [line for line in lines if re.match(r"[A-Z][A-Za-z ]* Error: ", line)]
    return "; ".join(dict.fromkeys(failures[:1] + errors[:1])) or (lines[-1] if lines else "?")


def _median_steps(runs: list[dict[str, Any]]) -> dict[str, float]:
    names = runs[0]["steps"]
    return {name: statistics.median(run["steps"].get(name, 0.0) for run in runs) for name in names}


def step_growth_note(measured: dict[int, dict[str, Any]]) -> str:
    """Which steps of the daily run carry the growth from the smallest to the largest history."""
    low, high = min(measured), max(measured)
    before, after = _median_steps(measured[low]["daily"]), _median_steps(measured[high]["daily"])
    growth = sorted(
        ((after.get(name, 0.0) - seconds, name) for name, seconds in before.items()), reverse=True
    )
    total = measured[high]["daily_s"] - measured[low]["daily_s"]
    parts = [
        f"{name} {before[name]:.1f} → {after.get(name, 0.0):.1f} s"
        for delta, name in growth
        if delta > 0.05 * max(total, 1e-9)
    ]
    return (
        f"From {low:,} to {high:,} posts of history the daily run grows by {total:.0f} s: "
        + "; ".join(parts)
        + ". A flat daily cost needs each of these to touch only the day's rows."
    )
