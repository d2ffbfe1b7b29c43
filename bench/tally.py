"""Benchmark of the tally: rebuilding from a 100,000-protocol ledger against importing it,
and one incremental update against a full recount.

    .venv/bin/python bench/tally.py [--stations 100000] [--db PATH] [--shuffle]

``--shuffle`` imports the protocols in a random order (as results come in on election night)
instead of the station list's.

Targets (issue 4): rebuild / import <= 0.5. Prints the figures and the ratios; exits 1 when the
rebuild target is missed, when the rebuilt tally differs from the incremental one, or when
``load_tally`` (the fast path from raw rows) differs from the event-by-event rebuild.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from shailoo.domain.events import PROTOCOL_CORRECTED
from shailoo.intake import create_election
from shailoo.intake.importer import import_file
from shailoo.ledger import open_store
from shailoo.simulate import kyrgyz_2020
from shailoo.tally import Tally
from shailoo.tally.service import load_tally


def canonical_csv(src: Path, dst: Path, *, shuffle: bool = False) -> None:
    """The simulator's CSV without its region/district columns (the canonical import format),
    its rows in a random order (seeded) if ``shuffle``."""
    with src.open(encoding="utf-8") as f, dst.open("w", newline="", encoding="utf-8") as g:
        r = csv.reader(f)
        header = next(r)
        keep = [i for i, c in enumerate(header) if c not in ("region", "district")]
        rows = [[row[i] for i in keep] for row in r]
        if shuffle:
            random.Random(1).shuffle(rows)
        w = csv.writer(g)
        w.writerow([header[i] for i in keep])
        w.writerows(rows)


def main() -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stations", type=int, default=100_000)
    ap.add_argument("--db", help="SQLite file to use (default: a temporary one)")
    ap.add_argument("--shuffle", action="store_true", help="import the protocols in random order")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="shailoo-bench-tally-"))
    db = args.db or str(tmp / "bench.db")
    sim = kyrgyz_2020(seed=1, n_stations=args.stations)
    e = sim.election
    sim.write_csv(tmp / "sim.csv")
    canonical_csv(tmp / "sim.csv", tmp / "protocols.csv", shuffle=args.shuffle)
    n = sim.n_stations
    order = "random order" if args.shuffle else "station order"
    print(f"{n:,} stations, {len(e.parties)} parties, protocols in {order}; SQLite at {db}")

    with open_store(db) as store:
        create_election(
            store,
            law="kg-2020",
            parties=e.parties,
            stations=e.stations,
            author="bench",
            election_id="bench",
        )
        t0 = time.perf_counter()
        summary = import_file(store, tmp / "protocols.csv", election_id="bench", progress=False)
        t_import = time.perf_counter() - t0
    print(f"import: {t_import:.2f} s ({summary})")

    rebuilds = []
    for _ in range(3):
        with open_store(db) as store:
            t0 = time.perf_counter()
            tally = load_tally(store, "bench")
            rebuilds.append(time.perf_counter() - t0)
    t_rebuild = min(rebuilds)
    nation = tally.unit("nation")
    assert nation.stations_reported == n, nation.stations_reported
    ratio = t_rebuild / t_import
    print(
        f"rebuild from the ledger: {t_rebuild:.2f} s (best of 3: "
        f"{', '.join(f'{x:.2f}' for x in rebuilds)}); rebuild / import = {ratio:.3f} "
        f"(target <= 0.5)"
    )

    # One incremental update against a full recount (both in memory, reading excluded).
    with open_store(db) as store:
        events = list(store.events("bench"))
        election = store.election("bench")
    incremental = Tally.rebuild(election, events)
    # load_tally's fast path (raw rows, payload structs) against the event-by-event rebuild
    loaded_same = tally.state() == incremental.state()
    print(f"load_tally == rebuild from the events one by one: {loaded_same}")
    corrections = []
    for k, p in enumerate(sim.protocols[:1000]):
        votes = dict(p.votes)
        first = next(iter(votes))
        votes[first] -= 1
        payload = {
            "station": p.station,
            "registered": p.registered,
            "ballots_received": p.ballots_received,
            "ballots_issued": p.ballots_issued,
            "ballots_cast": p.ballots_cast - 1,
            "invalid": p.invalid,
            "against_all": p.against_all,
            "votes": votes,
            "source": "official",
            "entered_by": "bench",
            "reason": "recount",
            "warnings": [],
        }
        from shailoo.domain.events import Event

        corrections.append(Event(len(events) + k + 1, PROTOCOL_CORRECTED, payload, "bench"))
    t0 = time.perf_counter()
    for ev in corrections:
        incremental.apply(ev)
    t_one = (time.perf_counter() - t0) / len(corrections)
    recounts = []
    for _ in range(3):
        t0 = time.perf_counter()
        full = Tally.rebuild(election, [*events, *corrections])
        recounts.append(time.perf_counter() - t0)
    t_full = statistics.median(recounts)
    same = full.state() == incremental.state()
    print(
        f"one incremental update: {t_one * 1e6:.0f} µs; full recount in memory: {t_full:.2f} s; "
        f"recount / update = {t_full / t_one:,.0f}x; rebuilt == incremental: {same}"
    )
    return 0 if ratio <= 0.5 and same and loaded_same else 1


if __name__ == "__main__":
    sys.exit(main())
