"""``shailoo init``: create an election (parties, stations, law) and the commission key."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from shailoo.cli import add_command
from shailoo.domain.days import calendar_day
from shailoo.domain.errors import InputError
from shailoo.ledger import default_db, is_postgres, open_store


def add_db_arguments(p: argparse.ArgumentParser, election: bool = True) -> None:
    """The ``--db`` (and ``--election``) options every ledger command shares."""
    p.add_argument(
        "--db",
        help="SQLite file or postgresql:// URL (default: $SHAILOO_DB or ./shailoo.db)",
    )
    if election:
        p.add_argument("--election", metavar="ID", help="election id (default: the newest)")


def default_author() -> str:
    """The operator's login name, for the ledger's ``author`` field."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "operator"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo init``."""
    p = add_command(
        sub,
        "init",
        "Create an election from a law and parties/stations files, with the commission key.",
        example="shailoo init --db kg.db --law kg-2020 --parties parties.csv "
        "--stations stations.csv --name 'Jogorku Kenesh 2020' --date 2020-10-04",
        description=(
            "Create an election: its law (a preset such as kg-2020, or a law file), its parties\n"
            "(parties.csv: id,name in ballot order) and polling stations (stations.csv:\n"
            "station,region,district,registered[,more columns kept]). Or give --manifest\n"
            "election.toml naming the same. Creates the commission's Ed25519 key if missing:\n"
            "beside a SQLite database as DB.key (mode 0600), for PostgreSQL at --key PATH;\n"
            "the public key goes to KEY.pub and into the ledger."
        ),
    )
    add_db_arguments(p, election=False)
    p.add_argument("--law", help="law preset name or law file (.toml)")
    p.add_argument("--parties", type=Path, help="parties.csv (id,name)")
    p.add_argument(
        "--stations", type=Path, help="stations.csv (station,region,district,registered)"
    )
    p.add_argument("--manifest", type=Path, help="election.toml naming law, parties, stations")
    p.add_argument("--name", help="election name (default: the law's name)")
    p.add_argument("--date", help="election day, YYYY-MM-DD")
    p.add_argument("--id", dest="election_id", help="election id slug (default: from the name)")
    p.add_argument("--double-entry", action="store_true", help="protocols are entered twice")
    p.add_argument("--replaces", metavar="ID", help="this is a re-run replacing election ID")
    p.add_argument("--key", help="commission private key file (default: DB.key for SQLite)")
    p.add_argument("--author", default=None, help="who does this (default: login name)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Create the election; print its id and where the key is."""
    # cryptography is imported here, not at the top: every ledger command imports this module
    from shailoo.intake import create_election
    from shailoo.io.setup import read_manifest, read_parties, read_stations
    from shailoo.ledger.signing import default_key_path, load_or_create_key, public_hex, sign_head

    law, parties_path, stations_path = args.law, args.parties, args.stations
    name, date, eid, double = args.name, args.date, args.election_id, args.double_entry
    if args.manifest:
        m = read_manifest(args.manifest)
        law, parties_path, stations_path = (
            law or m.law,
            parties_path or m.parties,
            stations_path or m.stations,
        )
        name, date, eid = name or m.name, date or m.date, eid or m.id
        double = double or m.double_entry
    missing = [
        n
        for n, v in (("--law", law), ("--parties", parties_path), ("--stations", stations_path))
        if not v
    ]
    if missing:
        raise InputError(
            f"init needs {', '.join(missing)} (or a --manifest naming them)", rule="usage"
        )
    if date:
        calendar_day(str(date), "the election day")
    parties = read_parties(parties_path)
    stations = read_stations(stations_path)
    db = default_db(args.db)
    key_path = default_key_path(db, args.key)
    key_existed = key_path.exists()
    key = load_or_create_key(key_path)
    author = args.author or default_author()
    with open_store(db) as store:
        before = store.elections()
        election = create_election(
            store,
            law=law,
            parties=parties,
            stations=stations,
            author=author,
            name=name,
            date=date,
            election_id=eid,
            double_entry=double,
            public_key=public_hex(key),
            replaces={"election_id": args.replaces} if args.replaces else None,
        )
        sign_head(store, election.id, key)
    where = db if is_postgres(db) else str(Path(db).resolve())
    regions = len({s.region for s in stations})
    print(f"election {election.id}: {election.name} ({election.law_name})")
    print(f"  {len(parties)} parties, {len(stations)} stations in {regions} regions")
    print(f"  ledger: {where}")
    print(f"  commission key: {key_path} ({'existing' if key_existed else 'created, mode 0600'})")
    print(f"  public key: {key_path}.pub  {public_hex(key)}")
    if before and not args.replaces:
        # A second 'init' on the same database (often by mistake) makes the new, empty
        # election the default of every command; say so instead of letting results look empty.
        print(
            f"note: this database already held {', '.join(before)}; commands now default to "
            f"{election.id} (use --election to choose)",
            file=sys.stderr,
        )
    return 0
