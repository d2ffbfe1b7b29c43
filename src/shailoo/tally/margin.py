"""The margin of the outcome: the fewest votes that, moved between two parties, change the seats.

A *move* takes ``v`` votes from party A and gives them to party B in the same place, so every
threshold base (ballots cast, valid votes, party votes, registered) stays as it is; only A's and
B's figures change. For each ordered pair (A, B) the search looks for the smallest ``v`` whose
allocation — by the election's own law, through :func:`shailoo.law.allocate` — differs from the
actual one.

Why a search over ``v`` with bisection is sound here:

* Whether A qualifies can only flip once as ``v`` grows (its share of every fixed base falls);
  so can B's (its shares rise). Bisection finds both crossings exactly; they cut ``1..v_max``
  into segments in which the set of qualified parties is fixed.
* Inside a segment in which A and B both qualify, the quota (largest remainder) or the divisor
  sequence of every other party is fixed, A's seats can only fall and B's only rise, and the
  other parties' seats change only if A's or B's do (they share the remaining seats by the same
  unchanged ranking). So "the allocation differs" is monotone in ``v`` and bisection finds its
  first ``v``. The same holds for divisor methods when only one of the two qualifies (the other
  parties' quotients do not move).
* With a largest-remainder quota and exactly one of A, B qualified, the quota itself moves with
  ``v`` and third parties' remainders can reorder back and forth. Such segments are scanned
  vote by vote when short (``scan_limit``); a longer one is bisected and the result flagged
  ``exact=False`` (an upper bound).

With a regional threshold, where the votes move matters: the search tries a move inside each
single region, a move spread over the regions where A has most to spare (so that A stays above
every regional threshold as long as it can), and a move that first fills B's shortfalls in the
regions where B fails. With ``[districts]`` each district is allocated on its own, so a move
inside one district is enough. Verified against brute force on small elections
(``tests/tally/test_margin.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from shailoo.domain.errors import LawError
from shailoo.domain.model import VoteTotals

if TYPE_CHECKING:
    from shailoo.law import Allocation, Law
    from shailoo.tally.projection import Tally

#: a segment of at most this many votes is scanned vote by vote when bisection is not sound
SCAN_LIMIT = 3000

Outcome = tuple[tuple[tuple[str, int], ...], frozenset[str]] | str


@dataclass(frozen=True)
class Move:
    """The smallest change found: ``votes`` moved from ``source`` to ``target`` in ``where``."""

    votes: int
    source: str
    target: str
    where: str
    seats_before: Mapping[str, int]
    seats_after: Mapping[str, int] | None
    decided_by: str
    exact: bool = True
    plan: Mapping[str, int] = field(default_factory=dict)

    @property
    def gains(self) -> dict[str, int]:
        """Parties whose seats rise, and by how many."""
        after = self.seats_after or {}
        return {p: after[p] - s for p, s in self.seats_before.items() if after.get(p, 0) > s}

    @property
    def loses(self) -> dict[str, int]:
        """Parties whose seats fall, and by how many."""
        after = self.seats_after or {}
        return {p: s - after.get(p, 0) for p, s in self.seats_before.items() if after.get(p, 0) < s}

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "votes": self.votes,
            "from": self.source,
            "to": self.target,
            "where": self.where,
            "plan": dict(self.plan),
            "gains": self.gains,
            "loses": self.loses,
            "seats_before": dict(self.seats_before),
            "seats_after": None if self.seats_after is None else dict(self.seats_after),
            "decided_by": self.decided_by,
            "exact": self.exact,
        }


@dataclass(frozen=True)
class Disputed:
    """Ballots whose fate is open: annulled, not yet reported, or under an open incident."""

    annulled: Mapping[str, int]
    missing: Mapping[str, int]
    flagged: Mapping[str, int]

    @property
    def ballots(self) -> int:
        """Ballots in all disputed stations (registered voters for stations not yet reported)."""
        return sum(self.annulled.values()) + sum(self.missing.values()) + sum(self.flagged.values())

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form: per category the number of stations and of ballots."""
        return {
            k: {"stations": len(v), "ballots": sum(v.values())}
            for k, v in (
                ("annulled", self.annulled),
                ("missing", self.missing),
                ("flagged", self.flagged),
            )
        } | {"ballots": self.ballots}


