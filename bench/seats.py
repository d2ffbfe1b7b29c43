"""Benchmark and cross-check of the seat engine against votelib, in one run.

10,000 random elections (seeded, so every run sees the same ones): 2-15 parties, 5-150 seats,
every method of shailoo.law, thresholds of none, 3, 4, 5 or 7 % of party votes. About one
election in 40 is built with a party exactly at the threshold and one in 40 with two parties
of equal votes, because those are the edges where engines differ.

Both engines allocate every election; the script prints the time of each and the speed ratio,
then every disagreement with its explanation. Run:

    .venv/bin/python bench/seats.py            # 10,000 elections
    .venv/bin/python bench/seats.py -n 2000    # fewer
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from tqdm import tqdm

from shailoo.domain.model import VoteTotals
from shailoo.law import Law, allocate, parse_law

METHODS = {
    # ours -> votelib evaluator arguments
    "hare": ("lr", "hare"),
    "droop": ("lr", "droop"),
    "hagenbach-bischoff": ("lr", "hagenbach_bischoff"),
    "imperiali": ("lr", "imperiali"),
    "dhondt": ("ha", "d_hondt"),
    "sainte-lague": ("ha", "sainte_lague"),
    "modified-sainte-lague": ("ha", "sainte_lague"),
}
THRESHOLDS = (None, 3, 4, 5, 7)


@dataclass
class Case:
    """One random election."""

    method: str
    seats: int
    threshold: int | None
    first_divisor: str | None
    votes: dict[str, int]
    kind: str  # "random", "edge" (a party exactly at the threshold) or "equal"


def make_cases(n: int, seed: int) -> list[Case]:
    """Random elections, reproducible from ``seed``."""
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        method = rng.choice(list(METHODS))
        seats = rng.randint(5, 150)
        threshold = rng.choice(THRESHOLDS)
        first = rng.choice(["1.4", "1.2"]) if method == "modified-sainte-lague" else None
        parties = rng.randint(2, 15)
        # skewed shares, as in real party systems: a few large parties, a tail of small ones
        votes = {f"P{i}": max(1, int(rng.paretovariate(1.2) * 10_000)) for i in range(parties)}
        kind = "random"
        roll = rng.random()
        if roll < 0.025 and threshold is not None:
            # make P0 hold exactly threshold % of all party votes (total a multiple of 100)
            rest = sum(v for p, v in votes.items() if p != "P0")
            total = rest * 100 // (100 - threshold)
            total -= total % 100
            if total > rest:
                others = list(votes)[1:]
                scale = Fraction(total * (100 - threshold) // 100, rest)
                for p in others:
                    votes[p] = max(1, int(votes[p] * scale))
                drift = total * (100 - threshold) // 100 - sum(votes[p] for p in others)
                votes[others[0]] += drift
                votes["P0"] = total * threshold // 100
                if votes[others[0]] > 0 and sum(votes.values()) == total:
                    kind = "edge"
        elif roll < 0.05:
            votes["P1"] = votes["P0"]
            kind = "equal"
        cases.append(Case(method, seats, threshold, first, votes, kind))
    return cases


def law_text(case: Case) -> str:
    """The law file of a case (with a seed, so a lot is reproducible)."""
    lines = [f'name = "bench {case.method}"', f"seats = {case.seats}", f'method = "{case.method}"']
    if case.first_divisor:
        lines.append(f"first_divisor = {case.first_divisor}")
    if case.threshold is not None:
        lines.append(f'threshold = "{case.threshold}%"')
    lines.append('ties = "more-votes-then-lot"\nseed = 1')
    return "\n".join(lines) + "\n"


def votelib_evaluator(case: Case) -> object:
    """The votelib evaluator equal to the case's law."""
    import votelib.component.divisor
    import votelib.evaluate.core
    import votelib.evaluate.proportional
    import votelib.evaluate.threshold

    kind, name = METHODS[case.method]
    evaluator: object
    if kind == "lr":
        evaluator = votelib.evaluate.proportional.LargestRemainder(name, on_overaward="subtract")
    elif case.first_divisor:
        divisor = votelib.component.divisor.modified_first_coef(
            votelib.component.divisor.sainte_lague, Decimal(case.first_divisor)
        )
        evaluator = votelib.evaluate.proportional.HighestAverages(divisor)
    else:
        evaluator = votelib.evaluate.proportional.HighestAverages(name)
    if case.threshold is not None:
        evaluator = votelib.evaluate.core.Conditioned(
            votelib.evaluate.threshold.RelativeThreshold(
                Fraction(case.threshold, 100), accept_equal=True
            ),
            evaluator,
        )
    return evaluator


