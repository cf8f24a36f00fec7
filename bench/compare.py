"""Put two bench runs side by side in bench/results.{md,json}: code before and after a change.

python -m bench.compare BEFORE.json AFTER.json --title "…" [--out bench/]

Both files are results.json files written by `python -m bench` (the "before" one from a checkout
of the older commit). Every figure measured in both, and section 3's median step times, become
one row each: before, after and after ÷ before. The comparison is kept in results.json and
carried over by later runs until it is removed by hand.
"""

# The table speaks in multiplication signs and en dashes, as the results file shows them.
# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from bench import report

BENCH_DIR = Path(__file__).resolve().parent


def rows(before: dict[str, Any], after: dict[str, Any]) -> list[list[str]]:
    """(what, before, after, after ÷ before) for everything both runs measured."""
    found: list[list[str]] = []
    old = {(s["name"], f["figure"]): f for s in before["sections"] for f in s["figures"]}
    # a section carried over unchanged from an older results file was measured by neither
    carried = [s for s in after["sections"] if s in before["sections"]]
    for section in after["sections"]:
        if section in carried:
            continue
        for figure in section["figures"]:
            previous = old.get((section["name"], figure["figure"]))
            if previous and figure["unit"] == previous["unit"]:
                found.append(
                    _row(figure["figure"], previous["ours"], figure["ours"], figure["unit"])
                )
    steps_before = _steps(before)
    steps_after = _steps({"sections": [s for s in after["sections"] if s not in carried]})
    for (size, step), seconds in steps_after.items():
        if (size, step) in steps_before:
            label = f"{size:,} posts: {step}"
            found.append(_row(label, steps_before[(size, step)], seconds, "s"))
    return found


def _row(label: str, before: float, after: float, unit: str) -> list[str]:
    ratio = f"{after / before:.2f}×" if before else "–"
    return [label, report._value(before, unit), report._value(after, unit), ratio]


def _steps(results: dict[str, Any]) -> dict[tuple[int, str], float]:
    """Section 3's median seconds per step of the daily run, per history size."""
    medians: dict[tuple[int, str], float] = {}
    for section in results["sections"]:
        for size, measured in section.get("details", {}).get("sizes", {}).items():
            daily = measured.get("daily", [])
            for step in daily[0]["steps"] if daily else []:
                values = [run["steps"].get(step, 0.0) for run in daily]
                medians[(int(size), step)] = statistics.median(values)
    return medians


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--title", required=True)
    parser.add_argument("--note", action="append", default=[], help="a line under the table")
    parser.add_argument("--out", type=Path, default=BENCH_DIR)
    args = parser.parse_args(argv)
    before = json.loads(args.before.read_text(encoding="utf-8"))
    after = json.loads(args.after.read_text(encoding="utf-8"))
    results = report.load_previous(args.out / "results.json") or after
    results.setdefault("comparisons", []).append(
        {"title": args.title, "rows": rows(before, after), "notes": args.note}
    )
    md_path, json_path = report.write(results, args.out)
    print(f"wrote {md_path} and {json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
