"""Validation of shailoo.forensics on real elections in ../shared/data.

    .venv/bin/python bench/validate_real.py [--replicates 1000]

Whole-percent heaping (Kobak, Shpilkin, Pshenichnikov 2016) must reproduce the published excess
of 1,003 stations for the 2011 Duma election within Monte-Carlo error, and the clean controls
(Bulgaria July 2021, Georgia 2024) must stay within 3 standard deviations. Every other test of the
battery is run and reported beside it. The election-level alarm (Holm over the calibrated tests
at a family-wise level of 0.01) must be raised on Russia 2011 and stay silent on both controls.
Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "forensics"))

from forensics_helpers import data_dir  # noqa: E402

from shailoo.forensics import run  # noqa: E402
from shailoo.io.sources import read_source  # noqa: E402

#: published whole-percent excess of the 2011 Duma election (Kobak et al. 2016)
RUSSIA_2011_PUBLISHED = 1003

ELECTIONS = [
    ("russia", ("russia", "2011.csv.zip"), "Russia 2011 Duma"),
    ("russia", ("russia", "2012.csv.zip"), "Russia 2012 presidential"),
    ("russia", ("russia", "2018.csv.zip"), "Russia 2018 presidential"),
    ("russia", ("russia", "2020.csv.zip"), "Russia 2020 referendum"),
    ("russia", ("russia", "2021.csv.zip"), "Russia 2021 Duma"),
    ("russia", ("russia", "2024.csv.zip"), "Russia 2024 presidential"),
    ("bulgaria", ("bulgaria-2021-07",), "Bulgaria July 2021 (clean control)"),
    ("georgia", ("georgia-2024",), "Georgia 2024 (clean control for heaping)"),
    ("uganda", ("uganda-2011",), "Uganda 2011"),
]


def main() -> int:
    """Run the battery on every real election present and check the published figures."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    failures = []
    base = data_dir()
    print(f"data: {base}; {args.replicates} replicates, seed {args.seed}\n")
    for source, parts, label in ELECTIONS:
        path = base.joinpath(*parts)
        if not path.exists():
            print(f"{label}: absent ({path})")
            continue
        t0 = time.perf_counter()
        table = read_source(source, path)
        t1 = time.perf_counter()
        rep = run(table, replicates=args.replicates, seed=args.seed)
        t2 = time.perf_counter()
        h = rep.test("whole_percent").details
        fp = rep.test("fingerprint").details
        turnout = table.turnout
        share = table.share(rep.leader)
        corner = float(np.mean((turnout > 0.95) & (share > 0.95)))
        print(f"{label}: {len(table):,} stations, leader {rep.leader[:50]}")
        print(f"  read {t1 - t0:.1f} s, battery {t2 - t1:.1f} s")
        print(
            f"  whole percent: observed {h['observed']:,} of {h['stations']:,}, expected "
            f"{h['expected']:.1f} (exact {h['expected_exact']:.1f}), sd {h['sd']:.1f}, excess "
            f"{h['observed'] - h['expected']:+.1f} ({h['z']:+.2f} sd); turnout part "
            f"{h['observed_turnout'] - h['expected_turnout']:+.0f}, leader part "
            f"{h['observed_leader'] - h['expected_leader']:+.0f}"
        )
        print(
            f"  fingerprint: f_i {fp['f_incremental']:.2f} {tuple(round(x, 3) for x in fp['ci_incremental'])}, "
            f"f_e {fp['f_extreme']:.3f} {tuple(round(x, 3) for x in fp['ci_extreme'])}; "
            f"stations with turnout and leader both > 95 %: {100 * corner:.2f} %"
        )
        for t in rep.tests:
            p = "" if t.p_value is None else f", p {t.p_value:.3g}"
            if t.p_adjusted is not None:
                p += f", Holm {t.p_adjusted:.3g}"
            mark = (
                ("ALARM" if t.alarm else "quiet")
                if t.calibrated
                else ("note " if t.noted else "info ")
            )
            print(f"  [{mark}] {t.name}: {t.statistic:.4g}{p}")
        print(f"  election-level alarm: {'yes' if rep.alarm else 'none'}")
        excess = h["observed"] - h["expected"]
        if label.startswith("Russia 2011"):
            se_mean = h["sd"] / np.sqrt(args.replicates)
            diff = excess - RUSSIA_2011_PUBLISHED
            ok = abs(diff) <= 2 * h["sd"]
            print(
                f"  CHECK published excess {RUSSIA_2011_PUBLISHED}: ours {excess:.1f}, difference "
                f"{diff:+.1f} = {diff / h['sd']:+.2f} null sd = {diff / se_mean:+.2f} Monte-Carlo "
                f"standard errors of our mean -> {'pass' if ok else 'FAIL'}"
            )
            if not ok:
                failures.append(label)
            print(f"  CHECK election-level alarm raised: {'pass' if rep.alarm else 'FAIL'}")
            if not rep.alarm:
                failures.append(label + " (alarm)")
        if "clean control" in label:
            print(f"  CHECK no election-level alarm: {'FAIL' if rep.alarm else 'pass'}")
            if rep.alarm:
                failures.append(label + " (alarm)")
            ok = abs(h["z"]) <= 3
            print(f"  CHECK clean control within 3 sd: {h['z']:+.2f} -> {'pass' if ok else 'FAIL'}")
            if not ok:
                failures.append(label)
        print()
    if failures:
        print("FAILED:", ", ".join(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