def explain(case: Case, ours: object, theirs: dict[object, int] | str) -> str:
    """Why the two engines disagree on this case, in plain words."""
    from shailoo.law import Allocation

    assert isinstance(ours, Allocation)
    if isinstance(theirs, str):
        return f"votelib raised an error: {theirs}"
    if any(not isinstance(k, str) for k in theirs):
        return (
            "tie: votelib returns an unresolved Tie placeholder; shailoo broke it by the law's "
            f"rule ({'; '.join(t.describe() for t in ours.ties) or 'see steps'})"
        )
    handed = sum(theirs.values())
    if handed != case.seats:
        return (
            f"seat count: votelib hands out {handed} of {case.seats} seats: with only "
            f"{len(ours.qualified)} qualified party/parties its 'subtract' over-award rule for "
            f"the {case.method} quota takes back too many; shailoo gives every seat"
        )
    if case.kind == "edge" and "P0" in ours.qualified and theirs.get("P0", 0) == 0:
        return (
            "threshold edge: P0 holds exactly the threshold; shailoo passes it (inclusive, exact "
            "integer test), votelib's RelativeThreshold(accept_equal=True) compares the vote "
            "count, not the share, with the threshold and so excludes it"
        )
    if case.method in ("imperiali", "hagenbach-bischoff") and any(
        s.get("step") == "overallocation" for s in ours.steps
    ):
        return (
            "over-allocation: the quota handed out more whole seats than exist; both engines "
            "take the surplus back from the smallest remainders but differ on the order"
        )
    if ours.ties:
        return "tie broken by shailoo: " + "; ".join(t.describe() for t in ours.ties)
    return "UNEXPLAINED"


def main() -> int:
    """Run the benchmark; exit 1 if any disagreement is unexplained."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=10_000, help="number of elections")
    parser.add_argument("--seed", type=int, default=20201004)
    args = parser.parse_args()
    cases = make_cases(args.n, args.seed)
    laws: dict[str, Law] = {}
    for case in cases:
        text = law_text(case)
        if text not in laws:
            laws[text] = parse_law(text, source="bench")
    case_laws = [laws[law_text(c)] for c in cases]
    totals = [VoteTotals(c.votes) for c in cases]
    evaluators = [votelib_evaluator(c) for c in cases]

    ours = []
    t0 = time.perf_counter()
    for law, vt in zip(tqdm(case_laws, desc="shailoo", file=sys.stderr), totals, strict=True):
        ours.append(allocate(law, vt, explain=False))
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    for law, vt in zip(case_laws, totals, strict=True):
        allocate(law, vt, explain=True)
    t_ours_explained = time.perf_counter() - t0

    theirs: list[dict[object, int] | str] = []
    t0 = time.perf_counter()
    for ev, case in zip(tqdm(evaluators, desc="votelib", file=sys.stderr), cases, strict=True):
        try:
            got = ev.evaluate(case.votes, case.seats)  # type: ignore[attr-defined]
            theirs.append(dict(got))
        except Exception as exc:  # votelib signals some ill-conditioned cases by raising
            theirs.append(f"{type(exc).__name__}: {exc}")
    t_theirs = time.perf_counter() - t0

    kinds = Counter(c.kind for c in cases)
    print(f"elections: {len(cases)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(
        f"shailoo.law (explain=False): {t_ours:.3f} s  ({1e6 * t_ours / len(cases):.0f} us/election)"
    )
    print(f"shailoo.law (explain=True):  {t_ours_explained:.3f} s")
    print(
        f"votelib 0.4:                 {t_theirs:.3f} s  ({1e6 * t_theirs / len(cases):.0f} us/election)"
    )
    print(
        f"speed ratio votelib / shailoo: {t_theirs / t_ours:.2f}x (explain=False), "
        f"{t_theirs / t_ours_explained:.2f}x (explain=True)"
    )

    reasons: Counter[str] = Counter()
    unexplained = 0
    print("\ndisagreements:")
    for i, (case, mine, other) in enumerate(zip(cases, ours, theirs, strict=True)):
        mine_won = {p: s for p, s in mine.seats.items() if s}
        if isinstance(other, dict) and mine_won == {p: s for p, s in other.items() if s}:
            continue
        why = explain(case, mine, other)
        reasons[why.split(":")[0]] += 1
        unexplained += why == "UNEXPLAINED"
        print(
            f"  #{i} {case.method} {case.seats} seats, threshold {case.threshold} %, "
            f"{case.kind}: shailoo {mine_won} votelib {other} -- {why}"
        )
    print(
        f"\n{sum(reasons.values())} disagreement(s) of {len(cases)}: "
        + (", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "none")
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
