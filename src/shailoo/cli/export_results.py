"""``shailoo export-results``: results as NIST SP 1500-100 v2 JSON, CSV or Parquet."""

from __future__ import annotations

import argparse
import json
import sys

from shailoo.cli import add_command


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo export-results``."""
    p = add_command(
        sub,
        "export-results",
        "Export results as NIST SP 1500-100 v2 JSON, CSV or Parquet.",
        example="shailoo export-results --db kg.db --format nist --out results.json",
        description=(
            "Export the current results. 'nist' writes a NIST SP 1500-100 version 2 election "
            "report (every unit down to the stations, seats when they can be allocated); 'csv' "
            "and 'parquet' write one row per station (or per unit with --level). Annulled "
            "units are left out of the counts and marked; --as-reported keeps their figures."
        ),
    )
    from shailoo.cli.init import add_db_arguments

    add_db_arguments(p)
    p.add_argument("--format", choices=("nist", "csv", "parquet"), default="nist")
    p.add_argument("--out", help="output file (default: standard output; required for parquet)")
    p.add_argument(
        "--level",
        choices=("station", "district", "region", "nation"),
        default="station",
        help="rows of the CSV/Parquet table (default: station)",
    )
    p.add_argument("--as-reported", action="store_true", help="tables: keep annulled figures")
    p.add_argument("--summary", action="store_true", help="nist: leave the stations out")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the export."""
    from shailoo.domain.errors import InputError, ShailooError
    from shailoo.ledger import open_store
    from shailoo.tally.service import load_tally, seats_for_tally

    with open_store(args.db, must_exist=True) as store:
        tally = load_tally(store, args.election, progress=sys.stderr.isatty())
    if args.format == "nist":
        from shailoo.io.nist import nist_report

        try:
            seats = seats_for_tally(tally)[1].seats
        except ShailooError as exc:  # annulled, or nothing to allocate yet: counts only
            print(f"shailoo export-results: no seats in the report: {exc}", file=sys.stderr)
            seats = None
        text = json.dumps(
            nist_report(tally, seats=seats, precinct_level=not args.summary),
            ensure_ascii=False,
            indent=1,
        )
        if args.out:
            with open(args.out, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            print(f"wrote NIST SP 1500-100 v2 JSON to {args.out}", file=sys.stderr)
        else:
            print(text)
        return 0
    from shailoo.io import tables

    if args.format == "parquet":
        if not args.out:
            raise InputError("--format parquet needs --out FILE", rule="usage")
        n = tables.write_parquet(tally, args.out, args.level, as_reported=args.as_reported)
    else:
        n = tables.write_csv(
            tally, args.out or "/dev/stdout", args.level, as_reported=args.as_reported
        )
    if args.out:
        print(f"wrote {n} rows to {args.out}", file=sys.stderr)
    return 0
