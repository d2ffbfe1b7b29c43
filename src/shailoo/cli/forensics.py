"""``shailoo forensics``: run the statistical tests on an election's station results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from shailoo.cli import add_command
from shailoo.domain.errors import InputError

if TYPE_CHECKING:
    from shailoo.forensics import StationTable


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``forensics`` command."""
    p = add_command(
        sub,
        "forensics",
        "Run the forensic tests (heaping, digits, spikes, fingerprint, outliers) and score stations.",
        example="shailoo forensics protocols.csv --scores risk.csv --report report.html",
        description=(
            "Run the forensic tests on station results and score every station.\n"
            "Input: a canonical protocol CSV (station, registered, ballots_received, "
            "ballots_issued,\nballots_cast, invalid, against_all, then one column per party; "
            "region and district\nwhen present), a real source (--source russia|bulgaria|georgia|"
            "uganda with its file\nor folder), any CSV with a column mapping (--map MAP.toml, see "
            "docs/forensics.md),\nor the tally of a ledger (--db).\n"
            "Statistics flag; people decide: every test says what it means and what it does not.\n"
            "More examples:\n"
            "  shailoo forensics ../shared/data/russia/2011.csv.zip --source russia --json\n"
            "  shailoo forensics out/protocols.csv --stations out/stations.csv\n"
            "  shailoo forensics --db kg.db --figures figs/"
        ),
    )
    p.add_argument(
        "results", nargs="?", type=Path, metavar="RESULTS", help="results file or folder"
    )
    p.add_argument("--map", type=Path, metavar="MAP.toml", help="column mapping for RESULTS")
    p.add_argument(
        "--source",
        choices=["russia", "bulgaria", "georgia", "uganda"],
        help="read RESULTS with the reader of a known real source",
    )
    p.add_argument(
        "--stations",
        type=Path,
        metavar="stations.csv",
        help="take region and district from this file (station,region,district,...)",
    )
    p.add_argument(
        "--db", help="read the counted protocols from this ledger (SQLite or postgresql://)"
    )
    p.add_argument("--election", metavar="ID", help="election in --db (default: the newest)")
    p.add_argument(
        "--leader", metavar="PARTY", help="party under test (default: the national winner)"
    )
    p.add_argument("--json", action="store_true", help="print every statistic as JSON")
    p.add_argument(
        "--scores", type=Path, metavar="F.csv", help="write station,risk and one column per signal"
    )
    p.add_argument("--figures", type=Path, metavar="DIR", help="write the figures (PNG and SVG)")
    p.add_argument(
        "--report", type=Path, metavar="F.html", help="write an HTML report with the figures"
    )
    p.add_argument("--replicates", type=int, default=1000, help="Monte-Carlo replicates (1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (0)")
    p.add_argument(
        "--alpha",
        type=float,
        default=0.01,
        help="family-wise error rate of the election-level alarm, Holm over the calibrated "
        "tests (0.01)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def load_table(args: argparse.Namespace) -> StationTable:
    """The StationTable the arguments name."""
    from shailoo.forensics import StationTable

    if args.db:
        if args.results is not None:
            raise InputError("give either RESULTS or --db, not both", rule="usage")
        return table_from_db(args.db, args.election)
    if args.results is None:
        raise InputError("no results given: pass RESULTS or --db", rule="usage")
    if args.source:
        from shailoo.io.sources import read_source

        return read_source(args.source, args.results)
    if args.map:
        from shailoo.io.sources import read_mapped

        return read_mapped(args.results, args.map)
    table = StationTable.from_csv(args.results)
    if args.stations:
        table.with_stations(args.stations)
    return table


def table_from_db(db: str, election: str | None = None) -> StationTable:
    """The counted protocols of an election in a ledger, as a StationTable."""
    from shailoo.forensics import StationTable
    from shailoo.ledger import open_store
    from shailoo.tally.service import load_tally

    with open_store(db, must_exist=True) as store:
        tally = load_tally(store, election)
        protocols = list(tally.current_protocols())
        stations = tally.election.stations
    if not protocols:
        raise InputError("the election has no counted protocols yet", file=db, rule="empty")
    table = StationTable.from_protocols(protocols, stations)
    table.source = f"{db} ({tally.election.id})"
    return table


def run(args: argparse.Namespace) -> int:
    """Run the battery and write what was asked."""
    from shailoo.forensics import run as run_battery
    from shailoo.forensics.battery import STAGES

    if args.replicates < 1:
        raise InputError(
            "must be at least 1",
            column="--replicates",
            rule="positive",
            values={"n": args.replicates},
        )
    if not 0.0 < args.alpha < 1.0:
        raise InputError(
            "must lie strictly between 0 and 1",
            column="--alpha",
            rule="range",
            values={"alpha": args.alpha},
        )
    table = load_table(args)
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(STAGES), desc="forensics", unit="test", file=sys.stderr, leave=False)

    def progress(stage: str) -> None:
        if bar is not None:
            # called as each stage starts: the stages before it are done
            bar.n = STAGES.index(stage)
            bar.set_postfix_str(stage)

    try:
        report = run_battery(
            table,
            leader=args.leader,
            replicates=args.replicates,
            seed=args.seed,
            progress=progress,
            alpha=args.alpha,
        )
    finally:
        if bar is not None:
            bar.update(bar.total - bar.n)
            bar.close()
    if args.scores:
        report.risk.write_csv(args.scores)
    figures = None
    if args.figures or args.report:
        from shailoo.forensics.figures import write_figures

        fig_dir = args.figures or args.report.with_suffix("").with_name(
            args.report.stem + "_figures"
        )
        figures = write_figures(report, table, fig_dir)
    if args.report:
        from shailoo.forensics.html import write_report

        write_report(report, args.report, figures or {})
    if args.json:
        print(report.to_json())
    else:
        print(report.summary())
        for what, path in (
            ("scores", args.scores),
            ("figures", args.figures),
            ("report", args.report),
        ):
            if path:
                print(f"{what}: {path}")
    return 0
