"""Digit tests: second-digit Benford and last digit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom

from shailoo.forensics.digits import BENFORD_2ND, digit_probabilities, digit_tests, second_digit


@given(st.integers(10, 10**15))
def test_second_digit_is_the_second_character(x: int) -> None:
    assert second_digit(np.array([x]))[0] == int(str(x)[1])


def test_second_digit_below_ten_is_missing() -> None:
    assert second_digit(np.array([0, 9])).tolist() == [-1, -1]


def test_benford_second_digit_law() -> None:
    assert abs(BENFORD_2ND.sum() - 1) < 1e-12
    assert abs((BENFORD_2ND * np.arange(10)).sum() - 4.187) < 1e-3
    assert round(BENFORD_2ND[0], 4) == 0.1197


def test_digit_probabilities_are_exact() -> None:
    n = np.array([40, 500, 3000])
    p = np.array([0.5, 0.3, 0.6])
    second, last = digit_probabilities(n, p, span=40)
    for i in range(3):
        ks = np.arange(10, n[i] + 1)
        pmf = binom.pmf(ks, n[i], p[i])
        for d in range(10):
            assert abs(second[i, d] - pmf[second_digit(ks) == d].sum()) < 1e-9
            assert abs(last[i, d] - pmf[ks % 10 == d].sum()) < 1e-9


def test_resampled_null_accepts_honest_counts_the_asymptotic_test_rejects() -> None:
    # honest binomial counts around 60-100 are far from Benford: the asymptotic test rejects,
    # the resampled null (which knows the counts are binomial) does not
    rng = np.random.default_rng(5)
    cast = rng.integers(150, 250, 20_000)
    votes = rng.binomial(cast, 0.4)
    second, last = digit_tests(votes, cast, replicates=300, seed=1)
    assert second.p_asymptotic < 1e-6
    assert second.p_resampled > 0.001
    assert last.p_resampled > 0.001


def test_invented_last_digits_are_caught() -> None:
    rng = np.random.default_rng(6)
    cast = rng.integers(400, 900, 5000)
    votes = rng.binomial(cast, 0.5)
    votes = votes - votes % 10 + rng.choice([0, 5], size=votes.size)  # numbers ending in 0 or 5
    _, last = digit_tests(votes, cast, replicates=200)
    assert last.p_resampled < 0.01 and last.share_0_or_5 == 1.0


def test_tiny_stations_are_left_out_so_the_doubled_noise_cannot_reject_them() -> None:
    # counts of a few dozen: the resampled null (a binomial redraw of an already binomial count)
    # is wider than the honest counts and its digits differ; such stations are not tested
    from shailoo.forensics.digits import MIN_COUNT_SD

    rng = np.random.default_rng(8)
    cast = rng.integers(20, 90, 50_000)
    p_true = np.clip(rng.normal(0.35, 0.05, cast.size), 0.05, 0.95)
    votes = rng.binomial(cast, p_true)
    second, last = digit_tests(votes, cast, replicates=300, seed=2)
    share = votes.sum() / cast.sum()
    tested = np.sqrt(cast * share * (1 - share)) >= MIN_COUNT_SD
    assert second.counts == last.counts == int((tested & (votes >= 10)).sum()) < 500
    assert second.p_resampled > 0.001 and last.p_resampled > 0.001
