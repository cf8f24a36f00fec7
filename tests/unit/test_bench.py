"""The benchmark code measures what it claims: same rows for every contender, real 304s.

Tiny sizes only; no timing is asserted. dlt and lxml come with the `bench` dependency group,
not installed for `make test`: `make bench` itself refuses results whose row counts differ.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

# bench/ is a top-level folder beside the package, not installed with it
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import compare, fetch_http, parse_load, report


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> parse_load.Landed:
    return parse_load.prepare(tmp_path_factory.mktemp("bench"), feeds=2, items=6)


def test_ours_and_bare_feedparser_load_the_same_rows(
    landed: parse_load.Landed, tmp_path: Path
) -> None:
    ours = parse_load.run_ours(landed, tmp_path / "ours.duckdb")
    _, naive = parse_load.run_feedparser(landed, tmp_path / "naive.duckdb")
    assert ours == naive == parse_load.run_our_parse(landed) == 12


def test_latency_server_answers_a_matching_etag_with_304(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(b"<rss/>")
    with (
        fetch_http.LatencyServer(tmp_path, hosts=2, latency=0.0) as server,
        httpx.Client(trust_env=False) as client,
    ):
        first = client.get(server.url(1, "a"))
        again = client.get(server.url(0, "a"), headers={"If-None-Match": first.headers["etag"]})
        missing = client.get(server.url(0, "b"))
        stats = server.stats()
    assert (first.status_code, first.content) == (200, b"<rss/>")
    assert (again.status_code, again.content) == (304, b"")
    assert missing.status_code == 404
    assert stats["statuses"] == {"200": 1, "304": 1, "404": 1}


def test_merge_keeps_sections_not_measured_again() -> None:
    previous = {"sections": [{"name": "1. Parse + load"}, {"name": "3. Growth", "old": True}]}
    current = {"generated_at": "now", "sections": [{"name": "3. Growth"}]}
    merged = report.merge(previous, current)
    assert [s["name"] for s in merged["sections"]] == ["1. Parse + load", "3. Growth"]
    assert "old" not in merged["sections"][1]


def test_merge_replaces_a_failed_section_by_its_number() -> None:
    previous = {
        "sections": [
            {"name": "10. Later"},
            {"name": "3. (failed)", "error": "MemoryError"},
            {"name": "2. Fetch"},
        ]
    }
    current = {"generated_at": "now", "sections": [{"name": "3. Growth"}]}
    merged = report.merge(previous, current)
    assert merged["sections"] == [
        {"name": "2. Fetch"},
        {"name": "3. Growth"},
        {"name": "10. Later"},
    ]
    # and the other way round: a failed rerun replaces the good record it could not repeat
    failed = report.merge(merged, {"generated_at": "now", "sections": [previous["sections"][1]]})
    assert [s["name"] for s in failed["sections"]] == ["2. Fetch", "3. (failed)", "10. Later"]


def growth_run(publish_s: float, daily_s: float) -> dict:
    steps = [{"steps": {"publish_marts": publish_s}} for _ in range(3)]
    figure = {"figure": "daily run, 10,000 posts of history", "unit": "s", "ours": daily_s}
    other = {"figure": "only measured here", "unit": "s", "ours": 1.0}
    return {
        "sections": [
            {
                "name": "3. Growth",
                "figures": [figure, other],
                "details": {"sizes": {"10000": {"daily": steps}}},
            }
        ]
    }


def test_compare_puts_the_same_figures_side_by_side() -> None:
    before, after = growth_run(2.0, 40.0), growth_run(0.5, 30.0)
    after["sections"][0]["figures"].pop()
    carried = {"name": "1. Parse + load", "figures": [{"figure": "x", "unit": "s", "ours": 1.0}]}
    before["sections"].append(carried)
    after["sections"].append(carried)  # measured by neither run: left out
    assert compare.rows(before, after) == [
        ["daily run, 10,000 posts of history", "40 s", "30 s", "0.75\u00d7"],
        ["10,000 posts: publish_marts", "2.00 s", "0.50 s", "0.25\u00d7"],
    ]


def test_comparisons_are_kept_and_shown_by_later_runs() -> None:
    previous = {
        "sections": [],
        "comparisons": [{"title": "t", "rows": [["a", "1", "2", "2x"]], "notes": ["n"]}],
    }
    current = {"generated_at": "now", "sections": []}
    assert report.merge(previous, current)["comparisons"] == previous["comparisons"]


def test_a_child_reports_its_own_peak_rss_not_its_parents() -> None:
    """ru_maxrss carries a parent's peak into its child across fork and exec: section 3 once
    read 1,520 MB for every run, the peak of the bench process that started them."""
    held = bytearray(400 * 1024 * 1024)
    held[::4096] = b"\1" * len(held[::4096])  # resident, not only reserved
    code = "from bench.growth_worker import peak_rss_mb; print(peak_rss_mb())"
    child = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert len(held) == 400 * 1024 * 1024
    assert 0 < float(child.stdout) < 300  # the interpreter and the package, not the 400 MB


def test_a_section_runs_in_its_own_process_and_its_error_comes_back() -> None:
    from bench.common import in_own_process

    child = in_own_process(os.getpid)
    assert isinstance(child, int)
    assert child != os.getpid()
    with pytest.raises(FileNotFoundError, match="no-such-file-for-the-bench"):
        in_own_process(os.stat, "/no-such-file-for-the-bench")
