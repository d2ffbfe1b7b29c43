"""Ties: explicit values, broken only by the rule the law declares.

A tie happens when several parties have exactly the same claim (remainder or quotient) on fewer
seats than there are parties. The law says how it is broken:

* ``lot`` -- a lot decides at once;
* ``more-votes-then-lot`` -- the party with more votes wins; a lot decides among equal votes.

The lot is reproducible from the law's ``seed``: parties are ranked by the SHA-256 digest of the
text ``"<seed>:<party>"`` (smallest digest first). Anyone can redo the draw with one line of any
language, and the seed is printed with every tie.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from shailoo.law.numbers import Number, to_json

TIE_RULES = ("lot", "more-votes-then-lot")


def lot_key(seed: int, party: str) -> str:
    """The lot ticket of a party: SHA-256 of ``"<seed>:<party>"`` in hex (smaller draws first)."""
    return hashlib.sha256(f"{seed}:{party}".encode()).hexdigest()


@dataclass(frozen=True)
class Tie:
    """A tie and how it was broken.

    ``stage`` says which decision it was (``remainder``, ``quotient``, ``overallocation``),
    ``unit`` the district (``None`` for a single national allocation), ``parties`` the tied
    parties in ballot order, ``seats`` how many of them get the contested seats, ``value`` the
    equal claim, ``rule`` the law's rule, ``decided_by`` what actually decided (``more votes`` or
    ``lot``), ``winners`` the parties that got a seat and ``seed`` the seed when a lot was drawn.
    """

    stage: str
    parties: tuple[str, ...]
    seats: int
    value: Number
    rule: str
    decided_by: str
    winners: tuple[str, ...]
    seed: int | None = None
    unit: str | None = None

    def to_json(self) -> dict[str, object]:
        """JSON-safe form (Fractions as ``"p/q"``)."""
        return {
            "stage": self.stage,
            "unit": self.unit,
            "parties": list(self.parties),
            "seats": self.seats,
            "value": to_json(self.value),
            "rule": self.rule,
            "decided_by": self.decided_by,
            "winners": list(self.winners),
            "seed": self.seed,
        }

    def describe(self) -> str:
        """One sentence for people."""
        value = self.value
        shown = (
            str(value)
            if not isinstance(value, Fraction) or value.denominator == 1
            else f"{value.numerator}/{value.denominator}"
        )
        where = f" in {self.unit}" if self.unit else ""
        lot = f" (lot from seed {self.seed})" if self.seed is not None else ""
        return (
            f"tie{where} at the {self.stage} stage: {', '.join(self.parties)} all at {shown} "
            f"for {self.seats} seat(s); decided by {self.decided_by}{lot}: "
            f"{', '.join(self.winners)}"
        )


def break_tie(
    tied: Sequence[str],
    seats: int,
    *,
    votes: Mapping[str, int],
    rule: str,
    seed: int,
    stage: str,
    value: Number,
    unit: str | None = None,
) -> Tie:
    """Choose ``seats`` winners among ``tied`` by the law's rule and return the explicit Tie."""
    if rule == "more-votes-then-lot":
        order = sorted(tied, key=lambda p: (-votes[p], lot_key(seed, p)))
        cut_votes = votes[order[seats - 1]]
        # the lot decides only if the votes are equal across the cut
        if seats < len(order) and votes[order[seats]] == cut_votes:
            decided_by = "more votes, then lot"
            used_seed: int | None = seed
        else:
            decided_by = "more votes"
            used_seed = None
    else:
        order = sorted(tied, key=lambda p: lot_key(seed, p))
        decided_by = "lot"
        used_seed = seed
    chosen = set(order[:seats])
    return Tie(
        stage=stage,
        parties=tuple(tied),
        seats=seats,
        value=value,
        rule=rule,
        decided_by=decided_by,
        winners=tuple(p for p in tied if p in chosen),
        seed=used_seed,
        unit=unit,
    )


def pick_largest(
    claims: Mapping[str, Number],
    k: int,
    *,
    votes: Mapping[str, int],
    rule: str,
    seed: int,
    stage: str,
    shown: Mapping[str, Number] | None = None,
    unit: str | None = None,
) -> tuple[list[str], Tie | None]:
    """The ``k`` parties with the largest claims, in ballot order, and the Tie at the cut if any.

    ``claims`` is in ballot order; ``shown`` gives the value to report for a tied claim when the
    claims are scaled for speed (defaults to the claim itself). Only a tie *across the cut*
    matters: equal claims that all win (or all lose) are not a tie.
    """
    parties = list(claims)
    if k <= 0:
        return [], None
    if k >= len(parties):
        return parties, None
    order = sorted(parties, key=lambda p: claims[p], reverse=True)  # stable: ballot order kept
    cut = claims[order[k - 1]]
    if claims[order[k]] != cut:
        chosen = set(order[:k])
        return [p for p in parties if p in chosen], None
    above = [p for p in parties if claims[p] > cut]
    tied = [p for p in parties if claims[p] == cut]
    tie = break_tie(
        tied,
        k - len(above),
        votes=votes,
        rule=rule,
        seed=seed,
        stage=stage,
        value=(shown or claims)[tied[0]],
        unit=unit,
    )
    chosen = set(above) | set(tie.winners)
    return [p for p in parties if p in chosen], tie
