"""``shailoo simulate``: write a synthetic election with planted irregularities."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shailoo.cli import add_command
from shailoo.domain.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``simulate`` command."""
    p = add_command(
        sub,
        "simulate",
        "Write a synthetic election (parties.csv, stations.csv, protocols.csv, truth.csv).",
        example="shailoo simulate out/ --kyrgyz --seed 1 --stuffing 0.05 --vote-buying 3",
        description=(
            "Draw a synthetic election with realistic heterogeneity and planted irregularities, "
            "and write parties.csv, stations.csv, protocols.csv (what the commission received), "
            "true_protocols.csv (what was counted) and truth.csv (planted irregularities per "
            "station) into OUTDIR."
        ),
    )
    p.add_argument("outdir", metavar="OUTDIR", help="directory to write into (created if missing)")
    p.add_argument("--kyrgyz", action="store_true", help="Kyrgyzstan 2020 at its real scale")
    p.add_argument("--stations", type=int, default=None, help="number of stations")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--stuffing", type=float, default=0.0, help="share of stations stuffed")
    p.add_argument(
        "--vote-buying", type=int, default=0, metavar="N", help="districts with vote buying"
    )
    p.add_argument("--carousel", type=float, default=0.0, help="share of stations with carousels")
    p.add_argument(
        "--rewritten", type=float, default=0.0, help="share of stations whose protocol is rewritten"
    )
    p.add_argument(
        "--heterogeneity",
        type=float,
        default=1.0,
        help="multiplies every regional, district, urban and station spread (1.0)",
    )
    p.add_argument("--size-spread", type=float, default=0.45, help="log-sd of station sizes (0.45)")
    p.add_argument(
        "--stuffing-districts",
        type=int,
        default=0,
        metavar="N",
        help="cluster the stuffed stations in N districts (0: spread over the country)",
    )
    p.add_argument("--beneficiary", default=None, help="party that gains (default: the first)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Simulate and write the four files."""
    from shailoo.simulate import kyrgyz_2020, simulate_election

    for name in ("stuffing", "carousel", "rewritten"):
        value = getattr(args, name)
        if not 0.0 <= value <= 1.0:
            raise InputError(
                "must be a share between 0 and 1",
                column=f"--{name}",
                rule="share-range",
                values={name: value},
            )
    for name in ("heterogeneity", "size_spread"):
        if getattr(args, name) < 0:
            raise InputError(
                "must not be negative",
                column="--" + name.replace("_", "-"),
                rule="non-negative",
                values={name: getattr(args, name)},
            )
    for name in ("vote_buying", "stuffing_districts"):
        if getattr(args, name) < 0:
            raise InputError(
                "must not be negative",
                column="--" + name.replace("_", "-"),
                rule="non-negative",
                values={name: getattr(args, name)},
            )
    if args.stations is not None and args.stations < 1:
        raise InputError(
            "must be at least 1", column="--stations", rule="positive", values={"n": args.stations}
        )
    common = {
        "seed": args.seed,
        "stuffing": args.stuffing,
        "vote_buying_districts": args.vote_buying,
        "carousel": args.carousel,
        "rewritten": args.rewritten,
        "heterogeneity": args.heterogeneity,
        "size_spread": args.size_spread,
        "stuffing_districts": args.stuffing_districts,
    }
    from tqdm import tqdm

    bar = tqdm(
        total=6, desc="simulate", unit="step", file=sys.stderr, leave=False, disable=args.quiet
    )
    bar.set_postfix_str("draw")
    try:
        if args.kyrgyz:
            extra = {} if args.stations is None else {"n_stations": args.stations}
            sim = kyrgyz_2020(beneficiary=args.beneficiary or "birimdik", **common, **extra)
        else:
            sim = simulate_election(args.stations or 2_460, beneficiary=args.beneficiary, **common)
    except ValueError as exc:
        bar.close()
        raise InputError(str(exc), column="--beneficiary", rule="unknown-party") from exc
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("parties.csv", "stations.csv", "protocols.csv", "true_protocols.csv", "truth.csv"):
        bar.update(1)
        bar.set_postfix_str(name)
        path = out / name
        if name == "parties.csv":
            sim.write_parties_csv(path)
        elif name == "stations.csv":
            sim.write_stations_csv(path)
        elif name == "truth.csv":
            sim.write_truth_csv(path)
        else:
            sim.write_csv(path, true=name.startswith("true"))
    bar.update(1)
    bar.close()
    planted = {k: int(m.sum()) for k, m in sim.masks.items()}
    print(
        f"{sim.n_stations} stations, {int(sim.true.registered.sum())} registered, "
        f"planted {planted} for {sim.beneficiary}; files in {out}",
        file=sys.stdout,
    )
    return 0
