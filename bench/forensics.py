"""Benchmark of shailoo.forensics: detection on simulated elections, false alarms, speed, memory.

Run from the repository root:

    .venv/bin/python bench/forensics.py            # everything (about 10 minutes on 2 cores)
    .venv/bin/python bench/forensics.py --quick    # fewer seeds, no million-station run

1. Detection: for each kind of planted irregularity (ballot stuffing of 10-30 turnout points in
   5 % of stations, vote buying in 4 districts, carousel voting in 5 %, rewritten protocols in
   5 %), simulated Kyrgyz 2020 elections and larger generic ones; ROC AUC and precision in the top
   5 % of stations for the combined risk score and for each single signal. Positives: stations
   with that kind; negatives: stations with no irregularity.
   Then stuffing in 5 % of stations on elections generated differently (station sizes,
   turnout spread, turnout level, a dominant leader, stuffing of exactly 10 points, clustered).
2. False alarms: the election-level alarm on 40 varied clean simulated elections (300 to 50,000
   stations) and 4 Kyrgyz ones; and how often it is raised on manipulated ones.
3. Speed: the whole-percent Monte-Carlo (1,000 replicates) against a plain per-replicate numpy
   loop of the same null (binomial redraw of both counts, test, count), measured in the same run,
   on Russia 2011 (or a synthetic stand-in of the same size if the data are absent); the whole
   battery on Russia 2011; a synthetic 1,000,000-station election (time and peak memory, in a
   child process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "forensics"))

from forensics_helpers import data_dir, sim_table  # noqa: E402

from shailoo.forensics import run  # noqa: E402
from shailoo.forensics.heaping import heaping_null_binomial, heaping_test  # noqa: E402
from shailoo.simulate import kyrgyz_2020, simulate_election  # noqa: E402

KINDS = {
    "stuffing": {"stuffing": 0.05},
    "vote_buying": {"vote_buying_districts": 4},
    "carousel": {"carousel": 0.05},
    "rewritten": {"rewritten": 0.05},
}


def auc(score: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC by ranks (Mann-Whitney U / n1 n0), ties averaged."""
    ranks = rankdata(np.concatenate([score[pos], score[neg]]))
    n1, n0 = int(pos.sum()), int(neg.sum())
    return float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def precision_top(score: np.ndarray, pos: np.ndarray, frac: float = 0.05) -> float:
    """Share of the top ``frac`` stations by score that carry the irregularity."""
    k = max(1, int(round(frac * score.size)))
    top = np.argsort(-score, kind="stable")[:k]
    return float(pos[top].mean())


