"""``shailoo import``: check and record a protocol file (CSV, XLSX, JSON) into the ledger."""

from __future__ import annotations

import argparse
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from shailoo.cli import add_command
from shailoo.cli.init import add_db_arguments, default_author
from shailoo.ledger import Store, default_db, default_key_path, is_postgres, open_store


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


def _read_definition(store: Store, election_id: str | None) -> Callable[[], tuple[str, str] | None]:
    """Start reading the election's id and stored definition in a thread; return the function
    that waits for them (None if they could not be read: ``import_file`` then reads them again,
    after its checks of the file, and says what is wrong, as it always did).

    The definition is several MB of JSON for a national station list; SQLite and the
    PostgreSQL server read it without holding the GIL, so this process meanwhile imports the
    modules of the import (together a good part of a small file's import time).
    """
    out: list[tuple[str, str]] = []

    def read() -> None:
        try:
            eid = election_id or store.current_election()
            text = store.definition_text(eid)
        except Exception:
            return  # said by import_file (see above)
        if text is not None:
            out.append((eid, text))

    thread = threading.Thread(target=read, name="shailoo-definition", daemon=True)
    thread.start()

    def result() -> tuple[str, str] | None:
        thread.join()
        return out[0] if out else None

    return result


def run(args: argparse.Namespace) -> int:
    """Import the file; print the summary; exit 0, 1 or 2."""
    db = default_db(args.db)
    with open_store(db, must_exist=True) as store:
        definition = _read_definition(store, args.election)
        try:
            from shailoo.intake import import_file  # while the definition is read
        finally:
            read = definition()  # the store is free again (even if the import failed)
        election_id, text = read or (args.election, None)
        summary = import_file(
            store,
            args.file,
            election_id=election_id,
            definition_text=text,
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
