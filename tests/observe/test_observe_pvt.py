"""Parallel vote tabulation: sample size, allocation, estimation, coverage."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from observe_synthetic import PARTIES, Population, population
from scipy import stats

from shailoo.domain.errors import InputError
from shailoo.observe.pvt import (
    PvtDesign,
    _allocate,
    compare,
    design_effect_from,
    design_sample,
    estimate,
    official_ratios,
    voters_needed,
)


def test_voters_needed_matches_the_ndi_formula() -> None:
    # E = 2 points, 95 %, infinite population: 0.25 / (0.02² / 1.96²) = 2400.9 -> 2401
    assert voters_needed(0.02) == 2401
    # a finite population lowers it: 0.25 / (0.0004/1.959964² + 0.25/10000) = 1937
    n = voters_needed(0.02, population=10_000)
    z = stats.norm.ppf(0.975)
    assert n == math.ceil(0.25 / (0.02**2 / z**2 + 0.25 / 10_000))
    assert voters_needed(0.01) > voters_needed(0.02)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1])
def test_bad_margin_is_an_input_error(bad: float) -> None:
    with pytest.raises(InputError, match="margin"):
        voters_needed(bad)


def test_design_is_stratified_reproducible_and_recorded(
    synthetic_population: Population,
) -> None:
    pop = synthetic_population
    d = design_sample(pop.stations, 0.02, seed=7, design_effect=20)
    again = design_sample(pop.stations, 0.02, seed=7, design_effect=20)
    other = design_sample(pop.stations, 0.02, seed=8, design_effect=20)
    assert d.sample == again.sample and d.sample != other.sample
    assert len(set(d.sample)) == len(d.sample)
    # size: ceil(voters needed * deff / voters per station), allocated to every region
    voters = sum(s.registered for s in pop.stations)
    expected = math.ceil(d.voters_needed * 20 / (voters / len(pop.stations)))
    assert len(d.sample) == expected
    alloc = d.allocation()
    assert set(alloc) == {s.region for s in pop.stations}
    assert min(alloc.values()) >= 2
    # proportional: each region within one station of its quota (beyond the minimum of two)
    for region, n in alloc.items():
        quota = expected * d.strata[region] / len(pop.stations)
        assert abs(n - quota) <= 1 or n == 2
    # the payload holds no floats and round-trips
    payload = d.to_payload()
    assert not any(isinstance(v, float) for v in payload.values())
    assert PvtDesign.from_payload(payload) == d


def test_whole_population_gives_the_exact_result(synthetic_population: Population) -> None:
    pop = synthetic_population
    d = design_sample(pop.stations, 0.001, seed=1, design_effect=50)
    assert len(d.sample) == len(pop.stations)
    est = estimate(d, pop.protocols, PARTIES)
    truth = official_ratios(list(pop.protocols.values()), PARTIES)
    for party in PARTIES:
        assert est.shares[party].estimate == pytest.approx(truth[party], abs=1e-12)
        assert est.shares[party].margin == 0
    assert est.turnout.estimate == pytest.approx(truth["turnout"], abs=1e-12)


def test_missing_copies_are_listed_and_left_out(synthetic_population: Population) -> None:
    pop = synthetic_population
    d = design_sample(pop.stations, 0.02, seed=3, design_effect=20)
    copies = {s: pop.protocols[s] for s in d.sample[5:]}
    est = estimate(d, copies, PARTIES)
    assert est.missing == d.sample[:5]
    assert est.reported == len(d.sample) - 5
    with pytest.raises(InputError, match="too few"):
        estimate(d, {}, PARTIES)


def test_design_effect_of_heterogeneous_stations_exceeds_one(
    synthetic_population: Population,
) -> None:
    deff = design_effect_from(list(synthetic_population.protocols.values()), PARTIES)
    assert deff > 5  # support varies by region and station: clusters are far from random voters


def test_intervals_cover_the_truth_at_the_nominal_rate() -> None:
    """Over many independent samples, 95 % intervals contain the true value about 95 % of the time.

    With R draws the number of covering intervals is Binomial(R, 0.95) when the method is right;
    the assertion accepts anything within 3.5 binomial standard deviations (a false alarm about
    once in 2,000 runs per line), and fails for a method that is clearly too narrow (e.g. one that
    ignored clustering covers far less) or too wide.
    """
    pop = population(n_stations=2000, seed=11)
    truth = official_ratios(list(pop.protocols.values()), PARTIES)
    deff = design_effect_from(list(pop.protocols.values()), PARTIES)
    draws = 400
    covered = dict.fromkeys([*PARTIES, "turnout"], 0)
    widths = []
    family_alarms = 0
    for seed in range(draws):
        d = design_sample(pop.stations, 0.03, seed=1000 + seed, design_effect=deff)
        est = estimate(d, pop.protocols, PARTIES)
        widths.append(est.shares[PARTIES[0]].margin)
        comparisons = compare(est, truth)
        for c in comparisons:
            covered[c.line] += not c.outside
            assert c.adjusted_low <= c.low and c.high <= c.adjusted_high
        family_alarms += any(c.outside_adjusted for c in comparisons)
    sd = math.sqrt(draws * 0.95 * 0.05)
    for line, n in covered.items():
        assert abs(n - 0.95 * draws) <= 3.5 * sd, (line, n / draws)
    # Bonferroni: the truth falls outside some adjusted interval in at most ~5 % of draws
    assert family_alarms <= 0.05 * draws + 3.5 * sd, family_alarms / draws
    assert len(d.sample) >= 40  # a real sample, not the census
    assert 0 < sum(widths) / draws < 0.03  # and the wanted margin was met on average


def test_comparison_reports_which_official_figures_fall_outside() -> None:
    pop = population(n_stations=1500, seed=5)
    truth = official_ratios(list(pop.protocols.values()), PARTIES)
    d = design_sample(pop.stations, 0.02, seed=2, design_effect=30)
    est = estimate(d, pop.protocols, PARTIES)
    official = dict(truth)
    official["ata"] = truth["ata"] + 0.10  # ten points more than the truth
    official["bir"] = truth["bir"] - 0.10
    by_line = {c.line: c for c in compare(est, official)}
    assert by_line["ata"].outside and by_line["ata"].distance > 0
    assert by_line["ata"].outside_adjusted and by_line["bir"].outside_adjusted
    assert by_line["bir"].outside and by_line["bir"].distance < 0
    assert by_line["ata"].distance == pytest.approx(official["ata"] - est.shares["ata"].high)
    assert not by_line["turnout"].outside and by_line["turnout"].distance == 0


@given(
    st.dictionaries(
        st.text("ABCDEFGHIJ", min_size=1, max_size=2), st.integers(1, 500), min_size=1, max_size=12
    ),
    st.integers(0, 3000),
    st.integers(1, 3),
)
def test_allocation_is_proportional_bounded_and_exact(
    sizes: dict[str, int], total: int, minimum: int
) -> None:
    alloc = _allocate(sizes, total, minimum)
    floor = {h: min(minimum, n) for h, n in sizes.items()}
    population = sum(sizes.values())
    assert sum(alloc.values()) == max(min(total, population), sum(floor.values()))
    for h, n in alloc.items():
        assert floor[h] <= n <= sizes[h]
    if total >= population:
        assert alloc == sizes
