"""Run the benchmarks: `python -m bench` (full, rewrites bench/results.*) or `--quick`."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report, sections
from bench.common import in_own_process, machine_info, machine_label

BENCH_DIR = Path(__file__).resolve().parent
FULL = {
    1: {"feeds": 20, "items": 1000, "runs": 3},
    2: {"feeds": 1000, "hosts": 100, "latency": 0.1, "runs": 3},
    3: {"sizes": [10_000, 100_000, 1_000_000], "runs": 3, "slow_s": 600.0},
    4: {"feeds": 50, "items": 10, "runs": 3},
    5: {"sizes": [200, 1000], "items": 10},
    6: {"airflow_days": 30, "cli_days": 365},
}
QUICK = {
    1: {"feeds": 3, "items": 40, "runs": 1},
    2: {"feeds": 50, "hosts": 10, "latency": 0.1, "runs": 1},
    3: {"sizes": [1_000, 5_000], "runs": 1, "slow_s": 600.0},
    4: {"feeds": 3, "items": 5, "runs": 1},
    5: {"sizes": [20], "items": 5},
    6: {"airflow_days": 4, "cli_days": 6},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke check")
    parser.add_argument("--only", help="comma-separated sections to run, e.g. 1,3 (default all)")
    parser.add_argument("--runs", type=int, help="runs per figure (median), overrides defaults")
    parser.add_argument(
        "--sizes", help="section 3 history sizes (e.g. 10000,100000) or section 5 feed counts"
    )
    parser.add_argument(
        "--out", type=Path, help="results folder (default bench/; quick: a tmp dir)"
    )
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)

    settings = QUICK if args.quick else FULL
    numbers = sorted(int(n) for n in args.only.split(",")) if args.only else sorted(settings)
    work = args.work or Path(tempfile.mkdtemp(prefix="feedwarehouse-bench-"))
    quick_out = Path(tempfile.gettempdir()) / "feedwarehouse-bench-quick"
    out = args.out or (quick_out if args.quick else BENCH_DIR)
    machine = machine_info()
    records: list[dict[str, Any]] = []
    failed = False
    for number in numbers:
        options = dict(settings[number])
        if args.runs and "runs" in options:
            options["runs"] = args.runs
        if args.sizes and number in (3, 5):
            options["sizes"] = [int(size) for size in args.sizes.split(",")]
        print(f"[bench] section {number} {options} …", flush=True)
        start = time.perf_counter()
        load_before = os.getloadavg()[0]
        record: dict[str, Any]
        try:
            record = in_own_process(sections.measure, number, work / f"s{number}", options)
        except Exception as exc:  # one section's failure is reported; the others still run
            traceback.print_exc()
            failed = True
            record = {"name": f"{number}. (failed)", "figures": [], "details": {}, "notes": []}
            record["error"] = f"{type(exc).__name__}: {str(exc)[-1500:]}"
        record.update(
            seconds=time.perf_counter() - start,
            options=options,
            # other processes on the machine skew timings: keep the evidence with them
            load_avg_1min={"before": load_before, "after": os.getloadavg()[0]},
            machine=machine_label(machine),
            date=datetime.now(UTC).date().isoformat(),
        )
        records.append(record)
        print(f"[bench] section {number} done in {record['seconds']:.0f} s", flush=True)
        for figure in record["figures"]:
            print(
                f"  {figure['figure']}: ours {_shown(figure['ours'])} {figure['unit']}, "
                f"ratio {figure['ratio'] or 0:.2f} ({figure['ratio_meaning']}), "
                f"target {figure['target'] or '-'} met {figure['met']}"
            )
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "quick": args.quick,
        "machine": machine,
        "sections": records,
    }
    previous = report.load_previous(out / "results.json")
    if args.only:
        results = report.merge(previous, results)
    elif previous and previous.get("comparisons"):
        results["comparisons"] = previous["comparisons"]  # kept until removed by hand
    md_path, json_path = report.write(results, out)
    print(f"[bench] wrote {md_path} and {json_path}")
    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def _shown(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.4g}"


if __name__ == "__main__":
    raise SystemExit(main())