@dataclass(frozen=True)
class Margin:
    """The margin of the outcome and whether the disputed ballots could overturn it."""

    seats: Mapping[str, int]
    move: Move | None
    disputed: Disputed | None = None

    @property
    def could_change(self) -> bool | None:
        """True if the disputed ballots are at least the votes that must move (None if unknown).

        A conservative reading: each disputed ballot could have been cast otherwise, so as many
        disputed ballots as the margin could carry the move.
        """
        if self.disputed is None or self.move is None:
            return None if self.disputed is None else False
        return self.disputed.ballots >= self.move.votes

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "seats": dict(self.seats),
            "margin": None if self.move is None else self.move.to_json(),
            "disputed": None if self.disputed is None else self.disputed.to_json(),
            "disputed_could_change_outcome": self.could_change,
        }


class _Evaluator:
    """Allocates for moved votes, remembering outcomes already computed."""

    def __init__(
        self,
        law: Law,
        national: VoteTotals,
        regions: Mapping[str, VoteTotals] | None,
        districts: Mapping[str, VoteTotals] | None,
    ) -> None:
        self.law = law
        self.national = national
        self.regions = dict(regions) if regions else None
        self.districts = dict(districts) if districts else None
        self.calls = 0

    def outcome(self, a: str, b: str, plan: Mapping[str, int], kind: str) -> Outcome:
        """Allocate with ``plan`` (area -> votes moved there) applied; seats and qualified set."""
        from shailoo.law import allocate

        v = sum(plan.values())
        national = _moved(self.national, a, b, v)
        regions, districts = self.regions, self.districts
        if kind == "region" and regions is not None:
            regions = {r: _moved(t, a, b, plan.get(r, 0)) for r, t in regions.items()}
        if kind == "district" and districts is not None:
            districts = {d: _moved(t, a, b, plan.get(d, 0)) for d, t in districts.items()}
        self.calls += 1
        try:
            alloc = allocate(self.law, national, regions, districts, explain=False)
        except LawError as exc:
            return f"no allocation: {exc}"
        return tuple(alloc.seats.items()), frozenset(alloc.qualified)

    def allocation(self, plan: Mapping[str, int], a: str, b: str, kind: str) -> Allocation | None:
        """The full allocation for a plan (for explaining the result)."""
        from shailoo.law import allocate

        v = sum(plan.values())
        regions, districts = self.regions, self.districts
        if kind == "region" and regions is not None:
            regions = {r: _moved(t, a, b, plan.get(r, 0)) for r, t in regions.items()}
        if kind == "district" and districts is not None:
            districts = {d: _moved(t, a, b, plan.get(d, 0)) for d, t in districts.items()}
        try:
            return allocate(
                self.law, _moved(self.national, a, b, v), regions, districts, explain=False
            )
        except LawError:
            return None


def _moved(t: VoteTotals, a: str, b: str, v: int) -> VoteTotals:
    if v == 0:
        return t
    votes = dict(t.votes)
    votes[a] = votes.get(a, 0) - v
    votes[b] = votes.get(b, 0) + v
    return VoteTotals(
        votes=votes,
        registered=t.registered,
        ballots_cast=t.ballots_cast,
        invalid=t.invalid,
        against_all=t.against_all,
    )


def _fill(order: list[tuple[str, int]], v: int) -> dict[str, int]:
    """Spread ``v`` votes over areas in ``order``, each up to its capacity."""
    plan: dict[str, int] = {}
    left = v
    for area, cap in order:
        if left <= 0:
            break
        take = min(cap, left)
        if take > 0:
            plan[area] = plan.get(area, 0) + take
            left -= take
    if left > 0:
        raise ValueError("plan capacity exceeded")
    return plan


