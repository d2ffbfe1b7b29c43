"""``shailoo export``: write an election's ledger as JSON Lines with the public key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shailoo.cli import add_command
from shailoo.cli.init import add_db_arguments


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo export``."""
    p = add_command(
        sub,
        "export",
        "Write an election's ledger as JSON Lines (events, checkpoints, public key).",
        example="shailoo export --db kg.db -o kg-2020.ledger.jsonl",
        description=(
            "Write the ledger of one election (default: the newest) as JSON Lines: a header\n"
            "with the commission's public key, the signed checkpoints, then every event.\n"
            "Anyone can check it with 'shailoo verify --file' or the recipe in docs/ledger.md."
        ),
    )
    add_db_arguments(p)
    p.add_argument("-o", "--output", help="output file ('-' for stdout; default ID.ledger.jsonl)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Export and say where."""
    from shailoo.ledger import open_store
    from shailoo.ledger.export import export_jsonl, export_to_file
    from shailoo.tally.service import default_election

    with open_store(args.db, must_exist=True) as store:
        # the same default as results and seats: the newest election that is not a
        # partial re-run (a partial re-run lives inside its original)
        eid = args.election or default_election(store)
        store.election(eid)  # NotFound with the known ids if wrong
        if args.output == "-":
            export_jsonl(store, eid, sys.stdout)
            return 0
        out = Path(args.output or f"{eid}.ledger.jsonl")
        n = export_to_file(store, eid, out)
    print(f"{n:,} events of election {eid} written to {out}", file=sys.stderr)
    return 0
