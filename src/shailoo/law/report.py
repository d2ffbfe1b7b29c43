"""The readable table of an allocation, as ``shailoo seats`` prints it."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from shailoo.domain.model import VoteTotals
from shailoo.law.engine import Allocation
from shailoo.law.lawfile import Law
from shailoo.law.numbers import decimal_text, law_percent_text, percent_text
from shailoo.law.quotas import QUOTA_NAMES
from shailoo.law.thresholds import BASE_WORDS, base_total

METHOD_WORDS = {
    **{m: f"largest remainder, {QUOTA_NAMES[m]}" for m in QUOTA_NAMES},
    "dhondt": "highest averages, D'Hondt (divisors 1, 2, 3, ...)",
    "sainte-lague": "highest averages, Sainte-Laguë (divisors 1, 3, 5, ...)",
    "modified-sainte-lague": "highest averages, modified Sainte-Laguë",
    "imperiali-divisor": "highest averages, Imperiali (divisors 1, 1.5, 2, 2.5, ...)",
}


def describe_law(law: Law) -> list[str]:
    """The law in a few lines of plain words."""
    method = METHOD_WORDS[law.method]
    if law.method == "modified-sainte-lague" and law.first_divisor is not None:
        method += f" (divisors {decimal_text(law.first_divisor, 1)}, 3, 5, ...)"
    lines = [f"Law: {law.name} ({law.source})", f"  {law.seats} seats; {method}"]
    if law.threshold is not None:
        scope = "in each district, " if law.districts is not None else "national "
        lines.append(
            f"  {scope}threshold {law_percent_text(law.threshold)} of "
            f"{BASE_WORDS[law.threshold_base]} (a party exactly at it passes)"
        )
    for district, own in law.district_thresholds.items():
        lines.append(
            f"  in {district}: threshold {law_percent_text(own)} of "
            f"{BASE_WORDS[law.threshold_base]} (its own)"
        )
    if law.regional_threshold is not None:
        lines.append(
            f"  regional threshold {law_percent_text(law.regional_threshold)} of "
            f"{BASE_WORDS[law.regional_threshold_base]} in every region"
        )
    if law.max_seats_per_party is not None:
        share = (
            f" ({law_percent_text(law.max_seats_share)} of {law.seats})"
            if law.max_seats_share is not None
            else ""
        )
        lines.append(f"  at most {law.max_seats_per_party} seats per party{share}")
    if law.districts is not None:
        lines.append(f"  {len(law.districts)} districts, each allocated on its own")
    rule = "a lot" if law.ties == "lot" else "more votes, then a lot"
    seed = f" (seed {law.seed})" if law.seed is not None else ""
    lines.append(f"  ties broken by {rule}{seed}")
    return lines


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  " + "  ".join(cells).rstrip())
        if n == 0:
            out.append("  " + "  ".join("-" * w for w in widths))
    return out


def format_allocation(
    law: Law,
    alloc: Allocation,
    national: VoteTotals,
    regions: Mapping[str, VoteTotals] | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """The readable report: votes, share of each threshold base, passed or failed and why, the
    quota or divisor steps, ties, notes and seats. ``names`` maps party ids to the names to
    print (the ledger keys parties by id); parties missing from it are printed as they are."""
    shown = dict(names or {})

    def party_name(party: str) -> str:
        return shown.get(party, party)

    lines = describe_law(law)
    bases = ["party_votes"]
    if (law.threshold is not None or law.district_thresholds) and law.threshold_base not in bases:
        bases.append(law.threshold_base)
    base_sizes: dict[str, int | None] = {}
    for b in bases:
        try:
            base_sizes[b] = base_total(national, b)
        except Exception:  # a base line missing from the results: show a dash
            base_sizes[b] = None
    header = ["party", "votes"] + [f"% {BASE_WORDS[b]}" for b in bases] + ["threshold", "seats"]
    rows = [header]
    for party in alloc.seats:
        v = national.votes.get(party, 0)
        shares = []
        for b in bases:
            size = base_sizes[b]
            shares.append(percent_text(Fraction(v, size)) if size else "-")
        if party in alloc.excluded:
            status = "failed"
            if (
                party in alloc.regional_failures
                and alloc.regional_failures[party]
                and not (party in alloc.checks and not alloc.checks[party].passed)
            ):
                status = "failed (regional)"
            elif party in alloc.checks:
                status = "failed (national)"
        else:
            has_threshold = law.threshold or law.regional_threshold or law.district_thresholds
            status = "passed" if has_threshold else "-"
        rows.append([party_name(party), f"{v:,}", *shares, status, str(alloc.seats[party])])
    total_votes = sum(national.votes.values())
    rows.append(
        ["total", f"{total_votes:,}", *[""] * len(bases), "", str(sum(alloc.seats.values()))]
    )
    lines.append("")
    lines.extend(_table(rows, right=set(range(1, len(header)))))
    sizes = [f"{BASE_WORDS[b]} {s:,}" for b, s in base_sizes.items() if s is not None]
    if sizes:
        lines.append("  bases: " + "; ".join(sizes))
    if alloc.excluded:
        lines.append("")
        lines.append("Excluded:")
        for party, reason in alloc.excluded.items():
            lines.append(f"  {party_name(party)}: {reason}")
    for district, sub in alloc.districts.items():
        if sub.excluded:
            lines.append("")
            lines.append(f"Excluded in {district}:")
            for party, reason in sub.excluded.items():
                lines.append(f"  {party_name(party)}: {reason}")
    if alloc.steps:
        lines.append("")
        lines.append("Steps:")
        for step in alloc.steps:
            unit = f"[{step['unit']}] " if "unit" in step else ""
            lines.append(f"  {unit}{step['text']}")
    if alloc.ties:
        lines.append("")
        lines.append("Ties:")
        for tie in alloc.ties:
            lines.append(f"  {tie.describe()}")
    if alloc.notes:
        lines.append("")
        lines.append("Notes:")
        for note in alloc.notes:
            lines.append(f"  {note}")
    lines.append("")
    won = [f"{party_name(p)} {s}" for p, s in alloc.seats.items() if s > 0]
    lines.append("Seats: " + ", ".join(won))
    return "\n".join(lines)
