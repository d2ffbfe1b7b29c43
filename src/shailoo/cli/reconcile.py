"""``shailoo reconcile``: compare the sources of each station line by line; resolve disputes."""

from __future__ import annotations

import argparse
from collections import Counter

from shailoo.checks.reconcile import StationReconciliation
from shailoo.cli import add_action, add_command
from shailoo.cli.observer import add_common, author_of, open_election, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo reconcile list|show|resolve|belarus``."""
    p = add_command(
        sub,
        "reconcile",
        "Compare the sources of each station line by line and resolve disputes.",
        example="shailoo reconcile list --db kg.db --disputed",
        description=(
            "Every station with several sources (official, second-entry, machine,\n"
            "observer:<id>) is compared line by line with its official protocol; any difference\n"
            "marks the station disputed until the commission resolves it.\n\n"
            "  shailoo reconcile list [--disputed] [--json]\n"
            "  shailoo reconcile show STATION [--json]\n"
            "  shailoo reconcile resolve STATION --accept SOURCE --reason TEXT\n"
            "  shailoo reconcile belarus voice.csv.gz [--json]   photographed ballots of the\n"
            "        Belarus 2020 Voice platform as a lower-bound observer source: flags every\n"
            "        station whose official count is below the photographed one"
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = add_action(
        actions,
        "list",
        "stations with several sources and their state",
        example="shailoo reconcile list --db kg.db --disputed",
    )
    ls.add_argument("--disputed", action="store_true", help="only disputed stations")
    ls.add_argument("--json", action="store_true")
    add_common(ls)
    ls.set_defaults(handler=run_list)
    sh = add_action(
        actions,
        "show",
        "every difference of one station",
        example="shailoo reconcile show --db kg.db 1001 --json",
    )
    sh.add_argument("station")
    sh.add_argument("--json", action="store_true")
    add_common(sh)
    sh.set_defaults(handler=run_show)
    r = add_action(
        actions,
        "resolve",
        "record which source the commission accepted",
        example="shailoo reconcile resolve --db kg.db 1001 --accept observer:kloop-12 "
        "--reason 'recount of 2020-10-08'",
    )
    r.add_argument("station")
    r.add_argument("--accept", required=True, help="the accepted source, e.g. observer:kloop-12")
    r.add_argument("--reason", required=True)
    add_common(r, author=True)
    r.set_defaults(handler=run_resolve)
    b = add_action(
        actions,
        "belarus",
        "Belarus 2020 photographed ballots (lower bounds)",
        example="shailoo reconcile belarus ../shared/data/belarus-2020/voice.csv.gz",
    )
    b.add_argument("file", help="voice.csv or voice.csv.gz")
    b.add_argument("--json", action="store_true")
    b.set_defaults(handler=run_belarus)


def _state(r: StationReconciliation) -> str:
    if r.disputed:
        return "disputed"
    return f"resolved ({r.resolved_by})" if r.differing else "agree"


def _print_station(r: StationReconciliation) -> None:
    print(
        f"Station {r.station}: {_state(r)}; reference {r.reference}; sources {', '.join(r.sources)}"
    )
    for c in r.comparisons:
        if not c.differences:
            print(f"  {c.source}: identical")
        for d in c.differences:
            print(f"  {d.line}: {r.reference} {d.a}  {c.source} {d.b}  [{d.rule}]")
    for src, items in r.shortfalls.items():
        for s in items:
            print(
                f"  {s.line}: {r.reference} {s.official} below {src}'s proven minimum "
                f"{s.minimum} (missing at least {s.missing}) [{s.rule}]"
            )


def run_list(args: argparse.Namespace) -> int:
    """Print the state of every station with several sources."""
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        found = service.reconcile(store, eid)
    items = [r for r in found.values() if r.disputed or not args.disputed]
    if args.json:
        print_json([r.to_dict() for r in items])
        return 0
    for r in items:
        print(f"{r.station}\t{_state(r)}\t{', '.join(r.lines) or '-'}")
    n_disputed = sum(r.disputed for r in found.values())
    print(f"{len(found):,} stations with several sources, {n_disputed:,} disputed")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print every difference of one station."""
    from shailoo.domain.errors import NotFound
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        found = service.reconcile(store, eid, [args.station]).get(args.station)
    if found is None:
        raise NotFound(f"no protocol of station {args.station!r} in election {eid!r}")
    if args.json:
        print_json(found.to_dict())
    else:
        _print_station(found)
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    """Record the resolution."""
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        event = service.resolve(store, eid, args.station, args.accept, args.reason, author_of(args))
    print(f"station {args.station}: accepted {args.accept} [event {event.seq}]")
    return 0


def run_belarus(args: argparse.Namespace) -> int:
    """Flag the stations whose official count is below the photographed ballots."""
    from tqdm import tqdm

    from shailoo.io.belarus import CANDIDATES, find_shortfalls, read_voice

    stations = list(tqdm(read_voice(args.file), desc="stations", unit=" st", leave=False))
    flagged = find_shortfalls(stations)
    with_official = sum(s.has_official for s in stations)
    by_line = Counter(s.line for items in flagged.values() for s in items)
    missing: Counter[str] = Counter()
    for items in flagged.values():
        for s in items:
            missing[s.line] += s.missing
    problems = [p for s in stations for p in s.problems]
    if args.json:
        print_json(
            {
                "stations": len(stations),
                "with_official": with_official,
                "flagged": len(flagged),
                "flagged_by_line": dict(by_line),
                "missing_votes_by_line": dict(missing),
                "set_aside": [p.to_dict() for p in problems],
                "shortfalls": {sid: [s.to_dict() for s in items] for sid, items in flagged.items()},
            }
        )
        return 0
    print(
        f"{len(stations):,} stations, {with_official:,} with official figures; "
        f"{len(flagged):,} have an official count below the photographed ballots"
    )
    for line, n in by_line.most_common():
        name = CANDIDATES.get(line, line)
        print(f"  {name}: {n:,} stations, at least {missing[line]:,} votes missing")
    for p in problems:
        print(f"  set aside: {p}")
    return 0
