"""Property tests (hypothesis): invariants of every method, cap, quota rule, threshold edge, ties.

The reference allocations here are written the slow, obvious way (sort every quotient as a
Fraction) so that the fast integer code in :mod:`shailoo.law` is checked against a different
implementation, not against itself.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, parse_law
from shailoo.law.lawfile import METHODS

VOTES = st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=12)
SEATS = st.integers(min_value=1, max_value=60)


def _law(method: str, seats: int, extra: str = "") -> object:
    return parse_law(f'name = "p"\nseats = {seats}\nmethod = "{method}"\n{extra}')


def _votes(values: list[int]) -> dict[str, int]:
    return {f"P{i}": v for i, v in enumerate(values)}


@settings(max_examples=300, deadline=None)
@given(values=VOTES, seats=SEATS, method=st.sampled_from(METHODS))
def test_seats_sum_to_total(values: list[int], seats: int, method: str) -> None:
    alloc = allocate(_law(method, seats), VoteTotals(_votes(values)))  # type: ignore[arg-type]
    assert sum(alloc.seats.values()) == seats
    assert all(s >= 0 for s in alloc.seats.values())
    assert list(alloc.seats) == list(_votes(values))


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=10),
    seats=SEATS,
    method=st.sampled_from(METHODS),
    data=st.data(),
)
def test_no_party_above_the_cap(
    values: list[int], seats: int, method: str, data: st.DataObject
) -> None:
    lowest = -(-seats // len(values))  # the smallest cap that can be met
    cap = data.draw(st.integers(min_value=lowest, max_value=seats))
    alloc = allocate(
        _law(method, seats, f"max_seats_per_party = {cap}"),  # type: ignore[arg-type]
        VoteTotals(_votes(values)),
    )
    assert sum(alloc.seats.values()) == seats
    assert max(alloc.seats.values()) <= cap


@settings(max_examples=300, deadline=None)
@given(values=VOTES, seats=SEATS)
def test_hare_satisfies_the_quota_rule(values: list[int], seats: int) -> None:
    """Hare largest remainder gives each party its exact quota rounded down or up."""
    votes = _votes(values)
    total = sum(values)
    alloc = allocate(_law("hare", seats), VoteTotals(votes))  # type: ignore[arg-type]
    for p, v in votes.items():
        share = Fraction(v * seats, total)
        assert share.__floor__() <= alloc.seats[p] <= share.__ceil__()


@settings(max_examples=300, deadline=None)
@given(values=VOTES, seats=SEATS)
def test_dhondt_satisfies_lower_quota(values: list[int], seats: int) -> None:
    votes = _votes(values)
    total = sum(values)
    alloc = allocate(_law("dhondt", seats), VoteTotals(votes))  # type: ignore[arg-type]
    for p, v in votes.items():
        assert alloc.seats[p] >= Fraction(v * seats, total).__floor__()


def _reference_divisor(
    votes: dict[str, int], seats: int, first: Fraction, step: Fraction | int
) -> list[tuple[Fraction, str]]:
    """Every quotient, largest first; divisors ``first`` then ``1 + step*k``: Sainte-Laguë
    (step 2), D'Hondt (step 1), Imperiali (step 1/2: 1, 1.5, 2, ...)."""
    quotients = []
    for p, v in votes.items():
        for k in range(seats):
            d = first if k == 0 else Fraction(1 + step * k)
            quotients.append((Fraction(v) / d, p))
    return sorted(quotients, key=lambda q: q[0], reverse=True)


@settings(max_examples=300, deadline=None)
@given(
    values=VOTES,
    seats=SEATS,
    method=st.sampled_from(
        ["dhondt", "sainte-lague", "modified-sainte-lague", "imperiali-divisor"]
    ),
)
def test_divisor_methods_match_the_slow_reference(
    values: list[int], seats: int, method: str
) -> None:
    votes = _votes(values)
    first = Fraction(7, 5) if method == "modified-sainte-lague" else Fraction(1)
    step = {"dhondt": 1, "imperiali-divisor": Fraction(1, 2)}.get(method, 2)
    ranked = _reference_divisor(votes, seats, first, step)
    alloc = allocate(_law(method, seats), VoteTotals(votes))  # type: ignore[arg-type]
    cut = ranked[seats - 1][0]
    sure = [p for q, p in ranked if q > cut]
    at_cut = [p for q, p in ranked if q == cut]
    for p in votes:
        n_sure = sure.count(p)
        assert n_sure <= alloc.seats[p] <= n_sure + at_cut.count(p)
    if len(at_cut) > seats - len(sure):
        assert alloc.ties  # a real tie at the cut must surface
    else:
        assert not alloc.ties


@settings(max_examples=200, deadline=None)
@given(
    base=st.integers(min_value=100, max_value=10**7),
    pct=st.integers(min_value=1, max_value=20),
)
def test_threshold_edge_exactly_at_passes_one_below_fails(base: int, pct: int) -> None:
    law = _law("hare", 10, f'threshold = "{pct}%"\nthreshold_base = "ballots_cast"')
    # the smallest vote count at or above pct % of base, by integer arithmetic
    need = -(-(base * pct) // 100)
    big = base - need
    at = allocate(law, VoteTotals({"big": big, "edge": need}, ballots_cast=base))  # type: ignore[arg-type]
    assert "edge" in at.qualified
    if need > 0:
        below = allocate(
            law,  # type: ignore[arg-type]
            VoteTotals({"big": big + 1, "edge": need - 1}, ballots_cast=base),
        )
        assert "edge" in below.excluded


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=8),
    v=st.integers(min_value=1, max_value=10**5),
    seats=SEATS,
    method=st.sampled_from(METHODS),
    rule=st.sampled_from(["lot", "more-votes-then-lot"]),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_identical_parties_surface_a_tie(
    n: int, v: int, seats: int, method: str, rule: str, seed: int
) -> None:
    votes = {f"P{i}": v for i in range(n)}
    law = _law(method, seats, f'ties = "{rule}"\nseed = {seed}')
    alloc = allocate(law, VoteTotals(votes))  # type: ignore[arg-type]
    assert sum(alloc.seats.values()) == seats
    if seats % n:
        assert alloc.ties, "identical parties must tie for the seats that do not divide evenly"
        tie = alloc.ties[-1]
        assert tie.seed == seed and len(tie.winners) == tie.seats
        assert sorted(set(alloc.seats.values())) == [seats // n, seats // n + 1]
    else:
        assert not alloc.ties
        assert set(alloc.seats.values()) == {seats // n}
