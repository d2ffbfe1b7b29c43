"""``shailoo pvt``: design the parallel vote tabulation sample, estimate, compare with official."""

from __future__ import annotations

import argparse

from shailoo.cli import add_action, add_command
from shailoo.cli.observer import add_common, author_of, open_election, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo pvt design|sample|estimate``."""
    p = add_command(
        sub,
        "pvt",
        "Parallel vote tabulation: sample design, estimates with 95 percent intervals, comparison.",
        example="shailoo pvt design --db kg.db --margin 0.01 --design-effect 20 --seed 2020",
        description=(
            "A quick count after NDI's handbook: a sample of stations stratified by region, its\n"
            "size from the wanted margin of error; observers file their copies of the sampled\n"
            "stations (shailoo observer copies); the estimate gives each party's share and the\n"
            "turnout with confidence intervals (ratio estimator, stations as clusters) and says\n"
            "which official figures fall outside them, and by how much.\n\n"
            "  shailoo pvt design --db kg.db --margin E [--confidence 0.95] [--design-effect D]\n"
            "        [--expected-turnout T] [--seed N] [--replace REASON]\n"
            "  shailoo pvt sample [--json]          the sampled stations by region\n"
            "  shailoo pvt estimate [--denominator ballots_cast|valid] [--json]\n\n"
            "The design effect (1 + (m-1)*rho for stations of m voters) widens the sample for\n"
            "clustering; measure it on a previous election with --design-effect-from ELECTION.\n"
            "Each figure has its own interval; with many figures some fall outside by chance\n"
            "(at 95 %, one in twenty), so the verdict also uses intervals adjusted for the\n"
            "number of figures (Bonferroni). Exit 1 from estimate when an official figure\n"
            "falls outside its adjusted interval."
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    d = add_action(
        actions,
        "design",
        "draw and record the sample",
        example="shailoo pvt design --db kg.db --margin 0.01 --design-effect 20 --seed 2020",
    )
    d.add_argument("--margin", type=float, required=True, help="wanted margin, 0.01 = 1 point")
    d.add_argument("--confidence", type=float, default=0.95)
    deff = d.add_mutually_exclusive_group()
    deff.add_argument("--design-effect", type=float, default=1.0)
    deff.add_argument(
        "--design-effect-from",
        metavar="ELECTION",
        help="measure the design effect on another election in the same database (e.g. the "
        "previous one, or the annulled one before a re-run)",
    )
    d.add_argument("--expected-turnout", type=float, default=1.0)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument(
        "--replace",
        metavar="REASON",
        help="replace an existing design, saying why (every redraw stays on record)",
    )
    add_common(d, author=True)
    d.set_defaults(handler=run_design)
    s = add_action(
        actions,
        "sample",
        "print the recorded sample",
        example="shailoo pvt sample --db kg.db --json",
    )
    s.add_argument("--json", action="store_true")
    add_common(s)
    s.set_defaults(handler=run_sample)
    e = add_action(
        actions,
        "estimate",
        "estimate and compare with the official results",
        example="shailoo pvt estimate --db kg.db --denominator ballots_cast",
    )
    e.add_argument(
        "--denominator",
        choices=("ballots_cast", "valid"),
        default="ballots_cast",
        help="share of ballots cast (Kyrgyz law's base) or of valid votes",
    )
    e.add_argument("--json", action="store_true")
    add_common(e)
    e.set_defaults(handler=run_estimate)


def run_design(args: argparse.Namespace) -> int:
    """Draw and record the sample."""
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        if args.design_effect_from:
            args.design_effect = service.design_effect_of_election(store, args.design_effect_from)
        d = service.design_pvt(
            store,
            eid,
            args.margin,
            author_of(args),
            confidence=args.confidence,
            seed=args.seed,
            design_effect=args.design_effect,
            replace_reason=args.replace,
            expected_turnout=args.expected_turnout,
        )
    print(
        f"PVT sample of {len(d.sample):,} stations ({d.voters_needed:,} voters needed for "
        f"a margin of {100 * d.margin_of_error:g} percentage points at "
        f"{100 * d.confidence:g} % confidence, design effect "
        f"{d.design_effect:g}), seed {d.seed}"
    )
    for region, n in sorted(d.allocation().items()):
        print(f"  {region}: {n:,} of {d.strata[region]:,}")
    return 0


def run_sample(args: argparse.Namespace) -> int:
    """Print the recorded sample."""
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        d = service.current_design(store, eid)
    if args.json:
        print_json(d.to_payload())
        return 0
    for sid in d.sample:
        print(f"{sid}\t{d.region_of[sid]}")
    return 0


def run_estimate(args: argparse.Namespace) -> int:
    """Estimate and compare."""
    from shailoo.observe import service

    store, eid = open_election(args)
    with store:
        report = service.pvt_report(store, eid, denominator=args.denominator)
        names = {p.id: p.name for p in store.election(eid).parties}
    if args.json:
        print_json(report.to_dict())
    else:
        est = report.estimate
        print(
            f"PVT: {est.reported:,} of {est.sampled:,} sampled stations reported; "
            f"{100 * est.confidence:g} % intervals; shares of {est.denominator}"
        )
        if report.designs > 1:
            print(
                f"note: the sample was drawn {report.designs} times; the reasons are in the "
                "ledger (pvt.designed events)"
            )
        print(f"{'line':<24}{'official':>10}{'estimate':>10}{'low':>10}{'high':>10}  verdict")
        for c in report.comparisons:
            verdict = "inside"
            if c.outside:
                verdict = f"OUTSIDE by {100 * c.distance:+.2f} points"
                if c.outside_adjusted:
                    verdict += ", also outside the adjusted interval"
            print(
                f"{names.get(c.line, c.line)[:24]:<24}{100 * c.official:>9.2f}%{100 * c.estimate:>9.2f}%"
                f"{100 * c.low:>9.2f}%{100 * c.high:>9.2f}%  {verdict}"
            )
        if not report.comparisons:
            # An annulled election (or one with nothing counted yet) has no official figures:
            # show the estimates alone rather than an empty comparison table.
            print("no official figures to compare (annulled, or nothing counted yet); estimates:")
            for line, iv in [*est.shares.items(), ("turnout", est.turnout)]:
                print(
                    f"{names.get(line, line)[:24]:<24}{'—':>10}{100 * iv.estimate:>9.2f}%"
                    f"{100 * iv.low:>9.2f}%{100 * iv.high:>9.2f}%"
                )
        else:
            k = len(report.comparisons)
            flagged = [names.get(c.line, c.line) for c in report.comparisons if c.outside_adjusted]
            print(
                f"Adjusted for {k} figures compared at once (Bonferroni): "
                + (
                    f"official {', '.join(flagged)} outside."
                    if flagged
                    else "no official figure "
                    "outside; single figures outside their own interval can be chance."
                )
            )
        if est.missing:
            print(
                f"missing copies: {', '.join(est.missing[:20])}"
                + (" ..." if len(est.missing) > 20 else "")
            )
    return 1 if any(c.outside_adjusted for c in report.comparisons) else 0
