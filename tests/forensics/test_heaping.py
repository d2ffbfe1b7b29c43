"""Whole-percent heaping (Kobak, Shpilkin, Pshenichnikov 2016)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom

from shailoo.forensics.heaping import (
    at_whole_percent,
    heaping_null_binomial,
    heaping_test,
    window_probability,
)
from shailoo.simulate import simulate_election


def test_at_whole_percent_edges() -> None:
    # 5.0 %, 0.05 % and 50.05 % (edges count), 0.3 %, 50.1 %, 0/10, and no voters
    k = np.array([50, 1, 3, 1001, 1002, 0, 7])
    n = np.array([1000, 2000, 1000, 2000, 2000, 10, 0])
    assert at_whole_percent(k, n).tolist() == [True, True, False, True, False, True, False]


@given(st.integers(1, 100_000), st.data())
def test_at_whole_percent_matches_the_real_number_definition(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    pct = 100 * k / n
    exact = abs(pct - round(pct)) <= 0.05
    # the integer test decides ties exactly; floats only disagree within 1e-9 of the edge
    if abs(abs(pct - round(pct)) - 0.05) > 1e-9:
        assert bool(at_whole_percent(np.array([k]), np.array([n]))[0]) == exact


def test_window_probability_equals_brute_force_binomial_mass() -> None:
    rng = np.random.default_rng(1)
    n = rng.integers(100, 3000, 40)
    p = rng.uniform(0.05, 0.95, 40)
    q = window_probability(n, p)
    for i in range(40):
        ks = np.arange(n[i] + 1)
        mask = at_whole_percent(ks, np.full(ks.size, n[i]))
        assert abs(q[i] - binom.pmf(ks[mask], n[i], p[i]).sum()) < 1e-9


def test_indicator_null_has_the_distribution_of_the_literal_binomial_redraw() -> None:
    sim = simulate_election(3000, seed=4)
    r = sim.reported
    lv = r.votes[:, 0]
    fast = heaping_test(r.registered, r.ballots_issued, r.ballots_cast, lv, replicates=2000, seed=1)
    slow = heaping_null_binomial(
        r.registered, r.ballots_issued, r.ballots_cast, lv, replicates=400, seed=2
    )
    # means agree within Monte-Carlo error, and both agree with the closed form
    se = fast.sd * np.sqrt(1 / 2000 + 1 / 400)
    assert abs(fast.expected - slow.mean()) < 4 * se
    assert abs(fast.expected - fast.expected_exact) < 4 * fast.sd / np.sqrt(2000)
    assert abs(slow.std(ddof=1) / fast.sd - 1) < 0.2


def test_clean_election_shows_no_excess_and_rounded_protocols_do() -> None:
    clean = simulate_election(8000, seed=3, mean_registered=1500)
    r = clean.reported
    res = heaping_test(
        r.registered, r.ballots_issued, r.ballots_cast, r.votes[:, 0], replicates=300
    )
    assert abs(res.z) < 3.5
    dirty = simulate_election(8000, seed=3, mean_registered=1500, rewritten=0.1, round_percent=1.0)
    r = dirty.reported
    res2 = heaping_test(
        r.registered, r.ballots_issued, r.ballots_cast, r.votes[:, 0], replicates=300
    )
    assert res2.z > 10
    assert res2.p_value < 0.01
    # planted stations are over-represented among the hits
    assert res2.hit[dirty.masks["rewritten"]].mean() > 3 * res2.hit[dirty.clean].mean()


def test_selection_follows_kobak() -> None:
    reg = np.array([99, 100, 1000, 1000, 1000])
    iss = np.array([50, 50, 995, 500, 500])
    cast = np.array([50, 50, 995, 500, 500])
    lead = np.array([10, 10, 100, 496, 100])
    res = heaping_test(reg, iss, cast, lead, replicates=10)
    # <100 registered, turnout 99.5 %, leader 99.2 % are out
    assert res.eligible.tolist() == [False, True, False, False, True]
