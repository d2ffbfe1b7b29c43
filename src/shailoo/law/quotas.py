"""Largest-remainder methods: Hare, Droop, Hagenbach-Bischoff and Imperiali quotas.

Each party gets as many seats as whole quotas in its votes; the seats left go one by one to the
largest remainders (Kyrgyz constitutional law on elections, art. 64, for Hare). All arithmetic
is on integers: with the quota ``q = num/den``, the whole seats are ``votes*den // num`` and the
remainders ``votes*den % num`` are compared in the same unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from shailoo.domain.errors import LawError
from shailoo.law.numbers import Number, decimal_text, to_json
from shailoo.law.ties import Tie, pick_largest

QUOTA_NAMES = {
    "hare": "Hare quota (votes / seats)",
    "droop": "Droop quota (votes / (seats + 1), rounded down, plus 1)",
    "hagenbach-bischoff": "Hagenbach-Bischoff quota (votes / (seats + 1))",
    "imperiali": "Imperiali quota (votes / (seats + 2))",
}


def quota(method: str, total_votes: int, seats: int) -> Number:
    """The quota of a largest-remainder method, exact.

    Droop is the classical whole-number form ``floor(V / (S + 1)) + 1``; Hagenbach-Bischoff and
    Imperiali are the exact fractions ``V / (S + 1)`` and ``V / (S + 2)``.
    """
    if method == "hare":
        return Fraction(total_votes, seats)
    if method == "droop":
        return total_votes // (seats + 1) + 1
    if method == "hagenbach-bischoff":
        return Fraction(total_votes, seats + 1)
    if method == "imperiali":
        return Fraction(total_votes, seats + 2)
    raise LawError(f"{method!r} is not a largest-remainder method")


@dataclass
class Apportionment:
    """Seats of one allocation run, with its quota, ties and explained steps."""

    seats: dict[str, int]
    quota: Number | None = None
    ties: list[Tie] = field(default_factory=list)
    steps: list[dict[str, object]] = field(default_factory=list)


def largest_remainder(
    votes: Mapping[str, int],
    seats: int,
    method: str,
    *,
    rule: str,
    seed: int,
    unit: str | None = None,
    explain: bool = True,
) -> Apportionment:
    """Allocate ``seats`` among ``votes`` (ballot order) by the largest-remainder ``method``."""
    total = sum(votes.values())
    if total <= 0:
        raise LawError("no votes to allocate seats from (the qualified parties have 0 votes)")
    q = Fraction(quota(method, total, seats))
    num, den = q.numerator, q.denominator
    won: dict[str, int] = {}
    rem: dict[str, int] = {}
    for party, v in votes.items():
        won[party], rem[party] = divmod(v * den, num)
    out = Apportionment(seats=won, quota=quota(method, total, seats))
    if explain:
        out.steps.append(
            {
                "step": "quota",
                "method": method,
                "quota": to_json(out.quota),
                "text": f"{QUOTA_NAMES[method]}: {total:,} votes, {seats} seats, quota "
                f"{decimal_text(q, 4)}",
            }
        )
        for party, v in votes.items():
            rv = Fraction(rem[party], den)
            out.steps.append(
                {
                    "step": "whole-quotas",
                    "party": party,
                    "seats": won[party],
                    "remainder": to_json(rv),
                    "text": f"{party}: {v:,} votes hold {won[party]} whole quota(s), "
                    f"remainder {decimal_text(rv, 2)} votes",
                }
            )
    shown = {p: Fraction(r, den) for p, r in rem.items()}
    left = seats - sum(won.values())
    parties = list(votes)
    while left >= len(parties):
        # only with a tiny electorate can the Droop quota leave a seat for every party;
        # the remainder list is then gone through again from the top
        for party in parties:
            won[party] += 1
        left -= len(parties)
        if explain:
            out.steps.append({"step": "remainder-round", "text": "every party gets one more seat"})
    if left > 0:
        winners, tie = pick_largest(
            rem,
            left,
            votes=votes,
            rule=rule,
            seed=seed,
            stage="remainder",
            shown=shown,
            unit=unit,
        )
        if tie is not None:
            out.ties.append(tie)
        for party in sorted(winners, key=lambda p: rem[p], reverse=True):
            won[party] += 1
            if explain:
                out.steps.append(
                    {
                        "step": "remainder-seat",
                        "party": party,
                        "remainder": to_json(shown[party]),
                        "text": f"{party} gets a remainder seat "
                        f"(remainder {decimal_text(shown[party], 2)} votes)",
                    }
                )
    while left < 0:
        # Hagenbach-Bischoff and Imperiali quotas can hand out more whole seats than exist.
        # Engine rule (documented in docs/law-files.md): the surplus is taken back from the
        # parties with the smallest remainders among those holding a seat, one seat per party
        # per round (more rounds only with a tiny electorate).
        holders = {p: -rem[p] for p in parties if won[p] > 0}
        losers, tie = pick_largest(
            holders,
            min(-left, len(holders)),
            votes={p: -votes[p] for p in holders},  # fewer votes gives back first
            rule=rule,
            seed=seed,
            stage="overallocation",
            shown=shown,
            unit=unit,
        )
        if tie is not None:
            out.ties.append(tie)
        for party in losers:
            won[party] -= 1
            if explain:
                out.steps.append(
                    {
                        "step": "overallocation",
                        "party": party,
                        "text": f"the quota gave {-left} seat(s) too many: {party} gives one "
                        f"back (smallest remainder)",
                    }
                )
        left += len(losers)
    return out
