"""Benchmark of the observer layer: reconciliation, evidence view and PVT, against floors.

Run: ``.venv/bin/python bench/observe.py [--stations 20000] [--draws 1000] [--power-seeds 20]``

1. Reconciliation of every station of a simulated election whose official protocols and
   observers' copies (one per station) are in a SQLite ledger: ``service.reconcile`` against the
   floor of reading the same newest protocols from the ledger (``Store.latest_protocols``) and
   comparing them in memory with a bare dict comparison, measured in the same run.
2. The evidence view of one station (``shailoo evidence``), median of 20 stations, and once
   with the forensic risk computed (``--risk``).
3. PVT: one estimate on the designed sample, and the empirical coverage of the 95 % intervals
   over ``--draws`` independent samples (should be close to 0.95), with the time per draw
   against a plain numpy ratio of sums over the same sample (the floor: no variance at all).
4. PVT power: how often an official figure falls outside its interval, by how far the rewriting
   moved it (clean elections give the false-alarm rate, about 5 % per figure by design).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from shailoo.domain.events import ELECTION_DEFINED
from shailoo.intake import record_protocols
from shailoo.ledger import open_store
from shailoo.observe import service
from shailoo.observe.observers import Observer
from shailoo.observe.pvt import (
    compare,
    design_effect_from,
    design_sample,
    estimate,
    official_ratios,
)
from shailoo.observe.view import evidence
from shailoo.simulate import kyrgyz_2020
from shailoo.tally.counting import protocol_from_payload


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stations", type=int, default=20_000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--power-seeds", type=int, default=20)
    args = ap.parse_args()
    sim = kyrgyz_2020(seed=5, rewritten=0.05, n_stations=args.stations)
    eid = sim.election_id
    print(f"simulated election: {sim.n_stations} stations, {len(sim.party_ids)} parties")
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "b.db") as store:
        store.append(eid, [(ELECTION_DEFINED, sim.election.to_payload(), "cec")])
        t = time.perf_counter()
        record_protocols(store, eid, sim.protocols, "cec", election=sim.election)
        districts = sorted({s.district for s in sim.election.stations})
        obs = Observer.create(
            "m",
            "Mission",
            "all",
            districts=districts,
            valid_from="2020-10-01",
            valid_to="2020-10-31",
        )
        service.accredit(store, eid, obs, "cec")
        service.record_observer_copies(store, eid, "m", sim.true_protocols, "m", on=obs.valid_from)
        print(f"setup: {2 * sim.n_stations} protocols recorded in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        rec = service.reconcile(store, eid)
        t_rec = time.perf_counter() - t
        t = time.perf_counter()
        latest = store.latest_protocols(eid)
        by_station: dict[str, dict[str, dict[str, int]]] = {}
        for (station, source), e in latest.items():
            by_station.setdefault(station, {})[source] = protocol_from_payload(e.payload).counts()
        floor_disputed = sum(1 for v in by_station.values() if v["official"] != v["observer:m"])
        t_floor = time.perf_counter() - t
        disputed = sum(r.disputed for r in rec.values())
        planted = [s for s, k in sim.truth.items() if "rewritten" in k]
        official = {p.station: p for p in sim.protocols}
        true = {p.station: p for p in sim.true_protocols}
        changed = sum(official[s].counts() != true[s].counts() for s in planted)
        assert disputed == floor_disputed == changed, (disputed, floor_disputed, changed)
        print(
            f"reconcile: {len(rec)} stations, {disputed} disputed (= the {changed} rewritten "
            f"stations whose numbers changed; {len(planted) - changed} planted rewrites moved "
            f"no vote) in {t_rec:.2f} s; floor {t_floor:.2f} s; ratio {t_rec / t_floor:.2f}"
        )

        times = []
        for sid in sim.station_ids[:: max(1, sim.n_stations // 20)][:20]:
            t = time.perf_counter()
            evidence(store, eid, sid)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        evidence(store, eid, sim.station_ids[0], compute_risk=True)
        t_risk = time.perf_counter() - t
        print(
            f"evidence view: median {1000 * statistics.median(times):.0f} ms per station "
            f"(ledger of {store.count(eid)} events); with --risk (forensic battery) "
            f"{t_risk:.1f} s"
        )

    parties = sim.party_ids
    before = kyrgyz_2020(seed=99, n_stations=args.stations)
    deff = design_effect_from(before.true_protocols, before.party_ids)
    truth = official_ratios(sim.true_protocols, parties)
    copies = {p.station: replace(p, source="observer:m") for p in sim.true_protocols}
    lines = [*parties, "turnout"]
    covered = dict.fromkeys(lines, 0)
    t_est = 0.0
    t_plain = 0.0
    n_sample = 0
    for k in range(args.draws):
        d = design_sample(sim.election.stations, 0.01, seed=k, design_effect=deff)
        n_sample = len(d.sample)
        sample = {s: copies[s] for s in d.sample}
        t = time.perf_counter()
        est = estimate(d, sample, parties)
        t_est += time.perf_counter() - t
        t = time.perf_counter()
        cast = np.array([p.ballots_cast for p in sample.values()], dtype=float)
        for party in parties:
            np.array([p.votes[party] for p in sample.values()], dtype=float).sum() / cast.sum()
        t_plain += time.perf_counter() - t
        for c in compare(est, truth):
            covered[c.line] += not c.outside
    rates = {line: n / args.draws for line, n in covered.items()}
    sd = (0.95 * 0.05 / args.draws) ** 0.5
    print(
        f"PVT: design effect {deff:.1f} (previous election), sample {n_sample} stations for "
        f"±1 point; {args.draws} draws"
    )
    print(
        f"PVT coverage of 95 % intervals: min {min(rates.values()):.3f}, "
        f"mean {statistics.mean(rates.values()):.3f}, max {max(rates.values()):.3f} "
        f"(binomial sd {sd:.3f})"
    )
    print(
        f"PVT estimate: {1000 * t_est / args.draws:.1f} ms per draw; plain ratio of sums "
        f"{1000 * t_plain / args.draws:.1f} ms; ratio {t_est / t_plain:.2f}"
    )
    power(args.power_seeds)
    return 0


def power(seeds: int) -> None:
    """How often the PVT puts an official figure outside its interval, by how far it was moved.

    Kyrgyz-2020-scale elections (2,460 stations), ``seeds`` draws each with 0 %, 2 %, 5 %, 10 %
    and 20 % of protocols rewritten; a ±1 point design with the design effect of a previous
    election; every party and turnout is one case, classed by its true shift against the
    margin ``E``.
    """
    margin = 0.01
    before = kyrgyz_2020(seed=99)
    deff = design_effect_from(before.true_protocols, before.party_ids)
    keys = ("no shift (clean)", "0 < shift <= E", "E < shift <= 2E", "shift > 2E")
    bins = {k: [0, 0, 0] for k in keys}  # outside, outside adjusted, cases
    clean_any = [0, 0, 0]  # clean elections with any figure outside, adjusted, elections
    for seed in range(seeds):
        for rewritten in (0.0, 0.02, 0.05, 0.1, 0.2):
            sim = kyrgyz_2020(seed=1000 + seed, rewritten=rewritten)
            parties = sim.party_ids
            truth = official_ratios(sim.true_protocols, parties)
            official = official_ratios(sim.protocols, parties)
            d = design_sample(sim.election.stations, margin, seed=seed, design_effect=deff)
            copies = {p.station: p for p in sim.true_protocols}
            est = estimate(d, {s: copies[s] for s in d.sample}, parties)
            comparisons = compare(est, official)
            if rewritten == 0.0:
                clean_any[0] += any(c.outside for c in comparisons)
                clean_any[1] += any(c.outside_adjusted for c in comparisons)
                clean_any[2] += 1
            for c in comparisons:
                shift = abs(official[c.line] - truth[c.line])
                if rewritten == 0.0:
                    key = keys[0]
                elif shift <= margin:
                    key = keys[1]
                elif shift <= 2 * margin:
                    key = keys[2]
                else:
                    key = keys[3]
                bins[key][0] += c.outside
                bins[key][1] += c.outside_adjusted
                bins[key][2] += 1
    print(f"PVT power ({seeds} seeds x 5 rewrite levels, E = 1 point, deff {deff:.1f}):")
    for key, (hit, hit_adj, n) in bins.items():
        print(
            f"  {key:<18} official outside its interval in {hit} of {n} cases; outside the "
            f"Bonferroni-adjusted interval in {hit_adj}"
        )
    print(
        f"  clean elections with some figure outside: {clean_any[0]} of {clean_any[2]}; "
        f"outside an adjusted interval: {clean_any[1]} of {clean_any[2]}"
    )


if __name__ == "__main__":
    sys.exit(main())
