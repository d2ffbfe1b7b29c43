"""The battery on simulated elections: quiet when clean, ranks planted stations first."""

from __future__ import annotations

import json

import numpy as np
import pytest
from forensics_helpers import sim_table
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import rankdata

from shailoo.domain.errors import InputError
from shailoo.forensics import run
from shailoo.simulate import kyrgyz_2020


def auc(score: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC by ranks (Mann-Whitney), ties averaged."""
    ranks = rankdata(np.concatenate([score[pos], score[neg]]))
    n1, n0 = int(pos.sum()), int(neg.sum())
    return float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


@pytest.mark.parametrize("seed", [11, 12])
def test_clean_simulation_raises_no_alarm(seed: int) -> None:
    sim = kyrgyz_2020(seed=seed)
    report = run(sim_table(sim), replicates=200, seed=seed)
    assert not report.alarm, [t.name for t in report.tests if t.alarm]
    assert report.risk.score.min() >= 0 and report.risk.score.max() <= 1


def test_stuffing_is_ranked_first_and_reported() -> None:
    sim = kyrgyz_2020(seed=21, stuffing=0.05)
    report = run(sim_table(sim), leader="birimdik", replicates=200)
    assert auc(report.risk.score, sim.masks["stuffing"], sim.clean) >= 0.95
    top = report.risk.top(50)
    assert sum(sim.masks["stuffing"][int(r.station) - 1] for r in top) >= 40
    assert "leader_share_outlier" in top[0].raised or "turnout_outlier" in top[0].raised
    payload = json.loads(report.to_json())
    names = {t["name"] for t in payload["tests"]}
    assert {"whole_percent", "second_digit", "last_digit", "share_spikes", "fingerprint",
            "turnout_slope", "joint_outliers", "district_outliers"} <= names  # fmt: skip
    for t in payload["tests"]:
        assert t["meaning"] and t["null"] and "statistic" in t
    assert len(payload["risk"]) == sim.n_stations
    dist = payload["distributions"]
    assert len(dist["turnout"]) == 100 and sum(dist["turnout"]) == sim.n_stations
    assert sum(map(sum, dist["fingerprint"])) == sim.n_stations
    one = report.risk.station(sim.station_ids[0])
    assert set(one.signals) == set(report.risk.signals)


def test_unknown_leader_and_empty_input() -> None:
    sim = kyrgyz_2020(seed=3)
    with pytest.raises(InputError, match="unknown party"):
        run(sim_table(sim), leader="nobody", replicates=10)
    with pytest.raises(InputError):
        run(sim_table(sim), replicates=0)


@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=7),
    st.integers(0, 6),
    st.floats(0, 1),
)
def test_combined_score_is_in_unit_interval_and_monotone(
    values: list[float], k: int, bump: float
) -> None:
    from shailoo.forensics.risk import WEIGHTS, combine

    names = list(WEIGHTS)[: len(values)]
    signals = {n: np.array([v]) for n, v in zip(names, values, strict=False)}
    score = float(combine(signals)[0])
    assert 0.0 <= score <= 1.0
    name = names[k % len(names)]
    higher = dict(signals)
    higher[name] = np.minimum(signals[name] + bump, 1.0)
    assert float(combine(higher)[0]) >= score - 1e-12
