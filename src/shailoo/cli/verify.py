"""``shailoo verify``: recompute the ledger's hash chain and signatures."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from shailoo.cli import add_command
from shailoo.cli.init import add_db_arguments


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo verify``."""
    p = add_command(
        sub,
        "verify",
        "Recompute the ledger's hash chain and checkpoint signatures; name the first bad event.",
        example=(
            "shailoo verify --db kg.db   |   shailoo verify --file kg-2020.ledger.jsonl   |   "
            "shailoo verify --db kg.db --election kg-2020 --head "
            "2467:9f2c5e0d1b7a4c3e8f6a2d9b0c1e7f4a5b6c8d9e0f1a2b3c4d5e6f708192a3b4"
        ),
        description=(
            "Recompute every event's SHA-256 hash and link, and check every signed checkpoint\n"
            "against the commission key, for each election in the database (or --election),\n"
            "or for an exported ledger file (--file, no database needed). Exit 0 only if\n"
            "everything holds; 1 names the first bad event. See docs/ledger.md.\n"
            "--head SEQ:HASH checks that an event someone noted earlier (the ledger head the\n"
            "public site shows under 'ledger') is still there with that hash: events after the\n"
            "last signed checkpoint cannot otherwise be shown to be complete."
        ),
    )
    add_db_arguments(p)
    p.add_argument("--file", type=Path, help="verify an exported JSON Lines ledger instead")
    p.add_argument("--public-key", type=Path, help="trusted KEY.pub the ledger's key must equal")
    p.add_argument(
        "--head",
        action="append",
        default=[],
        metavar="SEQ:HASH",
        type=_noted_head,
        help="an event noted earlier that must still be there (repeatable; needs --election "
        "with --db)",
    )
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def _noted_head(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` -> (seq, hash); argparse reports a ValueError as a usage error (exit 2)."""
    seq, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not seq.strip().isdigit() or int(seq) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not SEQ:HASH (e.g. 2467:9f2c...)")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise argparse.ArgumentTypeError(f"{text!r}: the hash is not 64 hexadecimal digits")
    return int(seq), digest


def run(args: argparse.Namespace) -> int:
    """Verify and print one line per election."""
    from shailoo.domain.errors import InputError, NotFound
    from shailoo.ledger import open_store
    from shailoo.ledger.export import verify_file
    from shailoo.ledger.signing import read_public_key
    from shailoo.ledger.verify import verify_store

    trusted = read_public_key(args.public_key) if args.public_key else None
    noted = dict(args.head)
    if len(noted) != len(args.head):
        raise InputError("--head names the same event twice", rule="head")
    if args.file:
        reports = [verify_file(args.file, trusted, noted)]
    else:
        with open_store(args.db, must_exist=True) as store:
            if args.election:
                store.election(args.election)  # NotFound (exit 2) naming the known ids
            elif noted:
                raise InputError("--head belongs to one election: add --election ID", rule="head")
            reports = verify_store(
                store, args.election, trusted, progress=not args.quiet, noted=noted
            )
        if not reports:
            # Nothing to verify is bad input (exit 2), not a ledger that failed (exit 1).
            raise NotFound("no election in this database; create one with 'shailoo init'")
    if args.json:
        print(json.dumps([{"ok": r.ok, **r.__dict__} for r in reports], indent=2))
    else:
        for r in reports:
            print(r.summary())
    return 0 if reports and all(r.ok for r in reports) else 1
