"""Thresholds: the share of a declared base a party needs to take part in the allocation.

A party passes when ``votes / base >= threshold`` -- inclusive: a party exactly at the threshold
passes. The check is done on integers (``votes * den >= num * base``) so no rounding can move a
party across the line. Bases: party votes only, valid votes (party votes + against all), ballots
cast (valid + invalid, "voters who took part" in Kyrgyz law) or registered voters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from shailoo.domain.errors import LawError
from shailoo.domain.model import VoteTotals
from shailoo.law.numbers import law_percent_text, percent_text, to_json

BASE_WORDS = {
    "party_votes": "party votes",
    "valid": "valid votes",
    "ballots_cast": "ballots cast",
    "registered": "registered voters",
}


def base_total(totals: VoteTotals, base: str, unit: str = "the nation") -> int:
    """The size of a threshold base in one unit; :class:`LawError` when the line is missing."""
    if base == "party_votes":
        return totals.party_votes
    if base == "valid":
        if totals.against_all is None:
            raise LawError(f"the threshold base 'valid' needs the against-all votes of {unit}")
        return totals.party_votes + totals.against_all
    if base == "ballots_cast":
        if totals.ballots_cast is None:
            raise LawError(f"the threshold base 'ballots_cast' needs the ballots cast in {unit}")
        return totals.ballots_cast
    if base == "registered":
        if totals.registered is None:
            raise LawError(f"the threshold base 'registered' needs the registered voters of {unit}")
        return totals.registered
    raise LawError(f"unknown threshold base {base!r}")


def passes(votes: int, base: int, threshold: Fraction) -> bool:
    """True when ``votes`` is at least ``threshold`` of ``base`` (inclusive, exact)."""
    return votes * threshold.denominator >= threshold.numerator * base


@dataclass(frozen=True)
class Check:
    """One party against one threshold in one unit."""

    party: str
    unit: str
    votes: int
    base: int
    base_name: str
    threshold: Fraction
    passed: bool

    @property
    def share(self) -> Fraction:
        """The party's share of the base (0 when the base is empty)."""
        return Fraction(self.votes, self.base) if self.base else Fraction(0)

    def describe(self) -> str:
        """E.g. ``6.85 % of ballots cast (136,276 of 1,990,753)``."""
        return (
            f"{percent_text(self.share)} of {BASE_WORDS[self.base_name]} "
            f"({self.votes:,} of {self.base:,})"
        )

    def to_json(self) -> dict[str, object]:
        """JSON-safe form."""
        return {
            "unit": self.unit,
            "votes": self.votes,
            "base": self.base,
            "base_name": self.base_name,
            "share": to_json(self.share),
            "threshold": to_json(self.threshold),
            "passed": self.passed,
        }


def national_checks(
    totals: VoteTotals, threshold: Fraction, base_name: str, unit: str = "the nation"
) -> dict[str, Check]:
    """Check every party of ``totals`` against the national (or district) threshold."""
    base = base_total(totals, base_name, unit)
    return {
        p: Check(p, unit, v, base, base_name, threshold, passes(v, base, threshold))
        for p, v in totals.votes.items()
    }


def regional_checks(
    parties: list[str],
    regions: Mapping[str, VoteTotals],
    threshold: Fraction,
    base_name: str,
) -> dict[str, list[Check]]:
    """For each party, the regions where it is below the regional threshold (empty: passed)."""
    failed: dict[str, list[Check]] = {p: [] for p in parties}
    for region, totals in regions.items():
        base = base_total(totals, base_name, f"region {region}")
        for p in parties:
            v = totals.votes.get(p, 0)
            if not passes(v, base, threshold):
                failed[p].append(Check(p, region, v, base, base_name, threshold, False))
    return failed


def national_reason(check: Check, kind: str = "national") -> str:
    """Plain words for a party below the national (or district) threshold."""
    return f"{check.describe()} is below the {law_percent_text(check.threshold)} {kind} threshold"


def regional_reason(failed: list[Check]) -> str:
    """Plain words for a party below the regional threshold somewhere."""
    first = failed[0]
    where = "; ".join(f"{c.unit}: {c.describe()}" for c in failed)
    return (
        f"below the {law_percent_text(first.threshold)} regional threshold on "
        f"{BASE_WORDS[first.base_name]} in {len(failed)} region(s) -- {where}"
    )
