"""``shailoo import``: check and record a protocol file (CSV, XLSX, JSON) into the ledger."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from shailoo.cli import add_command
from shailoo.cli.init import add_db_arguments, default_author
from shailoo.ledger import default_db, default_key_path, is_postgres, open_store


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo import``."""
    p = add_command(
        sub,
        "import",
        "Check and record a protocol file (CSV, XLSX, JSON) into an election.",
        example="shailoo import --db kg.db protocols.csv",
        description=(
            "Check and record a canonical protocol file (docs/formats.md) into an election.\n"
            "Rows that break a rule go to FILE.rejected.csv beside the file (file, line, column,\n"
            "check code, values); the others are recorded. Importing the same file again adds\n"
            "nothing. When the commission key is at hand (DB.key, --key or $SHAILOO_KEY) the\n"
            "new ledger head is signed.\n"
            "Exit 0: every row accepted; 1: some rows rejected (the rest recorded);\n"
            "2: the file cannot be read at all (nothing recorded)."
        ),
    )
    add_db_arguments(p)
    p.add_argument(
        "file", type=Path, metavar="FILE", help="protocols: .csv, .xlsx, .json or .jsonl"
    )
    p.add_argument("--report", type=Path, help="where to write rejected rows")
    p.add_argument("--batch", type=int, default=10000, help="protocols per transaction (10000)")
    p.add_argument("--author", help="who imports (default: login name)")
    p.add_argument("--key", help="commission private key to sign the new head")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Import the file; print the summary; exit 0, 1 or 2."""
    from shailoo.intake import import_file

    db = default_db(args.db)
    with open_store(db, must_exist=True) as store:
        summary = import_file(
            store,
            args.file,
            election_id=args.election,
            author=args.author or default_author(),
            batch_size=max(1, args.batch),
            report_path=args.report,
            progress=not args.quiet,
        )
        signed = None
        if args.key or os.environ.get("SHAILOO_KEY") or not is_postgres(db):
            key_path = default_key_path(db, args.key)
            if key_path.exists():
                # only now: signing needs cryptography (about 20 ms of imports)
                from shailoo.ledger.signing import load_key, sign_head

                signed = sign_head(store, summary.election_id, load_key(key_path))
    if args.json:
        out = summary.to_dict()
        out["signed_seq"] = signed.seq if signed else None
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for line in summary.lines():
            print(line)
        if signed:
            print(f"ledger head {signed.seq} signed with the commission key")
        else:
            print("ledger head not signed (no commission key found; see --key)")
    return summary.exit_code
