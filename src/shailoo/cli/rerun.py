"""``shailoo rerun``: a new election replacing an annulled one, wholly or in part."""

from __future__ import annotations

import argparse
import json
import shlex

from shailoo.cli import add_command


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo rerun``."""
    p = add_command(
        sub,
        "rerun",
        "Create the re-run of an annulled election (or of annulled districts/stations).",
        example="shailoo rerun --db kg.db --date 2021-01-10 --withdraw ordo",
        description=(
            "Create a new election that replaces an annulled one: same regions, districts, "
            "stations and law; the party list can lose withdrawn parties or be replaced by a "
            "parties file (id,name). The old ledger records the re-run's id, the new ledger "
            "starts with the old one's final hash. With --level district|region|station and "
            "--ids, only those annulled units vote again, and their new protocols take the "
            "place of the annulled ones in the original election's results."
        ),
    )
    from shailoo.cli.init import add_db_arguments

    add_db_arguments(p)
    p.add_argument("--id", dest="new_id", help="id of the new election (default: OLD-rerun)")
    p.add_argument("--name", help="name of the new election")
    p.add_argument("--date", help="polling day of the re-run (YYYY-MM-DD)")
    p.add_argument(
        "--level",
        default="election",
        choices=("election", "region", "district", "station"),
        help="what votes again (default: the whole election)",
    )
    p.add_argument("--ids", default="", help="comma-separated unit ids for a partial re-run")
    p.add_argument(
        "--withdraw", action="append", default=[], metavar="PARTY", help="a party that withdraws"
    )
    p.add_argument("--parties", metavar="CSV", help="the new party list (id,name), whole re-runs")
    p.add_argument("--author", help="who records it (default: your login name)")
    p.add_argument("--json", action="store_true", help="print the new election as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Create the re-run and print what was linked."""
    from shailoo.cli.init import default_author
    from shailoo.commission import create_rerun, read_parties_csv
    from shailoo.domain.errors import InputError
    from shailoo.ledger import open_store

    parties = read_parties_csv(args.parties) if args.parties else None
    ids = [x.strip() for x in args.ids.split(",") if x.strip()]
    if ids and args.level in (None, "election"):
        # without --level the ids were ignored and the whole election was asked for
        raise InputError(
            "--ids names units of a partial re-run: add --level district, region or station",
            column="--ids",
            rule="usage",
        )
    with open_store(args.db, must_exist=True) as store:
        new = create_rerun(
            store,
            args.election,
            new_id=args.new_id,
            name=args.name,
            date=args.date,
            level=args.level,
            ids=ids,
            withdraw=args.withdraw,
            parties=parties,
            author=args.author or default_author(),
        )
    rep = dict(new.replaces or {})
    if args.json:
        print(
            json.dumps(
                {
                    "election": new.id,
                    "name": new.name,
                    "replaces": rep,
                    "parties": list(new.party_ids),
                    "stations": len(new.stations),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(
        f"created {new.id} ({new.name}): {len(new.stations)} stations, {len(new.parties)} parties"
    )
    print(
        f"  replaces {rep.get('election_id')} ({scope_text(rep.get('scope'))}); "
        f"old ledger's final hash {rep.get('final_hash')}"
    )
    db = f" --db {shlex.quote(args.db)}" if args.db else ""
    print(f"  import its protocols with: shailoo import{db} --election {new.id} FILE")
    return 0


def scope_text(scope: object) -> str:
    """``{'level': 'district', 'ids': [...]}`` as words: what votes again."""
    if not isinstance(scope, dict) or scope.get("level", "election") == "election":
        return "the whole election"
    ids = ", ".join(str(i) for i in scope.get("ids") or [])
    return f"{scope['level']} {ids}".strip()
