"""The allocation of seats under a :class:`~shailoo.law.lawfile.Law`.

Order of work, as party-list laws describe it: thresholds decide which lists qualify; the
method divides the seats among the qualified lists; the cap on seats per party is applied by
fixing a capped party at the cap and dividing the seats left among the others by the same
method (repeated until no party is above the cap). With ``[districts]`` each district is
allocated on its own with its own threshold and the seats are summed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shailoo.domain.errors import LawError
from shailoo.domain.model import VoteTotals
from shailoo.law.divisors import highest_averages
from shailoo.law.lawfile import Law
from shailoo.law.numbers import Number, to_json
from shailoo.law.quotas import Apportionment, largest_remainder
from shailoo.law.thresholds import (
    BASE_WORDS,
    Check,
    national_checks,
    national_reason,
    regional_checks,
    regional_reason,
)
from shailoo.law.ties import Tie

Json = dict[str, object]


@dataclass
class Allocation:
    """The outcome of :func:`allocate`.

    ``seats`` has every party, 0 included, in ballot order; ``qualified`` the parties that took
    part in the allocation; ``excluded`` maps each other party to the reason in plain words;
    ``quota`` is the largest-remainder quota (``None`` for divisor methods; a mapping per district
    with ``[districts]``); ``ties`` every tie met and how the law broke it; ``steps`` the
    explained steps (each a JSON-safe dict with a ``text``); ``notes`` what the reader must know
    (e.g. a threshold that could not be checked).
    """

    seats: dict[str, int]
    qualified: list[str]
    excluded: dict[str, str]
    quota: Number | dict[str, Number | None] | None = None
    ties: list[Tie] = field(default_factory=list)
    steps: list[Json] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: dict[str, Check] = field(default_factory=dict)
    regional_failures: dict[str, list[Check]] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)
    seed: int | None = None
    districts: dict[str, Allocation] = field(default_factory=dict)

    def to_json(self) -> Json:
        """``{"seats", "qualified", "excluded", "quota", "ties", "steps"}`` plus ``notes``,
        ``capped``, ``seed`` (when a lot was drawn) and ``districts``; Fractions as ``"p/q"``."""
        if isinstance(self.quota, dict):
            quota: object = {d: to_json(q) for d, q in self.quota.items()}
        else:
            quota = to_json(self.quota)
        out: Json = {
            "seats": dict(self.seats),
            "qualified": list(self.qualified),
            "excluded": dict(self.excluded),
            "quota": quota,
            "ties": [t.to_json() for t in self.ties],
            "steps": [dict(s) for s in self.steps],
            "notes": list(self.notes),
            "capped": list(self.capped),
            "seed": self.seed,
        }
        if self.districts:
            out["districts"] = {d: a.to_json() for d, a in self.districts.items()}
        return out


def _apportion(
    law: Law, votes: Mapping[str, int], seats: int, unit: str | None, explain: bool
) -> Apportionment:
    if law.is_quota_method:
        return largest_remainder(
            votes,
            seats,
            law.method,
            rule=law.ties,
            seed=law.lot_seed,
            unit=unit,
            explain=explain,
        )
    return highest_averages(
        votes,
        seats,
        law.method,
        first_divisor=law.first_divisor,
        rule=law.ties,
        seed=law.lot_seed,
        unit=unit,
        explain=explain,
    )


def _allocate_unit(
    law: Law,
    totals: VoteTotals,
    regions: Mapping[str, VoteTotals] | None,
    seats: int,
    unit: str | None,
    explain: bool,
) -> Allocation:
    parties = list(totals.votes)
    for p, v in totals.votes.items():
        if v < 0:
            raise LawError(f"{p} has negative votes ({v})")
    out = Allocation(seats=dict.fromkeys(parties, 0), qualified=[], excluded={})
    where = unit or "the nation"
    qualified = list(parties)
    threshold = law.threshold_of(unit)
    if threshold is not None:
        kind = "district" if unit else "national"
        out.checks = national_checks(totals, threshold, law.threshold_base, where)
        # without explanations (callers that allocate thousands of times) the reason is the
        # short one, built once: formatting every share exactly costs more than the allocation
        short = None if explain else f"below the {kind} threshold"
        for p in parties:
            if not out.checks[p].passed:
                out.excluded[p] = short or national_reason(out.checks[p], kind)
        qualified = [p for p in qualified if p not in out.excluded]
    if law.regional_threshold is not None and unit is None:
        if regions:
            out.regional_failures = regional_checks(
                parties, regions, law.regional_threshold, law.regional_threshold_base
            )
            for p in parties:
                failed = out.regional_failures[p]
                if failed and p not in out.excluded:
                    out.excluded[p] = (
                        regional_reason(failed)
                        if explain
                        else f"below the regional threshold in {', '.join(c.unit for c in failed)}"
                    )
            qualified = [p for p in qualified if p not in out.excluded]
        else:
            out.notes.append(
                "regional threshold not checked: the results give national figures only, so the "
                f"{to_percent(law)} regional threshold on "
                f"{BASE_WORDS[law.regional_threshold_base]} could not be applied; seats are "
                "allocated on the other rules"
            )
    out.qualified = qualified
    if not qualified:
        raise LawError(f"no party passes the threshold in {where}: no seat can be allocated")
    if sum(totals.votes[p] for p in qualified) == 0:
        raise LawError(f"the qualified parties have no votes in {where}: no seat can be allocated")

    cap = law.max_seats_per_party
    if cap is not None and cap * len(qualified) < seats:
        raise LawError(
            f"the cap of {cap} seats per party cannot be met: {len(qualified)} qualified "
            f"parties can hold at most {cap * len(qualified)} of {seats} seats"
        )
    fixed: dict[str, int] = {}
    while True:
        free = {p: totals.votes[p] for p in qualified if p not in fixed}
        run = _apportion(law, free, seats - sum(fixed.values()), unit, explain)
        out.ties.extend(run.ties)
        out.steps.extend(run.steps)
        if out.quota is None:
            out.quota = run.quota
        over = [p for p, s in run.seats.items() if cap is not None and s > cap]
        if not over:
            break
        assert cap is not None
        for p in over:
            fixed[p] = cap
            out.capped.append(p)
            if explain:
                out.steps.append(
                    {
                        "step": "cap",
                        "party": p,
                        "seats": run.seats[p],
                        "cap": cap,
                        "text": f"{p} would get {run.seats[p]} seats, above the cap of {cap}: "
                        f"it keeps {cap} and the other seats are divided again among the "
                        f"other parties by the same method",
                    }
                )
        out.ties.clear()  # only the ties of the final run decided anything
        out.quota = None
    for p, s in run.seats.items():
        out.seats[p] = s
    for p, s in fixed.items():
        out.seats[p] = s
    if out.ties and any(t.seed is not None for t in out.ties):
        out.seed = law.lot_seed
        if law.seed is None:
            out.notes.append("a lot was drawn with seed 0: the law file gives no seed")
    return out


def to_percent(law: Law) -> str:
    """The regional threshold of ``law`` as the law wrote it (``0.7 %``)."""
    from shailoo.law.numbers import law_percent_text

    assert law.regional_threshold is not None
    return law_percent_text(law.regional_threshold)


def allocate(
    law: Law,
    national: VoteTotals,
    regions: Mapping[str, VoteTotals] | None = None,
    districts: Mapping[str, VoteTotals] | None = None,
    *,
    explain: bool = True,
) -> Allocation:
    """Allocate the seats of ``law`` on the given results.

    ``national`` holds the nation's totals (party votes in ballot order, and the base lines the
    law needs). ``regions`` are needed to check a regional threshold; without them the result
    says plainly that it was not checked. ``districts`` are needed when the law has
    ``[districts]``. ``explain=False`` skips the step texts and gives short exclusion reasons
    (for callers that allocate thousands of times; the seats are the same). Raises :class:`LawError` when the law cannot be applied to these results.
    """
    if law.districts is None:
        out = _allocate_unit(law, national, regions, law.seats, None, explain)
        out.notes[:0] = law.readings
        return out
    if districts is None:
        raise LawError(f"the law {law.name!r} has districts: the results must give each district")
    missing = [d for d in law.districts if d not in districts]
    if missing:
        raise LawError(f"the results lack the district(s) {', '.join(missing)}")
    extra = [d for d in districts if d not in law.districts]
    if extra:
        raise LawError(f"the law {law.name!r} has no district(s) {', '.join(extra)}")
    parties = list(national.votes)
    for totals in districts.values():
        parties.extend(p for p in totals.votes if p not in parties)
    out = Allocation(seats=dict.fromkeys(parties, 0), qualified=[], excluded={})
    quotas: dict[str, Number | None] = {}
    for d, seats in law.districts.items():
        sub = _allocate_unit(law, districts[d], None, seats, d, explain)
        out.districts[d] = sub
        quotas[d] = sub.quota if not isinstance(sub.quota, dict) else None
        for p, s in sub.seats.items():
            out.seats[p] += s
        out.ties.extend(sub.ties)
        out.steps.extend({**s, "unit": d} for s in sub.steps)
        for note in sub.notes:
            out.notes.append(f"{d}: {note}")
        if sub.seed is not None:
            out.seed = sub.seed
    out.quota = quotas
    out.notes[:0] = law.readings
    out.qualified = [p for p in parties if any(p in a.qualified for a in out.districts.values())]
    for p in parties:
        if p not in out.qualified:
            out.excluded[p] = "below the threshold in every district where it stood"
    if law.regional_threshold is not None:
        out.notes.append(
            "regional threshold not checked: it is not applied together with [districts]"
        )
    return out
