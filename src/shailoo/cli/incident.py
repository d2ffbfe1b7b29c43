"""``shailoo incident``: report incidents at stations, list them, show one, record the response."""

from __future__ import annotations

import argparse

from shailoo.cli import add_action, add_command
from shailoo.cli.observer import add_common, author_of, open_election, print_json
from shailoo.observe.incidents import CATEGORIES, STATUSES


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo incident add|list|show|update``."""
    p = add_command(
        sub,
        "incident",
        "Report incidents at polling stations and record the commission's response.",
        example="shailoo incident add --db kg.db --station 1001 --category vote-buying "
        "--time 2020-10-04T11:20 --observer kloop-12 --description 'cash handed out' "
        "--evidence photo.jpg",
        description=(
            "Incidents observers (or anyone) report at a station, with evidence files stored by\n"
            "their SHA-256 beside the database (<db>.evidence/<sha256>; $SHAILOO_EVIDENCE for\n"
            "PostgreSQL), and the commission's handling of each.\n\n"
            "  shailoo incident add --station S --category C --time T --description TEXT\n"
            "        [--observer ID] [--evidence FILE ...]\n"
            "  shailoo incident list [--station S] [--status S] [--json]\n"
            "  shailoo incident show ID [--json]\n"
            "  shailoo incident update ID --status S --response TEXT\n\n"
            f"Categories: {', '.join(CATEGORIES)}\nStatuses: {', '.join(STATUSES)}"
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = add_action(
        actions,
        "add",
        "report an incident at a station, with its evidence files",
        example="shailoo incident add --db kg.db --station 1001 --category vote-buying "
        "--time 2020-10-04T11:20 --observer kloop-12 --description 'cash handed out' "
        "--evidence photo.jpg",
    )
    a.add_argument("--station", required=True)
    a.add_argument("--category", required=True, help=", ".join(CATEGORIES))
    a.add_argument("--time", required=True, help="when it happened (ISO date or date-time)")
    a.add_argument("--description", required=True)
    a.add_argument("--observer", help="accredited observer id (checked against the scope)")
    a.add_argument("--evidence", action="append", default=[], help="an evidence file")
    add_common(a, author=True)
    a.set_defaults(handler=run_add)
    ls = add_action(
        actions,
        "list",
        "list incidents, optionally of one station or status",
        example="shailoo incident list --db kg.db --station 1001 --status reported",
    )
    ls.add_argument("--station")
    ls.add_argument("--status", choices=STATUSES)
    ls.add_argument("--json", action="store_true")
    add_common(ls)
    ls.set_defaults(handler=run_list)
    sh = add_action(
        actions,
        "show",
        "show one incident with its history",
        example="shailoo incident show --db kg.db I-ab7ae26b9b",
    )
    sh.add_argument("incident_id")
    sh.add_argument("--json", action="store_true")
    add_common(sh)
    sh.set_defaults(handler=run_show)
    u = add_action(
        actions,
        "update",
        "record a status change and the commission's response",
        example="shailoo incident update --db kg.db I-ab7ae26b9b --status under-review "
        "--response 'district commission asked for the video'",
    )
    u.add_argument("incident_id")
    u.add_argument("--status", required=True, help=", ".join(STATUSES))
    u.add_argument("--response", required=True)
    add_common(u, author=True)
    u.set_defaults(handler=run_update)


def run_add(args: argparse.Namespace) -> int:
    """Store the evidence and record the incident."""
    from shailoo.ledger import default_db
    from shailoo.observe import service
    from shailoo.observe.evidence_store import EvidenceStore, evidence_dir_for

    store, eid = open_election(args)
    with store:
        inc = service.report_incident(
            store,
            eid,
            station=args.station,
            category=args.category,
            time=args.time,
            description=args.description,
            author=author_of(args),
            observer_id=args.observer,
            files=args.evidence,
            evidence=EvidenceStore(evidence_dir_for(default_db(args.db))),
        )
    print(f"incident {inc.id} recorded: {inc.category} at station {inc.station}")
    for e in inc.evidence:
        print(f"  evidence {e['name']} sha256 {e['sha256']}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print incidents, optionally of one station or status."""
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        found = service.incidents(store, eid, station=args.station)
    items = [i for i in found.values() if args.status is None or i.status == args.status]
    if args.json:
        print_json([i.to_dict() for i in items])
        return 0
    if not items:
        print("no incidents")
    for i in items:
        print(f"{i.id}\t{i.station}\t{i.category}\t{i.time}\t{i.status}\t{i.description}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print one incident with every status change."""
    from shailoo.observe import service
    from shailoo.observe.incidents import find

    store, eid = open_election(args)
    with store:
        inc = find(service.incidents(store, eid), args.incident_id)
    if args.json:
        print_json(inc.to_dict())
        return 0
    print(f"Incident {inc.id}: {inc.category} at station {inc.station}, {inc.time}")
    print(
        f"Reported by {inc.reported_by}"
        + (f" (observer {inc.observer_id})" if inc.observer_id else "")
        + f" at {inc.recorded_at}"
    )
    print(f"Description: {inc.description}")
    for e in inc.evidence:
        print(f"Evidence: {e['name']} sha256 {e['sha256']}")
    print(f"Status: {inc.status}")
    for h in inc.history:
        print(f"  {h.recorded_at} {h.status} by {h.author}: {h.response}")
    return 0


def run_update(args: argparse.Namespace) -> int:
    """Record the commission's handling."""
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        inc = service.update_incident(
            store,
            eid,
            args.incident_id,
            status=args.status,
            response=args.response,
            author=author_of(args),
        )
    print(f"incident {inc.id} is now {inc.status}")
    return 0
