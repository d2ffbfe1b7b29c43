"""One risk score per station from the signals of the single tests.

Each signal is a number in [0, 1]. z-score signals map z to 1 - exp(-z^2 / 8) for z > 0 (0 for
z <= 0): 0.39 at z = 2, 0.68 at 3, 0.86 at 4. The score combines them as independent evidence,
1 - prod_k (1 - s_k)^{w_k}, which for z-signals is 1 - exp(-sum_k w_k z_k^2 / 8): a sum of
squared positive deviations, so a station that is high on turnout *and* on the leader's share
ranks above one that is extreme on one alone. Whole-percent and spike hits are weak evidence on
their own (about one honest station in ten lands on a whole percent), so they are capped at 0.5.

A high score says "look at this station's protocol and the observers' reports", never "fraud".
"""

from __future__ import annotations

import numpy as np

#: weight of each signal in the combined score
WEIGHTS: dict[str, float] = {
    "turnout_outlier": 1.0,
    "leader_share_outlier": 1.0,
    # turnout and leader's share up together, (z_t + z_v) / sqrt 2: the direction of stuffing
    "turnout_and_leader": 1.0,
    # the same against the station's region: sees districts captured as a whole
    "region_turnout_and_leader": 1.0,
    # districts differ honestly; a whole district is one piece of evidence shared by its stations
    "district_turnout": 0.7,
    "district_leader_share": 0.7,
    # one honest station in ten lands on a whole percent: weak evidence per station
    "whole_percent": 0.3,
    "share_spike": 0.3,
    # the fit's posterior is a property of a 2-D bin, shared by honest stations in it
    "fingerprint": 0.25,
}


def z_signal(z: np.ndarray) -> np.ndarray:
    """Map a robust z-score to [0, 1]: 1 - exp(-z^2 / 8) above 0, 0 below."""
    zp = np.maximum(np.nan_to_num(z, nan=0.0), 0.0)
    return np.asarray(1.0 - np.exp(-(zp**2) / 8.0), dtype=float)


def hit_signal(hit: np.ndarray, q: np.ndarray) -> np.ndarray:
    """A whole-percent or spike hit, weighted by how unlikely it was by chance, capped at 0.5."""
    return np.where(hit, 0.5 * (1.0 - np.clip(q, 0.0, 1.0)), 0.0)


def combine(signals: dict[str, np.ndarray], weights: dict[str, float] | None = None) -> np.ndarray:
    """The combined score 1 - prod (1 - s_k)^{w_k}, in [0, 1]."""
    weights = weights or WEIGHTS
    log_keep = np.zeros_like(next(iter(signals.values())), dtype=float)
    for name, s in signals.items():
        w = weights.get(name, 1.0)
        log_keep += w * np.log1p(-np.clip(s, 0.0, 1.0 - 1e-12))
    return np.asarray(1.0 - np.exp(log_keep), dtype=float)