def _first_true(pred: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Smallest v in [lo, hi] with pred(v), pred monotone (False..True); None if none."""
    if lo > hi or not pred(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _quota_method(law: Law) -> bool:
    return bool(law.is_quota_method)


def find_margin(
    law: Law,
    national: VoteTotals,
    regions: Mapping[str, VoteTotals] | None = None,
    districts: Mapping[str, VoteTotals] | None = None,
    *,
    scan_limit: int = SCAN_LIMIT,
    progress: bool = False,
) -> tuple[Mapping[str, int], Move | None]:
    """The actual seats and the smallest move of votes between two parties that changes them.

    Returns ``(seats, move)``; ``move`` is None when no move of any size changes the seats.
    ``progress`` shows a bar over the party pairs on stderr.
    """
    from tqdm import tqdm

    ev = _Evaluator(law, national, regions, districts)
    base = ev.outcome("", "", {}, "nation")
    if isinstance(base, str):
        raise LawError(base)
    base_seats = dict(base[0])
    parties = list(national.votes)
    if law.districts is not None and districts:
        kind, areas = "district", {d: districts[d] for d in law.districts}
    elif law.regional_threshold is not None and regions:
        kind, areas = "region", dict(regions)
    else:
        kind, areas = "nation", {"nation": national}
    best: Move | None = None
    # Try the likeliest pairs first (from a seat holder to the nearest contender): a good
    # early bound lets most later searches stop after one allocation.
    order = sorted(
        ((a, b) for a in parties for b in parties if a != b and national.votes[a] > 0),
        key=lambda ab: (-base_seats.get(ab[0], 0), -national.votes[ab[1]]),
    )
    for a, b in tqdm(order, desc="margin", unit="pair", disable=not progress):
        for label, plan_order in _plans(law, kind, areas, a, b):
            cap = sum(c for _, c in plan_order)
            limit = cap if best is None else min(cap, best.votes - 1)
            if limit < 1:
                continue
            found = _search(ev, base, a, b, kind, plan_order, limit, _quota_method(law), scan_limit)
            if found is not None and (best is None or found[0] < best.votes):
                v, exact = found
                plan = _fill(plan_order, v)
                after = ev.allocation(plan, a, b, kind)
                best = Move(
                    votes=v,
                    source=a,
                    target=b,
                    where=_where(label, plan),
                    seats_before=base_seats,
                    seats_after=None if after is None else dict(after.seats),
                    decided_by=_explain(law, ev, base, after, a, b),
                    exact=exact,
                    plan=plan,
                )
    return base_seats, best


def _where(label: str, plan: Mapping[str, int]) -> str:
    """Say where the votes actually move: a spread plan that fills one region is that region."""
    if label == "spread over the regions" and len(plan) == 1:
        return f"region {next(iter(plan))}"
    if label == "spread over the regions":
        return f"spread over {len(plan)} regions"
    return label


def _plans(
    law: Law, kind: str, areas: Mapping[str, VoteTotals], a: str, b: str
) -> list[tuple[str, list[tuple[str, int]]]]:
    """The ways of placing the move: (label, ordered area capacities)."""
    if kind != "region":
        return [
            (f"{kind} {n}" if kind != "nation" else "nation", [(n, t.votes.get(a, 0))])
            for n, t in areas.items()
            if t.votes.get(a, 0) > 0
        ]
    from shailoo.law.thresholds import base_total

    t = law.regional_threshold
    assert t is not None

    def need(r: str) -> int:
        # the fewest votes that pass the regional threshold: votes * den >= num * base
        return math.ceil(
            Fraction(
                t.numerator * base_total(areas[r], law.regional_threshold_base, r), t.denominator
            )
        )

    singles: list[tuple[str, list[tuple[str, int]]]] = [
        (f"region {r}", [(r, tv.votes.get(a, 0))]) for r, tv in areas.items() if tv.votes.get(a, 0)
    ]
    plans: list[tuple[str, list[tuple[str, int]]]] = []
    slack = {r: max(0, areas[r].votes.get(a, 0) - need(r)) for r in areas}
    by_slack = sorted(areas, key=lambda r: -slack[r])
    spread = [(r, slack[r]) for r in by_slack] + [
        (r, areas[r].votes.get(a, 0) - slack[r]) for r in by_slack
    ]
    plans.append(("spread over the regions", spread))
    short = {r: need(r) - areas[r].votes.get(b, 0) for r in areas}
    failing = sorted((r for r in areas if short[r] > 0), key=lambda r: short[r])
    if failing:
        first = [(r, min(short[r], areas[r].votes.get(a, 0))) for r in failing]
        used = dict(first)
        rest = [(r, max(0, c - used.get(r, 0))) for r, c in _merge(spread)]
        plans.append((f"where {b} is short of the regional threshold", first + rest))
    # the spread move first: when the region does not matter, that is how the move is reported
    return plans + singles


def _merge(order: list[tuple[str, int]]) -> list[tuple[str, int]]:
    total: dict[str, int] = {}
    for r, c in order:
        total[r] = total.get(r, 0) + c
    return list(total.items())


def _search(
    ev: _Evaluator,
    base: Outcome,
    a: str,
    b: str,
    kind: str,
    plan_order: list[tuple[str, int]],
    limit: int,
    quota_method: bool,
    scan_limit: int,
) -> tuple[int, bool] | None:
    """Smallest v in 1..limit that changes the seats, and whether that is proven smallest."""
    cache: dict[int, Outcome] = {}

    def out(v: int) -> Outcome:
        if v not in cache:
            cache[v] = ev.outcome(a, b, _fill(plan_order, v), kind)
        return cache[v]

    def seats(o: Outcome) -> object:
        return o if isinstance(o, str) else o[0]

    def qualified(o: Outcome, p: str) -> bool:
        return not isinstance(o, str) and p in o[1]

    base_seats = seats(base)
    a_in, b_in = qualified(base, a), qualified(base, b)
    cuts = {1, limit + 1}
    if a_in:
        va = _first_true(lambda v: not qualified(out(v), a), 1, limit)
        if va is not None:
            cuts.add(va)
    if not b_in:
        vb = _first_true(lambda v: qualified(out(v), b), 1, limit)
        if vb is not None:
            cuts.add(vb)
    points = sorted(cuts)
    exact = True
    for lo, nxt in zip(points, points[1:], strict=False):
        hi = nxt - 1
        first = out(lo)
        if seats(first) != base_seats:
            return lo, exact
        if lo == hi:
            continue
        one_in = qualified(first, a) != qualified(first, b)
        monotone = not (quota_method and one_in)
        if not monotone:
            assert not isinstance(first, str)
            fast = _lr_first_change(ev, a, b, first[1], lo + 1, hi, base_seats)
            if fast is not None:
                if fast == 0:
                    continue  # proven: no change in this segment
                if seats(out(fast)) != base_seats:
                    return fast, exact
        if monotone or hi - lo <= scan_limit:
            if monotone:
                v = _first_true(lambda v: seats(out(v)) != base_seats, lo + 1, hi)
                if v is not None:
                    return v, exact
            else:
                for v in range(lo + 1, hi + 1):
                    if seats(out(v)) != base_seats:
                        return v, exact
        else:
            v = _first_true(lambda v: seats(out(v)) != base_seats, lo + 1, hi)
            if v is not None:
                return v, False
            exact = False
    return None


def _lr_first_change(
    ev: _Evaluator,
    a: str,
    b: str,
    qualified: frozenset[str],
    lo: int,
    hi: int,
    base_seats: object,
) -> int | None:
    """First v in [lo, hi] whose largest-remainder seats differ, computed for all v at once.

    Used where bisection is not sound (exactly one of A, B qualifies, so the quota moves). Only
    for Hare and Droop without a binding cap, the cases whose arithmetic is this simple; it
    mirrors :mod:`shailoo.law.quotas` (whole quotas ``votes*den // num``, remainders compared
    in the same unit). Returns the v, ``0`` when no v changes the seats, or None when it cannot
    decide (another method, a cap, or a tie among remainders at the cut) — then the caller
    falls back to the law engine itself.
    """
    import numpy as np

    law = ev.law
    if law.method not in ("hare", "droop") or not isinstance(base_seats, tuple):
        return None
    if law.districts is not None:
        return None
    parties = [p for p in ev.national.votes if p in qualified]
    moving = a if a in qualified else b
    sign = -1 if moving == a else 1
    seats = law.seats
    base = dict(base_seats)
    if law.max_seats_per_party is not None and max(base.values()) >= law.max_seats_per_party:
        return None
    x0 = np.array([ev.national.votes[p] for p in parties], dtype=np.int64)
    col = parties.index(moving)
    want = np.array([base[p] for p in parties], dtype=np.int64)
    step = 20_000
    for start in range(lo, hi + 1, step):
        v = np.arange(start, min(hi, start + step - 1) + 1, dtype=np.int64)
        x = np.repeat(x0[None, :], len(v), axis=0)
        x[:, col] += sign * v
        total = x.sum(axis=1)
        if law.method == "hare":
            num, den = total, np.full_like(total, seats)  # q = T / S
        else:
            num, den = total // (seats + 1) + 1, np.ones_like(total)  # q = floor(T/(S+1)) + 1
        whole = (x * den[:, None]) // num[:, None]
        rem = (x * den[:, None]) % num[:, None]
        left = seats - whole.sum(axis=1)
        if (left < 0).any() or (left > len(parties)).any():
            return None
        order = np.sort(rem, axis=1)[:, ::-1]
        rows = np.arange(len(v))
        kth = order[rows, np.maximum(left - 1, 0)]
        nxt = order[rows, np.minimum(left, len(parties) - 1)]
        tie = (left > 0) & (left < len(parties)) & (kth == nxt)
        extra = (rem > kth[:, None]) | ((rem == kth[:, None]) & (left[:, None] > 0))
        got = whole + np.where(left[:, None] > 0, extra, False)
        differ = (got != want).any(axis=1)
        if law.max_seats_per_party is not None and (got > law.max_seats_per_party).any():
            return None
        first_diff = int(np.argmax(differ)) if differ.any() else None
        first_tie = int(np.argmax(tie)) if tie.any() else None
        if first_tie is not None and (first_diff is None or first_tie <= first_diff):
            return None
        if first_diff is not None:
            return int(v[first_diff])
    return 0


def _explain(
    law: Law, ev: _Evaluator, base: Outcome, after: Allocation | None, a: str, b: str
) -> str:
    if after is None:
        return "no party would pass the threshold: no seats could be allocated"
    assert not isinstance(base, str)
    before_q = base[1]
    if a in before_q and a not in after.qualified:
        return f"{a} falls out: {after.excluded.get(a, 'below the threshold')}"
    if b not in before_q and b in after.qualified:
        return f"{b} passes every threshold it failed before"
    if _quota_method(law):
        return f"the largest remainders of the {law.method} quota"
    return f"the {law.method} highest averages"


def disputed_ballots(tally: Tally) -> Disputed:
    """Ballots in annulled stations (not replaced by a re-run), stations not yet reported
    (their registered voters: the most they could cast) and stations under an open incident."""
    annulled: dict[str, int] = {}
    missing: dict[str, int] = {}
    flagged: dict[str, int] = {}
    open_incidents = tally.flagged_stations()
    for st in tally.election.stations:
        status = tally.station_status(st.id)
        if status.status == "annulled":
            annulled[st.id] = status.protocol.ballots_cast if status.protocol else st.registered
        elif status.status == "missing":
            missing[st.id] = st.registered
        elif st.id in open_incidents and status.counted is not None:
            flagged[st.id] = status.counted.ballots_cast
    return Disputed(annulled, missing, flagged)


def margin_for_tally(
    tally: Tally, *, scan_limit: int = SCAN_LIMIT, progress: bool = False
) -> Margin:
    """The margin of the tally's current outcome under the election's law, with disputed ballots."""
    from shailoo.law import parse_law
    from shailoo.tally.service import refuse_if_no_seats, seat_inputs

    refuse_if_no_seats(tally)
    law = parse_law(tally.election.law, source=f"law of {tally.election.id}")
    national, regions, districts = seat_inputs(tally)
    seats, move = find_margin(
        law, national, regions or None, districts, scan_limit=scan_limit, progress=progress
    )
    return Margin(seats=seats, move=move, disputed=disputed_ballots(tally))
