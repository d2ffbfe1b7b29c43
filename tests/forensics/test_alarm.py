"""The election-level alarm: calibrated tests only, Holm-corrected, quiet on clean elections."""

from __future__ import annotations

import numpy as np
import pytest
from forensics_helpers import need_data, sim_table
from hypothesis import given
from hypothesis import strategies as st

from shailoo.forensics import run
from shailoo.forensics.alarm import holm, normal_tail
from shailoo.forensics.battery import CALIBRATED
from shailoo.io.sources import read_source
from shailoo.simulate import simulate_election

DOMINANT = [("A", "Ruling", 0.72), ("B", "Opp 1", 0.15), ("C", "Opp 2", 0.08), ("D", "Opp 3", 0.05)]
TWO_PARTY = [("A", "Left", 0.51), ("B", "Right", 0.46), ("C", "Other", 0.03)]


def test_holm_matches_the_textbook_example() -> None:
    # p sorted 0.01, 0.02, 0.03, 0.04 with m = 4: adjusted 0.04, 0.06, 0.06, 0.06
    out = holm({"a": 0.03, "b": 0.01, "c": 0.04, "d": 0.02}, alpha=0.05)
    assert out["b"] == (pytest.approx(0.04), True)
    assert out["d"][0] == pytest.approx(0.06) and not out["d"][1]
    assert out["a"][0] == pytest.approx(0.06) and out["c"][0] == pytest.approx(0.06)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=8), st.floats(0.001, 0.2))
def test_holm_is_between_bonferroni_and_unadjusted(ps: list[float], alpha: float) -> None:
    names = [f"t{i}" for i in range(len(ps))]
    out = holm(dict(zip(names, ps, strict=True)), alpha=alpha)
    m = len(ps)
    for name, p in zip(names, ps, strict=True):
        adj, rejected = out[name]
        assert p - 1e-12 <= adj <= 1.0
        assert rejected == (adj <= alpha)
        if p * m <= alpha:  # Bonferroni rejects -> Holm rejects
            assert rejected


def test_normal_tail_is_a_p_value() -> None:
    assert normal_tail(100, 100, 10) == pytest.approx(0.5 + 0.0199, abs=1e-3)
    assert normal_tail(140, 100, 10) < 1e-4
    assert normal_tail(5, 3, 0) == 0.0 and normal_tail(3, 3, 0) == 1.0


CLEAN = [
    # (stations, heterogeneity, turnout, size spread, mean registered, parties, seed)
    (300, 0.5, 0.35, 1.0, 400, None, 1),
    (800, 2.2, 0.88, 0.45, 2500, DOMINANT, 2),
    (3000, 1.6, 0.55, 1.0, 400, TWO_PARTY, 3),
    (3000, 2.2, 0.75, 0.3, 1400, DOMINANT, 4),
    (12000, 1.0, 0.6, 0.45, 1400, None, 5),
    # tiny stations: the digit tests' resampled null used to reject these (p = 0.001)
    (30000, 1.0, 0.6, 0.45, 60, None, 6),
]


@pytest.mark.parametrize(("n", "het", "turnout", "spread", "mean", "parties", "seed"), CLEAN)
def test_no_alarm_on_clean_elections(
    n: int,
    het: float,
    turnout: float,
    spread: float,
    mean: float,
    parties: list[tuple[str, str, float]] | None,
    seed: int,
) -> None:
    sim = simulate_election(
        n,
        seed=seed,
        heterogeneity=het,
        turnout=turnout,
        size_spread=spread,
        mean_registered=mean,
        parties=parties,
    )
    report = run(sim_table(sim), replicates=400, seed=seed)
    assert not report.alarm, [(t.name, t.p_value) for t in report.tests if t.alarm]
    # only the calibrated tests carry a Holm-adjusted p; descriptive ones never alarm
    for t in report.tests:
        assert (t.p_adjusted is not None) == (t.name in CALIBRATED)
        assert t.calibrated == (t.name in CALIBRATED)
        if not t.calibrated:
            assert not t.alarm


def test_round_percent_rewriting_raises_the_alarm_and_names_the_rule() -> None:
    sim = simulate_election(5000, seed=7, stuffing=0.05, rewritten=0.05, round_percent=1.0)
    report = run(sim_table(sim), leader="A", replicates=400, seed=7)
    assert report.alarm
    assert report.test("whole_percent").alarm
    assert report.test("whole_percent").p_adjusted <= report.alpha  # type: ignore[operator]
    text = report.summary()
    assert "Holm-corrected to a family-wise error rate of 0.01" in text
    payload = report.to_dict(stations=False)
    assert payload["alarm"] and payload["alarm_tests"] == list(CALIBRATED)


def test_descriptive_signals_do_not_raise_the_alarm_on_pure_stuffing() -> None:
    # stuffing without rounding leaves no trace a calibrated null can test at the election level;
    # the fingerprint and the corner asymmetry see it (noted), the station scores rank it
    sim = simulate_election(5000, seed=8, stuffing=0.10, stuffing_points=(0.2, 0.4))
    report = run(sim_table(sim), leader="A", replicates=200, seed=8)
    assert report.test("joint_outliers").noted
    assert not report.test("joint_outliers").alarm
    top = np.argsort(-report.risk.score)[:250]
    assert sim.masks["stuffing"][top].mean() > 0.9


def test_georgia_2024_and_bulgaria_2021_raise_no_alarm_russia_2011_does() -> None:
    for source, parts in (("georgia", ("georgia-2024",)), ("bulgaria", ("bulgaria-2021-07",))):
        report = run(read_source(source, need_data(*parts)), replicates=400)
        assert not report.alarm, (source, [t.name for t in report.tests if t.alarm])
    report = run(read_source("russia", need_data("russia", "2011.csv.zip")), replicates=400)
    assert report.alarm and report.test("whole_percent").alarm