def detection(seeds: list[int], replicates: int) -> dict[str, dict[str, dict[str, float]]]:
    """AUC and top-5 % precision per kind, averaged over elections."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for kind, kw in KINDS.items():
        rows: dict[str, list[tuple[float, float]]] = {}
        elections = [("kg", s) for s in seeds] + [("generic", s) for s in seeds[:2]]
        for flavour, seed in elections:
            if flavour == "kg":
                sim = kyrgyz_2020(seed=seed, **kw)  # type: ignore[arg-type]
            else:
                kw2 = dict(kw)
                if kind == "vote_buying":
                    kw2 = {"vote_buying_districts": 10}
                sim = simulate_election(20_000, seed=seed, **kw2)  # type: ignore[arg-type]
            rep = run(sim_table(sim), leader=sim.beneficiary, replicates=replicates, seed=seed)
            pos, neg = sim.masks[kind], sim.clean
            scores = {"combined": rep.risk.score, **rep.risk.signals}
            for name, sc in scores.items():
                rows.setdefault(name, []).append((auc(sc, pos, neg), precision_top(sc, pos)))
        out[kind] = {
            name: {
                "auc": float(np.mean([a for a, _ in v])),
                "auc_min": float(np.min([a for a, _ in v])),
                "precision_top5": float(np.mean([p for _, p in v])),
            }
            for name, v in rows.items()
        }
        print(f"  {kind}: combined AUC {out[kind]['combined']['auc']:.3f} "
              f"(min {out[kind]['combined']['auc_min']:.3f}), top-5 % precision "
              f"{out[kind]['combined']['precision_top5']:.2f} over {len(elections)} elections",
              flush=True)  # fmt: skip
    return out


#: party systems of the clean sweep: fragmented (the simulator's default), a dominant party,
#: a two-party race, a close plurality
PARTY_SYSTEMS: dict[str, list[tuple[str, str, float]] | None] = {
    "fragmented": None,
    "dominant": [("A", "Ruling", 0.72), ("B", "Opp 1", 0.15), ("C", "Opp 2", 0.08),
                 ("D", "Opp 3", 0.05)],
    "two-party": [("A", "Left", 0.51), ("B", "Right", 0.46), ("C", "Other", 0.03)],
    "plurality": [("A", "P1", 0.28), ("B", "P2", 0.26), ("C", "P3", 0.20), ("D", "P4", 0.14),
                  ("E", "P5", 0.12)],
}  # fmt: skip


def clean_configs(count: int) -> list[dict[str, object]]:
    """``count`` clean elections spanning sizes (300 to 50,000 stations), heterogeneity,
    turnout, station-size spread and mean size, party systems; one seed each."""
    sizes = [300, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000]
    het = [0.5, 1.0, 1.6, 2.2]
    turnout = [0.35, 0.55, 0.75, 0.88]
    spread = [0.45, 1.0, 0.3]
    mean_reg = [1400, 400, 2500, 80, 150]
    systems = list(PARTY_SYSTEMS)
    return [
        {"n": sizes[i % 8], "heterogeneity": het[(i // 2) % 4], "turnout": turnout[(i * 3) % 4],
         "size_spread": spread[i % 3], "mean_registered": mean_reg[(i // 3) % 5],
         "parties": systems[(i // 4) % 4], "seed": 100 + i}
        for i in range(count)
    ]  # fmt: skip


def false_alarms(count: int, replicates: int) -> dict[str, object]:
    """Election-level alarms on ``count`` varied clean simulated elections (plus Kyrgyz ones)."""
    alarms: dict[str, int] = {}
    noted: dict[str, int] = {}
    p_values: list[float] = []
    rows = []
    for c in clean_configs(count):
        sim = simulate_election(
            int(c["n"]),  # type: ignore[call-overload]
            seed=int(c["seed"]),  # type: ignore[call-overload]
            heterogeneity=float(c["heterogeneity"]),  # type: ignore[arg-type]
            turnout=float(c["turnout"]),  # type: ignore[arg-type]
            size_spread=float(c["size_spread"]),  # type: ignore[arg-type]
            mean_registered=float(c["mean_registered"]),  # type: ignore[arg-type]
            parties=PARTY_SYSTEMS[str(c["parties"])],
        )
        rep = run(sim_table(sim), replicates=replicates, seed=int(c["seed"]))  # type: ignore[call-overload]
        rows.append((c, rep.alarm))
        for t in rep.tests:
            if t.alarm:
                alarms[t.name] = alarms.get(t.name, 0) + 1
            if t.noted:
                noted[t.name] = noted.get(t.name, 0) + 1
            if t.calibrated and t.p_value is not None:
                p_values.append(t.p_value)
    for seed in (1, 2, 3, 4):
        rep = run(sim_table(kyrgyz_2020(seed=seed)), replicates=replicates, seed=seed)
        rows.append(({"kyrgyz_2020": seed}, rep.alarm))
        for t in rep.tests:
            if t.alarm:
                alarms[t.name] = alarms.get(t.name, 0) + 1
    n_alarm = sum(a for _, a in rows)
    ps = np.array(p_values)
    return {
        "elections": len(rows),
        "with_alarm": n_alarm,
        "alarms": alarms,
        "noted_descriptive": noted,
        # calibration check: unadjusted p of the calibrated tests should be near uniform
        "share_p_below_0.05": float((ps < 0.05).mean()) if ps.size else float("nan"),
        "share_p_below_0.01": float((ps < 0.01).mean()) if ps.size else float("nan"),
        "calibrated_p_values": int(ps.size),
    }


#: variations of ballot stuffing in 5 % of stations, on elections generated unlike the default
STUFFING_VARIATIONS: dict[str, dict[str, object]] = {
    "10-30 points, uniform (default)": {},
    "exactly 10 points": {"stuffing_points": (0.10, 0.10)},
    "exactly 10, many tiny stations (log-sd 1.0, mean 400)": {
        "stuffing_points": (0.10, 0.10), "size_spread": 1.0, "mean_registered": 400},
    "exactly 10, big even stations (log-sd 0.3, mean 3000)": {
        "stuffing_points": (0.10, 0.10), "size_spread": 0.3, "mean_registered": 3000},
    "exactly 10, turnout spread x2 (heterogeneity 2)": {
        "stuffing_points": (0.10, 0.10), "heterogeneity": 2.0},
    "exactly 10, homogeneous (heterogeneity 0.5)": {
        "stuffing_points": (0.10, 0.10), "heterogeneity": 0.5},
    "exactly 10, turnout 80 %": {"stuffing_points": (0.10, 0.10), "turnout": 0.8},
    "exactly 10, turnout 35 %": {"stuffing_points": (0.10, 0.10), "turnout": 0.35},
    "exactly 10, dominant leader (72 %)": {
        "stuffing_points": (0.10, 0.10), "parties": PARTY_SYSTEMS["dominant"]},
    "10-30, clustered: half the stations of a few districts": {
        "stuffing_districts": 3, "stuffing_density": 0.5},
    "exactly 10, clustered: half the stations of a few districts": {
        "stuffing_points": (0.10, 0.10), "stuffing_districts": 3, "stuffing_density": 0.5},
    "exactly 10, clustered: whole districts": {
        "stuffing_points": (0.10, 0.10), "stuffing_districts": 3, "stuffing_density": 1.0},
    "10-30, 1,000 stations": {"n": 1000},
    "10-30, heterogeneity 2, tiny stations": {
        "heterogeneity": 2.0, "size_spread": 1.0, "mean_registered": 400},
}  # fmt: skip


def _oracle_auc(out: object, pos: np.ndarray, neg: np.ndarray) -> float:
    """AUC of the best linear score on the station's (turnout z, leader z), fitted with the truth.

    Fisher's discriminant direction Sigma_clean^-1 (mean_stuffed - mean_clean), in sample: a
    ceiling for any score that reads these two numbers linearly, so it says how much of a shortfall
    is the data's (stations' honest noise) and how much the score's.
    """
    x = np.column_stack([np.nan_to_num(out.turnout_z), np.nan_to_num(out.leader_z)])  # type: ignore[attr-defined]
    w = np.linalg.solve(np.cov(x[neg].T), x[pos].mean(axis=0) - x[neg].mean(axis=0))
    return auc(x @ w, pos, neg)


def stuffing_variations(seeds: list[int], replicates: int) -> dict[str, dict[str, float]]:
    """Combined-score AUC for stuffing in 5 % of stations under each variation (20,000 stations)."""
    out: dict[str, dict[str, float]] = {}
    for name, kw in STUFFING_VARIATIONS.items():
        kw = dict(kw)
        n = int(kw.pop("n", 20_000))  # type: ignore[call-overload]
        aucs, oracle = [], []
        for seed in seeds:
            sim = simulate_election(n, seed=seed, stuffing=0.05, **kw)  # type: ignore[arg-type]
            rep = run(sim_table(sim), leader=sim.beneficiary, replicates=replicates, seed=seed)
            pos, neg = sim.masks["stuffing"], sim.clean
            aucs.append(auc(rep.risk.score, pos, neg))
            oracle.append(_oracle_auc(rep.extras["outliers"], pos, neg))
        out[name] = {"auc": float(np.mean(aucs)), "auc_min": float(np.min(aucs)),
                     "oracle_lda_auc": float(np.mean(oracle))}  # fmt: skip
        print(f"  {name}: AUC {out[name]['auc']:.3f} (min {out[name]['auc_min']:.3f}); oracle "
              f"{out[name]['oracle_lda_auc']:.3f}", flush=True)  # fmt: skip
    return out


def alarm_power(seeds: list[int], replicates: int) -> dict[str, int]:
    """How many manipulated simulated elections raise the election-level alarm, per kind."""
    kinds: dict[str, dict[str, object]] = {
        "rewritten 5 %, all to whole percents": {"rewritten": 0.05, "round_percent": 1.0},
        "rewritten 5 %, half to whole percents": {"rewritten": 0.05, "round_percent": 0.5},
        "stuffing 5 % + rewritten 5 % to whole percents": {
            "stuffing": 0.05, "rewritten": 0.05, "round_percent": 1.0},
        "stuffing 5 %, 10-30 points, no rounding": {"stuffing": 0.05},
        "stuffing 10 %, 20-40 points, no rounding": {
            "stuffing": 0.10, "stuffing_points": (0.2, 0.4)},
    }  # fmt: skip
    out: dict[str, int] = {}
    for name, kw in kinds.items():
        hits = 0
        for seed in seeds:
            sim = simulate_election(20_000, seed=seed, **kw)  # type: ignore[arg-type]
            hits += run(sim_table(sim), leader="A", replicates=replicates, seed=seed).alarm
        out[name] = hits
        print(f"  {name}: alarm in {hits} of {len(seeds)}", flush=True)
    return out


def russia_or_standin() -> tuple[str, object]:
    """Russia 2011 if present, else a synthetic election of the same size."""
    path = data_dir() / "russia" / "2011.csv.zip"
    if path.exists():
        from shailoo.io.sources import read_source

        return "Russia 2011", read_source("russia", path)
    sim = simulate_election(95_225, seed=1)
    return "synthetic 95,225 stations (Russia data absent)", sim_table(sim)


def speed(replicates: int) -> dict[str, object]:
    """Whole-percent Monte-Carlo against a per-replicate loop; whole battery time."""
    name, table = russia_or_standin()
    t = table  # type: ignore[assignment]
    lv = t.votes[:, t.party_index(t.winner())]  # type: ignore[attr-defined]
    args = (t.registered, t.ballots_issued, t.ballots_cast, lv)  # type: ignore[attr-defined]
    c0 = time.process_time()
    res = heaping_test(*args, replicates=replicates, seed=1)
    ours = time.process_time() - c0
    c0 = time.process_time()
    chunked = heaping_null_binomial(*args, replicates=replicates, seed=2, chunked=True)
    t_chunked = time.process_time() - c0
    c0 = time.process_time()
    loop = heaping_null_binomial(*args, replicates=replicates, seed=3, chunked=False)
    t_loop = time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    rep = run(t, replicates=replicates, seed=0)  # type: ignore[arg-type]
    battery = time.perf_counter() - t0
    battery_cpu = time.process_time() - c0
    return {
        "data": name,
        "stations": len(t),  # type: ignore[arg-type]
        "replicates": replicates,
        "heaping_ours_s": ours,
        "heaping_chunked_binomial_s": t_chunked,
        "heaping_loop_s": t_loop,
        "ratio_loop_over_ours": t_loop / ours,
        "ratio_loop_over_chunked": t_loop / t_chunked,
        "null_mean_ours": res.expected,
        "null_sd_ours": res.sd,
        "null_mean_loop": float(loop.mean()),
        "null_sd_loop": float(loop.std(ddof=1)),
        "null_mean_chunked": float(chunked.mean()),
        "excess": res.excess,
        "battery_s": battery,
        "battery_cpu_s": battery_cpu,
        "battery_alarms": [x.name for x in rep.tests if x.alarm],
    }


def million_child() -> None:
    """Simulate and analyse 1,000,000 stations; print one JSON line (run in a child process)."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    sim = simulate_election(1_000_000, seed=1, stuffing=0.05)
    t1 = time.perf_counter()
    table = sim_table(sim)
    rep = run(table, replicates=1000)
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    a = auc(rep.risk.score, sim.masks["stuffing"], sim.clean)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"simulate_s": t1 - t0, "battery_s": t2 - t1, "cpu_s": cpu, "peak_mb": peak_mb,
                      "stuffing_auc": a, "alarms": [x.name for x in rep.tests if x.alarm]}))  # fmt: skip


