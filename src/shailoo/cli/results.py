"""``shailoo results``: national totals from the current protocols (minimal tally)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from shailoo.cli import add_command
from shailoo.cli.init import add_db_arguments


def national_totals(store: Any, election_id: str, source: str = "official") -> dict[str, Any]:
    """Totals over the newest protocol of ``source`` per station (corrections applied)."""
    election = store.election(election_id)
    latest = store.latest_protocols(election_id)
    totals = dict.fromkeys(("registered", "ballots_cast", "invalid", "against_all"), 0)
    votes = dict.fromkeys(election.party_ids, 0)
    reported = 0
    for (_station, src), event in latest.items():
        if src != source:
            continue
        p = event.payload
        reported += 1
        for k in totals:
            totals[k] += p[k]
        for pid, n in p["votes"].items():
            votes[pid] = votes.get(pid, 0) + n
    return {
        "election_id": election_id,
        "source": source,
        "stations_reported": reported,
        "stations": len(election.stations),
        **totals,
        "turnout_percent": round(100 * totals["ballots_cast"] / totals["registered"], 2)
        if totals["registered"]
        else None,
        "votes": votes,
        "party_names": {p.id: p.name for p in election.parties},
    }


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo results``."""
    p = add_command(
        sub,
        "results",
        "National totals from the current protocols: turnout, invalid, against all, votes.",
        example="shailoo results --db kg.db --json",
    )
    add_db_arguments(p)
    p.add_argument("--source", default="official", help="protocol source to count (official)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the totals."""
    from shailoo.ledger import open_store

    with open_store(args.db) as store:
        eid = args.election or store.current_election()
        t = national_totals(store, eid, args.source)
    if args.json:
        print(json.dumps(t, ensure_ascii=False, indent=2))
        return 0
    cast = t["ballots_cast"]
    print(f"{eid}: {t['stations_reported']} of {t['stations']} stations reported ({t['source']})")
    print(f"  registered voters {t['registered']:>12,}")
    turnout = "—" if t["turnout_percent"] is None else f"{t['turnout_percent']:.2f} %"
    print(f"  ballots cast      {cast:>12,}   turnout {turnout}")
    print(f"  invalid           {t['invalid']:>12,}")
    print(f"  against all       {t['against_all']:>12,}")
    for pid, n in sorted(t["votes"].items(), key=lambda kv: -kv[1]):
        share = f"{100 * n / cast:6.2f} %" if cast else ""
        print(f"  {t['party_names'].get(pid, pid)[:30]:<30} {n:>12,} {share}")
    return 0
