"""Write results.json (everything measured) and results.md (the table and how to reproduce)."""

# The table speaks in multiplication signs and en dashes, as the results file shows them.
# ruff: noqa: RUF001

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPRODUCE = """\
## How to reproduce

```
make bench                                  # full run, rewrites bench/results.{md,json}
uv run --frozen --group bench python -m bench --quick       # smoke check, small sizes
uv run --frozen --group bench python -m bench --only 3      # one section, merged into results
uv run --frozen --group bench python -m bench --only 3 --sizes 10000,100000
```
Data comes from `feedwarehouse_dev.sample.generate_sample` (seed 42) and, for section 3's history,
from DuckDB `range()`; the HTTP server is `bench/latency_server.py` on loopback addresses only.
Every figure is the median of the runs shown, its ratio taken against a reference measured in
the same session on the same machine.
"""


def load_previous(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def merge(previous: dict[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """Sections measured now replace the same-numbered sections of a previous results file.

    Sections are keyed by their number, so a good run of a section replaces its failed record
    ("3. (failed)") as well as its earlier good one ("3. Growth").
    """
    if previous is None:
        return current
    # side-by-side comparisons (bench.compare) stay until removed by hand
    current = {**current, "comparisons": previous.get("comparisons", [])}
    fresh = {_number(section) for section in current["sections"]}
    kept = [s for s in previous.get("sections", []) if _number(s) not in fresh]
    merged = dict(current)
    merged["sections"] = sorted(kept + current["sections"], key=_number)
    return merged


def _number(section: dict[str, Any]) -> int:
    """A section's number: the "3" of "3. Growth" and of "3. (failed)"."""
    return int(section["name"].split(".", 1)[0])


def write(results: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "results.json", out_dir / "results.md"
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return md_path, json_path


def markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['ram_gib']} GiB "
        f"RAM, {machine['os']}; Python {machine['python']}, DuckDB {machine['duckdb']}, "
        f"feedparser {machine['feedparser']}, dlt {machine['dlt']}, lxml {machine['lxml']}, "
        f"Airflow {machine['airflow']}, dbt-duckdb {machine['dbt_duckdb']}.",
        f"Last written {results['generated_at']} by `{results['command']}`"
        + (" (quick: small sizes, a smoke check only)" if results.get("quick") else "")
        + f"; sections took {_duration(results)}.",
        "",
        "| figure | ours | peer | limit | ratio | target | met | machine | date |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for section in results["sections"]:
        for f in section.get("figures", []):
            lines.append(
                f"| {section['name'][:2]} {f['figure']} | {_value(f['ours'], f['unit'])} | "
                f"{_value(f['peer'], f['unit'])} | {_value(f['limit'], f['unit'])} | "
                f"{_ratio(f)} | {f['target'] or '–'} | {_met(f['met'])} | "
                f"{section['machine']} | {section['date']} |"
            )
        if section.get("error"):
            lines.append(f"| {section['name']} | failed: see below | | | | | ✗ | | |")
    lines.append("")
    for section in results["sections"]:
        lines += [f"## {section['name']}", ""]
        lines += [f"- {f['figure']}: {f['note']} ({f['runs']} runs)" for f in section["figures"]]
        lines += [f"- {note}" for note in section.get("notes", [])]
        if section.get("error"):
            lines.append(f"- **failed**: `{section['error']}`")
        load = section.get("load_avg_1min")
        busy = (
            f"; 1-min load average {load['before']:.1f} before, {load['after']:.1f} after "
            f"(on {section['machine'].split(' CPU')[0]} CPUs)"
            if load
            else ""
        )
        lines += [f"- measured in {section['seconds']:.0f} s{busy}", ""]
    for comparison in results.get("comparisons", []):
        lines += [f"## Before and after: {comparison['title']}", ""]
        lines += ["| what | before | after | after ÷ before |", "| --- | --- | --- | --- |"]
        lines += [f"| {' | '.join(row)} |" for row in comparison["rows"]]
        lines += ["", *[f"- {note}" for note in comparison["notes"]], ""]
    return "\n".join(lines) + "\n" + REPRODUCE


def _duration(results: dict[str, Any]) -> str:
    total = sum(section.get("seconds", 0) for section in results["sections"])
    return f"{total / 60:.1f} min"


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "s":
        return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"
    if unit == "MB/s":
        return f"{value:.2f} MB/s" if value < 10 else f"{value:.0f} MB/s"
    return f"{value:,.0f} {unit}"


def _ratio(figure: dict[str, Any]) -> str:
    if figure["ratio"] is None:
        return "–"
    return f"{figure['ratio']:.2f}× ({figure['ratio_meaning']})"


def _met(met: bool | None) -> str:
    return "–" if met is None else ("✓" if met else "✗")