def main() -> int:
    """Run the benchmark and print the figures (and JSON with --json)."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="fewer seeds, no million-station run")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    ap.add_argument("--speed-only", action="store_true", help="only part 3 (speed)")
    ap.add_argument("--variations-only", action="store_true", help="only the stuffing variations")
    ap.add_argument(
        "--alarms-only", action="store_true", help="only the false alarms and the alarm power"
    )
    ap.add_argument("--million-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.million_child:
        million_child()
        return 0
    seeds = [101, 102] if args.quick else [101, 102, 103, 104, 105]
    results: dict[str, object] = {"cpus": os.cpu_count(), "load": os.getloadavg()}
    if args.variations_only:
        results["stuffing_variations"] = stuffing_variations(seeds[:3], 200)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=float), encoding="utf-8")
        return 0
    print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    if args.alarms_only:
        results["false_alarms"] = fa = false_alarms(40, 1000)
        print(f"false alarms: {fa}", flush=True)
        results["alarm_power"] = alarm_power(seeds[:3], 1000)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=float), encoding="utf-8")
        return 0
    if not args.speed_only:
        print("1. detection (200 replicates per null):", flush=True)
        det = detection(seeds, 200)
        results["detection"] = det
        print("\n   kind         signal                  AUC    min AUC  precision@5%")
        for kind, rows in det.items():
            for name, v in rows.items():
                print(
                    f"   {kind:12s} {name:22s} {v['auc']:.3f}  {v['auc_min']:.3f}    {v['precision_top5']:.2f}"
                )
        print("\n   stuffing in 5 % of stations, elections generated differently:", flush=True)
        results["stuffing_variations"] = stuffing_variations(seeds[:3], 200)
        print("\n2. false alarms on clean simulated elections (1,000 replicates):", flush=True)
        fa = false_alarms(12 if args.quick else 40, 1000)
        results["false_alarms"] = fa
        print(
            f"   {fa['with_alarm']} of {fa['elections']} clean elections raised the alarm "
            f"{fa['alarms']}; descriptive notes (not alarms) {fa['noted_descriptive']}; "
            f"unadjusted calibrated p < 0.05 in {fa['share_p_below_0.05']:.3f} and < 0.01 in "
            f"{fa['share_p_below_0.01']:.3f} of {fa['calibrated_p_values']} p-values"
        )
        print("\n   alarm on manipulated simulated elections (20,000 stations):", flush=True)
        results["alarm_power"] = alarm_power(seeds[:3], 1000)
    print("\n3. speed:", flush=True)
    sp = speed(1000)
    results["speed"] = sp
    print(
        f"   {sp['data']}: whole-percent null, {sp['replicates']} replicates, CPU seconds: ours "
        f"{sp['heaping_ours_s']:.2f} s, chunked binomial {sp['heaping_chunked_binomial_s']:.2f} s, "
        f"plain per-replicate loop {sp['heaping_loop_s']:.2f} s -> ratio loop/ours "
        f"{sp['ratio_loop_over_ours']:.1f}x (loop/chunked {sp['ratio_loop_over_chunked']:.2f}x)"
    )
    print(
        f"   same null: mean {sp['null_mean_ours']:.1f} (sd {sp['null_sd_ours']:.1f}) ours, "
        f"{sp['null_mean_loop']:.1f} (sd {sp['null_sd_loop']:.1f}) loop; excess {sp['excess']:.0f}"
    )
    print(
        f"   whole battery, {sp['replicates']} replicates: {sp['battery_s']:.1f} s wall, "
        f"{sp['battery_cpu_s']:.1f} s CPU; alarms {sp['battery_alarms']}"
    )
    if not args.quick:
        print("   1,000,000 stations (child process) ...", flush=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--million-child"],
            capture_output=True,
            text=True,
            check=True,
        )
        mil = json.loads(proc.stdout.strip().splitlines()[-1])
        results["million"] = mil
        print(
            f"   1,000,000 stations: simulate {mil['simulate_s']:.0f} s, battery (1000 replicates) "
            f"{mil['battery_s']:.0f} s (wall; {mil['cpu_s']:.0f} s CPU in all), peak memory {mil['peak_mb']:.0f} MB, stuffing AUC "
            f"{mil['stuffing_auc']:.3f}, alarms {mil['alarms']}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
