"""``shailoo observer``: accredit observers, list them, file their copies of protocols.

Also holds the small helpers the other observer commands share (``--db``, ``--election``,
``--author``), so that each command module stays a thin layer over :mod:`shailoo.observe`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from shailoo.cli import add_action, add_command
from shailoo.domain.errors import InputError
from shailoo.ledger import Store, open_store


def add_common(p: argparse.ArgumentParser, *, author: bool = False) -> None:
    """Add ``--db`` and ``--election`` (and ``--author`` for commands that write)."""
    p.add_argument(
        "--db",
        help="ledger database: SQLite path or postgresql:// URL "
        "(default $SHAILOO_DB or ./shailoo.db)",
    )
    p.add_argument("--election", help="election id (default: the newest)")
    if author:
        p.add_argument("--author", help="who records this (default: the login name)")


def open_election(args: argparse.Namespace) -> tuple[Store, str]:
    """Open the store named by ``--db`` and resolve ``--election``."""
    from shailoo.tally.service import default_election

    store = open_store(args.db, must_exist=True)
    try:
        # the same default as results and seats: the newest election that is not a
        # partial re-run (a partial re-run lives inside its original)
        eid = args.election or default_election(store)
        store.election(eid)  # NotFound with the known ids if it does not exist
    except BaseException:
        store.close()
        raise
    return store, eid


def author_of(args: argparse.Namespace) -> str:
    """``--author`` or the login name."""
    if getattr(args, "author", None):
        return str(args.author)
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "observer"


def print_json(data: Any) -> None:
    """Print JSON for machines (UTF-8, stable key order as built)."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo observer accredit|list|copies``."""
    p = add_command(
        sub,
        "observer",
        "Accredit observers, list them, and file an observer's copies of protocols.",
        example="shailoo observer accredit --db kg.db kloop-12 --organisation Kloop --name 'Aida A.' "
        "--district 'Jalal-Abad 04' --from 2020-10-01 --to 2020-10-10",
        description=(
            "Accredit observers (organisation, name, scope of stations or districts, valid\n"
            "dates), list them, and record an observer's own copies of protocols as the source\n"
            "observer:<id>. Anything an observer files outside the scope is refused.\n\n"
            "  shailoo observer accredit ID --organisation ORG --name NAME\n"
            "        (--station S ... | --district D ...) --from DATE --to DATE\n"
            "  shailoo observer list [--json]\n"
            "  shailoo observer copies ID FILE [--date DATE]   FILE in the canonical protocol\n"
            "        format (docs/formats.md); DATE is the filing date checked against the scope\n"
            "  shailoo observer bounds ID FILE [--date DATE] [--note TEXT]   lower bounds, e.g.\n"
            "        photographed ballots: CSV 'station,<line>,...' (docs/observers.md); an\n"
            "        official figure below a bound disputes the station"
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = add_action(
        actions,
        "accredit",
        "accredit an observer for stations or districts and dates",
        example="shailoo observer accredit --db kg.db kloop-12 --organisation Kloop --name 'Aida A.' "
        "--district 'Jalal-Abad 04' --from 2020-10-01 --to 2020-10-10",
    )
    a.add_argument("observer_id")
    a.add_argument("--organisation", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--station", action="append", default=[], help="a station in scope")
    a.add_argument("--district", action="append", default=[], help="a district in scope")
    a.add_argument("--from", dest="valid_from", required=True, help="first valid day (ISO)")
    a.add_argument("--to", dest="valid_to", required=True, help="last valid day (ISO)")
    add_common(a, author=True)
    a.set_defaults(handler=run_accredit)
    ls = add_action(
        actions,
        "list",
        "list accredited observers",
        example="shailoo observer list --db kg.db --json",
    )
    ls.add_argument("--json", action="store_true")
    add_common(ls)
    ls.set_defaults(handler=run_list)
    c = add_action(
        actions,
        "copies",
        "record an observer's copies of protocols",
        example="shailoo observer copies --db kg.db kloop-12 copies.csv --date 2020-10-05",
    )
    c.add_argument("observer_id")
    c.add_argument("file", help="protocol file (CSV, XLSX, JSON, JSONL)")
    c.add_argument("--date", help="filing date checked against the scope (default today)")
    add_common(c, author=True)
    c.set_defaults(handler=run_copies)
    b = add_action(
        actions,
        "bounds",
        "record an observer's lower bounds (e.g. photographed ballots) for protocol lines",
        example="shailoo observer bounds --db kg.db kloop-12 photographed.csv --date 2020-10-05 "
        "--note 'photographed ballots'",
    )
    b.add_argument("observer_id")
    b.add_argument("file", help="CSV: station, then one column per protocol line")
    b.add_argument("--date", help="filing date checked against the scope (default today)")
    b.add_argument("--note", default="", help="what the bounds are, e.g. 'photographed ballots'")
    add_common(b, author=True)
    b.set_defaults(handler=run_bounds)


def run_accredit(args: argparse.Namespace) -> int:
    """Record the accreditation."""
    from shailoo.observe import service
    from shailoo.observe.observers import Observer

    obs = Observer.create(
        args.observer_id,
        args.organisation,
        args.name,
        stations=args.station,
        districts=args.district,
        valid_from=args.valid_from,
        valid_to=args.valid_to,
    )
    store, eid = open_election(args)
    with store:
        event = service.accredit(store, eid, obs, author_of(args))
    print(f"accredited {obs.id} ({obs.organisation}): {obs.scope_text()} [event {event.seq}]")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the accredited observers."""
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        found = service.observers(store, eid)
    if args.json:
        print_json([o.to_dict() for o in found.values()])
        return 0
    if not found:
        print("no observers accredited")
    for o in found.values():
        print(f"{o.id}\t{o.organisation}\t{o.name}\t{o.scope_text()}")
    return 0


def run_copies(args: argparse.Namespace) -> int:
    """Read the file and record its protocols as the observer's copies."""
    from shailoo.io.canonical import read_protocols
    from shailoo.observe import service
    from shailoo.observe.observers import parse_date

    day = parse_date(args.date, "date") if args.date else None
    store, eid = open_election(args)
    with store:
        election = store.election(eid)
        protocols = []
        for row in read_protocols(args.file, election.party_ids):
            if row.protocol is None:
                first = row.findings[0] if row.findings else None
                raise InputError(
                    first.message if first else "unreadable row",
                    file=args.file,
                    line=row.line,
                    column=None if first is None else first.column,
                    rule=None if first is None else first.code,
                    values=None if first is None else first.values,
                )
            protocols.append(row.protocol)
        result = service.record_observer_copies(
            store, eid, args.observer_id, protocols, author_of(args), on=day
        )
    recorded, rejected = len(result.recorded), result.rejected
    print(
        f"{recorded:,} copies recorded, {result.duplicates:,} already present, "
        f"{len(rejected)} refused by the protocol checks"
    )
    for r in rejected:
        for f in r.errors:
            print(f"  {r.protocol.station}: [{f.code}] {f.message}", file=sys.stderr)
    return 1 if rejected else 0


def run_bounds(args: argparse.Namespace) -> int:
    """Read the file and record its lower bounds."""
    from shailoo.observe import service
    from shailoo.observe.bounds_file import read_lower_bounds
    from shailoo.observe.observers import parse_date

    day = parse_date(args.date, "date") if args.date else None
    rows = read_lower_bounds(args.file)
    store, eid = open_election(args)
    with store:
        try:
            events = service.record_lower_bounds(
                store, eid, args.observer_id, rows, author_of(args), on=day, note=args.note
            )
        except InputError as exc:
            # the service numbers bounds from 1; point at the file's line instead
            if exc.line is not None and exc.file is None:
                exc = InputError(
                    exc.message,
                    file=args.file,
                    line=rows[exc.line - 1]["line"],
                    column=exc.column,
                    rule=exc.rule,
                    values=exc.values,
                )
            raise exc from None
    print(f"{len(events):,} lower bounds recorded, {len(rows) - len(events):,} unchanged or empty")
    return 0
