"""Compares this run's figures (bench/results.json, written by the benchmarks through
common.report) with bench/baseline.json: a ratio (value / floor) more than 20 % above its
baseline is a regression, and the exit status says so. Timings alone are not compared: they
depend on the machine; the ratio to the same work done bare depends far less.

    .venv/bin/python bench/check.py            # after the benchmarks (make bench does both)
    .venv/bin/python bench/check.py --update   # take this run as the new baseline
"""

from __future__ import annotations

import argparse
import json
import sys

from common import RESULTS, ROOT

BASELINE = ROOT / "bench" / "baseline.json"
TOLERANCE = 1.20


def ratios(figures: dict) -> dict[str, float]:
    return {
        name: figure["value"] / figure["floor"]
        for name, figure in figures.items()
        if figure.get("floor")
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--update", action="store_true", help="write this run as the baseline")
    args = parser.parse_args()
    if not RESULTS.exists():
        print("No bench/results.json: run the benchmarks first (make bench).")
        return 1
    now = ratios(json.loads(RESULTS.read_text()))
    if args.update:
        BASELINE.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"{len(now)} ratios written to {BASELINE.relative_to(ROOT)}.")
        return 0
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    worse = []
    for name in sorted(now):
        before = baseline.get(name)
        mark = ""
        if before is not None and now[name] > before * TOLERANCE:
            worse.append(name)
            mark = "  <-- more than 20 % worse"
        shown = f"{before:.2f}" if before is not None else "new"
        print(f"{name}: ratio {now[name]:.2f} (baseline {shown}){mark}")
    if worse:
        print(f"{len(worse)} ratio(s) regressed by more than 20 %: {', '.join(worse)}")
        return 1
    print("No ratio regressed by more than 20 % against bench/baseline.json.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
