"""``shailoo margin``: how many votes would have to move to change the seats."""

from __future__ import annotations

import argparse
import json
import sys

from shailoo.cli import add_command


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo margin``."""
    p = add_command(
        sub,
        "margin",
        "The margin of the outcome: the fewest votes whose move changes the seats.",
        example="shailoo margin --db kg.db",
        description=(
            "For the current results, the smallest number of votes that, moved from one party "
            "to another, changes the seat allocation under the election's law: which party "
            "gains, which loses, and which threshold or remainder decides it. Also whether the "
            "ballots of disputed stations (annulled, not yet reported, under an open incident) "
            "are enough to change the outcome."
        ),
    )
    from shailoo.cli.init import add_db_arguments

    add_db_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the margin."""
    from shailoo.ledger import open_store
    from shailoo.tally.margin import margin_for_tally
    from shailoo.tally.service import load_tally

    with open_store(args.db, must_exist=True) as store:
        tally = load_tally(store, args.election, progress=sys.stderr.isatty())
    m = margin_for_tally(tally, progress=sys.stderr.isatty())
    if args.json:
        print(json.dumps({"election": tally.election.id, **m.to_json()}, indent=2))
        return 0
    names = {p.id: p.name for p in tally.election.parties}

    def who(pid: str) -> str:
        # People read names; the id stays beside it to match the seats table and the JSON.
        name = names.get(pid, pid)
        return pid if name == pid else f"{name} ({pid})"

    won = ", ".join(f"{who(p)} {s}" for p, s in m.seats.items() if s)
    print(f"{tally.election.id}: seats {won}")
    mv = m.move
    if mv is None:
        print("  no move of votes between two parties changes the seats")
    else:
        bound = "" if mv.exact else " (at most: an upper bound, see docs/results.md)"
        print(
            f"  margin: {mv.votes:,} votes{bound} moved from {who(mv.source)} to {who(mv.target)} "
            f"({mv.where})"
        )
        gains = ", ".join(f"{who(p)} +{n}" for p, n in mv.gains.items())
        loses = ", ".join(f"{who(p)} -{n}" for p, n in mv.loses.items())
        print(f"  would change the seats: {gains}; {loses}")
        print(f"  decided by: {mv.decided_by}")
    if m.disputed is not None:
        d = m.disputed.to_json()
        print(
            f"  disputed ballots: {d['ballots']:,} (annulled: {d['annulled']['stations']:,} "
            f"stations, {d['annulled']['ballots']:,} ballots; not reported: "
            f"{d['missing']['stations']:,} stations, {d['missing']['ballots']:,} registered; "
            f"open incidents: {d['flagged']['stations']:,} stations, "
            f"{d['flagged']['ballots']:,} ballots)"
        )
        verdict = {True: "yes", False: "no", None: "unknown"}[m.could_change]
        print(f"  could the disputed ballots change the outcome? {verdict}")
    return 0
