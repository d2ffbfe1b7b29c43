"""Share spikes (after Rozenas), the Klimek fingerprint fit, district outliers and the slope."""

from __future__ import annotations

import numpy as np

from shailoo.forensics.fingerprint import fit_fingerprint
from shailoo.forensics.outliers import group_median, joint_asymmetry, robust_z, turnout_slope
from shailoo.forensics.spikes import focal_points, spike_test
from shailoo.simulate import simulate_election


def test_focal_points() -> None:
    f = focal_points()
    for x in (0.5, 1 / 3, 2 / 3, 0.25, 0.75, 0.2, 0.8, 0.05, 0.95):
        assert np.isclose(f, x).any()
    assert (f > 0).all() and (f < 1).all()


def test_spikes_quiet_on_clean_and_loud_on_planted_fractions() -> None:
    sim = simulate_election(6000, seed=8)
    r = sim.reported
    clean = spike_test(r.votes[:, 0], r.ballots_cast, replicates=300)
    assert clean.excess / clean.sd < 3
    votes = r.votes[:, 0].copy()
    rigged = np.arange(votes.size) < 300  # 5 % of stations set to a share of exactly 3/4
    votes[rigged] = (r.ballots_cast[rigged] * 3) // 4
    cast = r.ballots_cast.copy()
    cast[rigged] = cast[rigged] - cast[rigged] % 4  # so that 3/4 is exact
    dirty = spike_test(np.minimum(votes, cast), cast, replicates=300)
    assert dirty.excess / dirty.sd > 10 and dirty.p_value < 0.01


def test_fingerprint_fit_clean_and_extreme() -> None:
    sim = simulate_election(20_000, seed=2)
    r = sim.reported
    t = r.ballots_issued / r.registered
    v = r.votes[:, 0] / r.ballots_cast
    clean = fit_fingerprint(t, v, bootstrap=50)
    assert clean.f_extreme <= 0.01 and clean.ci_incremental[0] < 0.1
    # extreme fraud in 8 % of stations: turnout and share near 100 %
    rng = np.random.default_rng(0)
    pick = rng.random(t.size) < 0.08
    t2, v2 = t.copy(), v.copy()
    t2[pick] = rng.uniform(0.95, 1.0, pick.sum())
    v2[pick] = rng.uniform(0.95, 1.0, pick.sum())
    dirty = fit_fingerprint(t2, v2, bootstrap=50)
    assert 0.04 <= dirty.f_extreme <= 0.12 and dirty.ci_extreme[0] > 0.005
    assert dirty.posterior[pick].mean() > 0.8 > dirty.posterior[~pick].mean()


def test_group_median_and_robust_z() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=1000)
    groups = rng.integers(0, 7, 1000)
    med = group_median(values, groups)
    for g in range(7):
        assert np.allclose(med[groups == g], np.median(values[groups == g]))
    values[0] = 50.0
    z = robust_z(values, groups, 0.0)
    assert z[0] > 20 and np.median(np.abs(z)) < 1


def test_slope_and_asymmetry() -> None:
    rng = np.random.default_rng(4)
    reg = np.full(5000, 1000)
    t = rng.uniform(0.3, 0.8, 5000)
    issued = (reg * t).astype(int)
    leader = rng.binomial(issued, 0.4)
    honest = turnout_slope(reg, issued, leader)
    assert abs(honest.slope - 0.4) < 0.02 and abs(honest.z) < 4
    # every extra voter above 50 % and then some went to the leader
    stuffed = leader + np.maximum(issued - 500, 0) * 2
    assert turnout_slope(reg, issued, stuffed).ci[0] > 1.0
    up = joint_asymmetry(np.array([3.0] * 20 + [-3.0] * 2), np.array([3.0] * 20 + [-3.0] * 2))
    assert up.up == 20 and up.down == 2 and up.p_value < 0.001


def test_size_adjustment_removes_an_honest_size_slope_and_ignores_outliers() -> None:
    from shailoo.forensics.outliers import size_adjusted

    rng = np.random.default_rng(5)
    n = 4000
    groups = rng.integers(0, 40, n)
    log_size = rng.normal(6.5, 0.6, n)
    turnout = 0.9 - 0.05 * log_size + rng.normal(0, 0.02, n)  # big stations vote less
    stuffed = rng.random(n) < 0.05
    turnout[stuffed] += 0.15
    adj = size_adjusted(turnout, groups, log_size)
    clean = ~stuffed
    slope = np.polyfit(log_size[clean], adj[clean], 1)[0]
    assert abs(slope) < 0.005  # the honest slope of -0.05 is gone
    assert (adj - turnout)[stuffed].std() < 0.1  # the stuffed stations are not pulled back
    z_before = robust_z(turnout, groups, 0.01)
    z_after = robust_z(adj, groups, 0.01)
    assert np.median(z_after[stuffed]) > np.median(z_before[stuffed])
    # too few values: returned unchanged
    assert np.array_equal(size_adjusted(turnout[:5], groups[:5], log_size[:5]), turnout[:5])
