"""Highest-averages methods: D'Hondt, Sainte-Laguë, modified Sainte-Laguë and Imperiali.

Seats go one at a time to the largest quotient ``votes / divisor(seats so far)``. Divisors are
D'Hondt 1, 2, 3, …; Sainte-Laguë 1, 3, 5, …; Imperiali 1, 1.5, 2, 2.5, …; modified Sainte-Laguë ``f``, 3, 5, … where the law
sets the first divisor ``f`` (1.4 in Norway, Election Act § 11-4; 1.2 in Sweden since 2018,
Vallag 14 kap. 3 §). Quotients are compared exactly by cross-multiplication on integers: the
divisors are scaled by the denominator of ``f`` so that every one is a whole number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

from shailoo.law.numbers import decimal_text, to_json
from shailoo.law.quotas import Apportionment
from shailoo.law.ties import break_tie


def scaled_divisors(
    method: str, first_divisor: Fraction | None
) -> tuple[Callable[[int], int], int]:
    """Return ``(divisor, scale)``: ``divisor(s)`` is the divisor for a party holding ``s`` seats,
    multiplied by ``scale`` so that it is an integer."""
    if method == "dhondt":
        return (lambda s: s + 1), 1
    if method == "sainte-lague":
        return (lambda s: 2 * s + 1), 1
    if method == "imperiali-divisor":
        # 1, 1.5, 2, 2.5, ... (the same order as 2, 3, 4, ...): Belgian municipal and provincial
        # councils, Code wallon de la démocratie locale art. L4145-15 and the Flemish
        # Lokaal en Provinciaal Kiesdecreet (until 2024)
        return (lambda s: s + 2), 2
    f = first_divisor if first_divisor is not None else Fraction(7, 5)
    p, q = f.numerator, f.denominator
    return (lambda s: p if s == 0 else q * (2 * s + 1)), q


def highest_averages(
    votes: Mapping[str, int],
    seats: int,
    method: str,
    *,
    first_divisor: Fraction | None = None,
    rule: str,
    seed: int,
    unit: str | None = None,
    explain: bool = True,
) -> Apportionment:
    """Allocate ``seats`` among ``votes`` (ballot order) by the highest-averages ``method``."""
    divisor, scale = scaled_divisors(method, first_divisor)
    won = dict.fromkeys(votes, 0)
    div = {p: divisor(0) for p in votes}
    out = Apportionment(seats=won, quota=None)
    parties = list(votes)
    left = seats
    seat_no = 0
    while left > 0:
        best: list[str] = []
        bv, bd = 0, 1
        for p in parties:
            v, d = votes[p], div[p]
            if not best:
                best, bv, bd = [p], v, d
                continue
            lhs, rhs = v * bd, bv * d
            if lhs > rhs:
                best, bv, bd = [p], v, d
            elif lhs == rhs:
                best.append(p)
        if len(best) > left:
            value = Fraction(bv * scale, bd)
            tie = break_tie(
                best,
                left,
                votes=votes,
                rule=rule,
                seed=seed,
                stage="quotient",
                value=value,
                unit=unit,
            )
            out.ties.append(tie)
            best = list(tie.winners)
        for p in best:
            seat_no += 1
            if explain:
                quotient = Fraction(votes[p] * scale, div[p])
                shown_div = Fraction(div[p], scale)
                out.steps.append(
                    {
                        "step": "seat",
                        "seat": seat_no,
                        "party": p,
                        "divisor": to_json(shown_div),
                        "quotient": to_json(quotient),
                        "text": f"seat {seat_no}: {p}, {votes[p]:,} / "
                        f"{decimal_text(shown_div, 1)} = {decimal_text(quotient, 2)}",
                    }
                )
            won[p] += 1
            div[p] = divisor(won[p])
        left -= len(best)
    return out
