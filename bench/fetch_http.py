"""Section 2: fetch many feeds from a local server adding 100 ms per response, then refetch (304).

The server runs in its own process on loopback addresses (127.0.0.1, 127.0.0.2, …) so feeds
spread over many hosts as in a real feeds file, and the per-host limit is not the bottleneck.
"""

# The table speaks in multiplication signs and en dashes, as the results file shows them.
# ruff: noqa: RUF001

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import REPO_ROOT, Figure, Section, quiet_env, timed
from feedwarehouse.config import Feed, Paths
from feedwarehouse.extract import feeds as extract
from feedwarehouse.extract import fetch_policy, land
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse_dev.sample import generate_sample

FIRST_DATE = date(2026, 11, 23)
FALLBACK_WORKERS = 8
PREVIOUS_WORKERS = 8  # the shipped max_workers until the pool was sized to the feeds' hosts


class LatencyServer:
    """The latency server as a child process, stopped on exit."""

    def __init__(self, root: Path, hosts: int, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.latency_server", "--root", str(root),
             "--hosts", str(hosts), "--latency", str(latency)],
            cwd=REPO_ROOT, env=quiet_env(), stdout=subprocess.PIPE, text=True,
        )  # fmt: skip  # argv: flags by values
        assert self.process.stdout is not None
        ready = json.loads(self.process.stdout.readline() or "{}")
        if "port" not in ready:
            self.process.kill()
            raise RuntimeError("the latency server did not start")
        self.port: int = ready["port"]
        self.hosts: list[str] = ready["hosts"]

    def url(self, index: int, name: str) -> str:
        return f"http://{self.hosts[index % len(self.hosts)]}:{self.port}/{name}.xml"

    def stats(self, *, reset: bool = False) -> dict[str, Any]:
        base = f"http://{self.hosts[0]}:{self.port}"
        with httpx.Client(trust_env=False) as client:
            stats = client.get(f"{base}/_stats").json()
            if reset:
                client.get(f"{base}/_reset")
        return stats

    def __enter__(self) -> LatencyServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def bench_policy(**overrides: Any) -> FetchPolicy:
    """The shipped default policy, allowed to reach loopback (the bench server lives there)."""
    policy = fetch_policy.default_policy()
    names = {f.name for f in dataclasses.fields(policy)}
    wanted = {"allow_private": True, **overrides}
    return dataclasses.replace(policy, **{k: v for k, v in wanted.items() if k in names})


def extractor() -> tuple[str, Callable[[list[Feed], date, Paths, FetchPolicy], list[Path]]]:
    """The package's concurrent extract if it has one, else a thread pool over extract.extract."""
    if hasattr(extract, "extract_all"):
        return "extract.extract_all", extract.extract_all

    def pooled(feeds: list[Feed], day: date, paths: Paths, policy: FetchPolicy) -> list[Path]:
        with ThreadPoolExecutor(FALLBACK_WORKERS) as pool:
            return list(pool.map(lambda feed: extract.extract(feed, day, paths, policy), feeds))

    return f"ThreadPool({FALLBACK_WORKERS}) over extract.extract", pooled


def concurrency_of(policy: FetchPolicy, hosts: int, how: str) -> int:
    """Requests in flight the client allows: its pool, capped by its per-host limit."""
    workers = getattr(policy, "max_workers", FALLBACK_WORKERS)
    if how != "extract.extract_all":
        workers = FALLBACK_WORKERS
    per_host = getattr(policy, "per_host", workers)
    return min(workers, per_host * hosts)


def fetch_twice(
    server: LatencyServer, feeds: list[Feed], work: Path, policy: FetchPolicy
) -> dict[str, Any]:
    """A first run (all 200) and a next-day run (conditional GETs, all 304) on fresh data."""
    how, extract_all = extractor()
    paths = Paths(work)
    shutil.rmtree(work, ignore_errors=True)
    runs: dict[str, Any] = {}
    for name, day in (("first", FIRST_DATE), ("second", FIRST_DATE + timedelta(days=1))):
        server.stats(reset=True)
        seconds, manifests = timed(lambda day=day: extract_all(feeds, day, paths, policy))
        landed = [land.read_manifest(m) for m in manifests]
        stats = server.stats()
        runs[name] = {
            "seconds": seconds,
            "ok": sum(m.ok for m in landed),
            "statuses": stats["statuses"],
            "peak_in_flight": stats["peak_in_flight"],
        }
    runs["how"] = how
    return runs


def measure(work: Path, *, feeds: int, hosts: int, latency: float, runs: int) -> Section:
    section = Section("2. Fetch")
    sample = generate_sample(work / "feeds", feeds=feeds, items=10)
    shipped = bench_policy()
    # the policy shipped before the pool was sized to the hosts, side by side in the same run
    previous = bench_policy(max_workers=PREVIOUS_WORKERS)
    results: dict[str, list[dict[str, Any]]] = {"default": [], "previous": []}
    with LatencyServer(sample.out_dir, hosts, latency) as server:
        feed_list = [
            Feed(feed.feed_id, server.url(index, feed.feed_id))
            for index, feed in enumerate(sample.feeds)
        ]
        for index in range(runs):
            results["default"].append(fetch_twice(server, feed_list, work / f"d{index}", shipped))
            results["previous"].append(fetch_twice(server, feed_list, work / f"t{index}", previous))
            shutil.rmtree(work / f"d{index}", ignore_errors=True)
            shutil.rmtree(work / f"t{index}", ignore_errors=True)
    section.details = {"feeds": feeds, "hosts": hosts, "latency_s": latency, "runs": results}
    for label, policy in (("default", shipped), ("previous", previous)):
        how = results[label][0]["how"]
        concurrency = concurrency_of(policy, hosts, how)
        ideal = feeds * latency / concurrency
        first = _median([r["first"]["seconds"] for r in results[label]])
        second = _median([r["second"]["seconds"] for r in results[label]])
        last = results[label][-1]
        knobs = f"{how}, concurrency {concurrency} (peak seen {last['first']['peak_in_flight']})"
        policy_name = (
            "shipped policy" if label == "default" else f"max_workers={PREVIOUS_WORKERS} (before)"
        )
        section.figures += [
            Figure(section.name,
                   f"{feeds} feeds, first run (200s), {policy_name}", "s", first, None, ideal,
                   first / ideal, "ours ÷ ideal", "≤ 3×", first <= 3 * ideal,
                   f"{feeds / first:.0f} req/s; {knobs}; statuses {last['first']['statuses']}",
                   runs),
            Figure(section.name,
                   f"{feeds} feeds, second run (304s), {policy_name}", "s", second, None, ideal,
                   second / ideal, "ours ÷ ideal", "< 5 s", second < 5,
                   f"{feeds / second:.0f} req/s; statuses {last['second']['statuses']}", runs),
        ]  # fmt: skip  # Figure's fields grouped
    return section


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
