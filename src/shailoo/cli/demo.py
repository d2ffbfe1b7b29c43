"""``shailoo demo``: a synthetic Kyrgyz-2020-like election end to end, then the web site.

Builds the election with the simulator (vote buying planted in some districts, a few rewritten
protocols), imports it, runs the observers' checks and the forensics, prints the national result
and the seats with every step of the allocation, and serves the site. ``--annul`` goes on to the
annulment of the whole election and the re-run, as the CEC did on 6 October 2020. For
comparison it also prints the allocation of the real CEC preliminary count of 5 October 2020
(98 % of boxes, as reported by for.kg and ea-news.kz).
"""

from __future__ import annotations

import argparse

from shailoo.cli import add_command
from shailoo.law import allocate, format_allocation, load_law
from shailoo.law.kg2020_preliminary import KG_2020_PRELIMINARY


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``demo`` sub-command."""
    p = add_command(
        sub,
        "demo",
        "Build a synthetic Kyrgyz 2020 election end to end and serve its results site.",
        example="shailoo demo --annul",
        description="Simulate a Kyrgyz-2020-like election (2,460 stations, 16 parties, vote "
        "buying planted in 3 districts, 1 % of protocols rewritten), import it, run the "
        "observers' checks and the forensics, print the national result and the seats step by "
        "step, then serve the site with demo logins. --annul continues with the annulment of "
        "the whole election and the re-run.",
    )
    p.add_argument(
        "--annul",
        action="store_true",
        help="annul the whole election and hold the re-run (as on 6 October 2020)",
    )
    p.add_argument("--no-serve", action="store_true", help="build and print, do not serve")
    p.add_argument(
        "--db",
        default="shailoo-demo.db",
        help="SQLite file to build (replaced; default shailoo-demo.db)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    p.add_argument("--seed", type=int, default=2020, help="random seed of the simulation")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build the demo, print what it found and the seats, then serve unless --no-serve."""
    from shailoo.api.demo import DEMO_PASSWORD, annul_and_rerun, build_demo, seats_report

    result = build_demo(args.db, seed=args.seed)
    print()
    print("6. National result and seats (law kg-2020), step by step:")
    print()
    print(seats_report(args.db, result.election_id))
    print()
    print("For comparison, the real CEC preliminary count of 5 October 2020 (98 % of boxes):")
    law = load_law("kg-2020")
    print(format_allocation(law, allocate(law, KG_2020_PRELIMINARY), KG_2020_PRELIMINARY))
    print(
        "Why Mekenchil has no seat there: the 7 % threshold is counted on the voters who took "
        "part (ballots cast, 1,990,753), not on party votes; Mekenchil's 136,276 votes are "
        "6.85 % of them, though 7.09 % of party votes alone."
    )
    if args.annul:
        print()
        rerun = annul_and_rerun(args.db, result.election_id, seed=args.seed)
        print()
        print(f"10. Results and seats of the re-run {rerun}:")
        print()
        print(seats_report(args.db, rerun))
    print()
    print(f"Database: {args.db}  (check it: shailoo verify --db {args.db})")
    if args.no_serve:
        return 0
    print()
    print(
        f"Open http://{args.host}:{args.port}/  — staff pages at /staff. Demo logins "
        f"(password {DEMO_PASSWORD!r}):"
    )
    for name, role, scope in result.logins:
        print(f"  {name:<9} {role:<11} {scope}")
    from shailoo.cli.serve import serve

    serve(args.db, args.host, args.port)
    return 0
