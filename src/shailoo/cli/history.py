"""``shailoo history``: every version of one station's protocol, with who, when, why."""

from __future__ import annotations

import argparse
import json

from shailoo.cli import add_command
from shailoo.cli.init import add_db_arguments
from shailoo.domain.errors import NotFound


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo history``."""
    p = add_command(
        sub,
        "history",
        "Show every version of a station's protocol: who entered it, when, source, reason.",
        example="shailoo history --db kg.db 1001",
    )
    add_db_arguments(p)
    p.add_argument("station", metavar="STATION", help="polling station id")
    p.add_argument("--json", action="store_true", help="print the events as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the station's protocol events oldest first."""
    from shailoo.ledger import open_store
    from shailoo.tally.service import default_election

    with open_store(args.db, must_exist=True) as store:
        # the same default as results and seats: the newest election that is not a
        # partial re-run (a partial re-run lives inside its original)
        eid = args.election or default_election(store)
        election = store.election(eid)
        if args.station not in {s.id for s in election.stations}:
            raise NotFound(f"station {args.station!r} is not in election {eid}")
        events = store.protocol_history(eid, args.station)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "seq": e.seq,
                        "kind": e.kind,
                        "author": e.author,
                        "recorded_at": e.recorded_at,
                        "hash": e.hash,
                        "payload": dict(e.payload),
                    }
                    for e in events
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not events:
        print(f"station {args.station}: no protocol recorded yet in {eid}")
        return 0
    parties = election.party_ids
    names = {party.id: party.name for party in election.parties}
    print(f"station {args.station} in {eid}: {len(events)} version(s)")
    for e in events:
        p = e.payload
        what = "corrected" if e.kind == "protocol.corrected" else "recorded"
        by = p.get("entered_by") or e.author
        # name the ledger's author only when someone else entered the figures
        author = "" if by == e.author else f" (ledger author {e.author})"
        print(f"#{e.seq} {e.recorded_at} {what} from {p.get('source')} by {by}{author}")
        if p.get("reason"):
            print(f"    reason: {p['reason']}")
        print(
            f"    registered {p['registered']:,}, received {p['ballots_received']:,}, issued "
            f"{p['ballots_issued']:,}, cast {p['ballots_cast']:,}, invalid {p['invalid']:,}, "
            f"against all {p['against_all']:,}"
        )
        print(
            "    "
            + ", ".join(f"{names.get(pid, pid)} {p['votes'].get(pid, 0):,}" for pid in parties)
        )
        for w in p.get("warnings") or ():
            print(f"    warning {w['code']}: {w['message']}")
    return 0
