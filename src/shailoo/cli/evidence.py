"""``shailoo evidence STATION``: everything known about one station, in one view."""

from __future__ import annotations

import argparse

from shailoo.cli import add_command
from shailoo.cli.observer import add_common, open_election, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo evidence``."""
    p = add_command(
        sub,
        "evidence",
        "Show the evidence about one station: results, sources, differences, incidents, decisions.",
        example="shailoo evidence --db kg.db 1001 --json",
        description=(
            "One view of a station: the official protocol and its versions, the other sources\n"
            "(second entry, machine, observers) and every line on which they differ, whether the\n"
            "station is disputed or resolved, incidents and the commission's responses,\n"
            "decisions over the station or any unit containing it, PVT membership, and with\n"
            "--risk or --risk-scores its forensic risk score and the signals that raised it."
        ),
    )
    p.add_argument("station")
    p.add_argument("--json", action="store_true", help="print the view as JSON")
    # computing the risk now and reading it from a file are two answers to one question
    risk = p.add_mutually_exclusive_group()
    risk.add_argument(
        "--risk",
        action="store_true",
        help="compute the forensic risk now (runs the forensic battery: seconds on a large "
        "election)",
    )
    risk.add_argument(
        "--risk-scores",
        metavar="FILE",
        help="read the risk from a scores file of 'shailoo forensics --scores FILE.csv'",
    )
    add_common(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the evidence view."""
    from shailoo.observe.view import evidence, render

    store, eid = open_election(args)
    with store:
        view = evidence(
            store, eid, args.station, compute_risk=args.risk, risk_scores=args.risk_scores
        )
    if args.json:
        print_json(view)
    else:
        print(render(view))
    return 0
