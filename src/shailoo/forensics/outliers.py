"""Stations that stand out from their own district: robust z-scores.

A station's turnout and each party's share are compared with the other stations of its district
by median and median absolute deviation (MAD), which a few manufactured stations cannot drag
along (Hampel, "The influence curve and its role in robust estimation", JASA 69, 1974; used for
election monitoring e.g. in the Election Forensics Toolkit, Hicken and Mebane 2017). Districts
whose stations are all shifted together (vote buying in a whole district) are caught one level
up: each district's median turnout and leader's share against the median of its region's
districts, on a scale pooled over every district of the country.

Within a district, big (urban) and small (rural) stations differ honestly in turnout and in
party support; when station sizes are known, each value is first adjusted for the log of the
station's registered voters with one slope pooled over all districts (a trimmed least-squares
fit of the within-district deviations, which the few irregular stations cannot tilt), so a
station is compared with stations of its district of similar size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: MAD to standard deviation under normality
MAD_SCALE = 1.4826
#: a district needs this many stations to be its own reference; smaller ones use the region
MIN_GROUP = 8


def _group_ids(labels: np.ndarray | None, n: int) -> np.ndarray:
    if labels is None:
        return np.zeros(n, dtype=np.int64)
    _, inv = np.unique(labels.astype(str), return_inverse=True)
    return inv.astype(np.int64)


def group_median(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Median of ``values`` within each group, returned per element (NaN ignored)."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    v, g = values[finite], groups[finite]
    if v.size == 0:
        return out
    order = np.lexsort((v, g))
    vs, gs = v[order], g[order]
    uniq, start, size = np.unique(gs, return_index=True, return_counts=True)
    med = 0.5 * (vs[start + (size - 1) // 2] + vs[start + size // 2])
    lookup = np.full(int(groups.max()) + 1, np.nan)
    lookup[uniq] = med
    return np.asarray(lookup[groups], dtype=float)


def robust_z(values: np.ndarray, groups: np.ndarray, floor: float) -> np.ndarray:
    """(x - group median) / (1.4826 MAD of the group), with the scale floored at ``floor``."""
    med = group_median(values, groups)
    mad = group_median(np.abs(values - med), groups)
    return np.asarray((values - med) / np.maximum(MAD_SCALE * np.nan_to_num(mad), floor))


def size_adjusted(values: np.ndarray, groups: np.ndarray, log_size: np.ndarray) -> np.ndarray:
    """``values`` minus a pooled within-group slope on ``log_size`` (centred in each group).

    The slope is the least-squares fit of within-group deviations from the median, keeping only
    deviations within 3 robust sd (so manufactured stations do not tilt it); NaNs are kept.
    """
    values = np.asarray(values, dtype=float)
    vc = values - group_median(values, groups)
    xc = log_size - group_median(log_size, groups)
    ok = np.isfinite(vc) & np.isfinite(xc)
    if ok.sum() < 3 * MIN_GROUP:
        return values
    scale = MAD_SCALE * float(np.median(np.abs(vc[ok])))
    ok &= np.abs(vc) <= 3 * max(scale, 1e-9)
    sxx = float((xc[ok] ** 2).sum())
    if sxx <= 0:
        return values
    slope = float((vc[ok] * xc[ok]).sum()) / sxx
    return np.asarray(values - slope * np.nan_to_num(xc), dtype=float)


def reference_groups(district: np.ndarray | None, region: np.ndarray | None, n: int) -> np.ndarray:
    """District per station, or its region when the district has fewer than 8 stations."""
    d = _group_ids(district, n)
    r = _group_ids(region, n)
    small = np.bincount(d)[d] < MIN_GROUP
    # encode region fallbacks after all district ids
    return np.where(small, d.max() + 1 + r, d)


def _district_z(values: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Robust z of district values against their region's median, with a pooled MAD scale.

    Zero everywhere when there are fewer than 8 districts (no meaningful scale).
    """
    if values.size < MIN_GROUP:
        return np.zeros(values.size)
    dev = values - group_median(values, region)
    alone = np.bincount(region)[region] < 2  # a region of one district has no comparison
    dev = np.where(alone, 0.0, dev)
    scale = (
        MAD_SCALE * float(np.median(np.abs(dev[~alone] - np.median(dev[~alone]))))
        if (~alone).any()
        else 0.0
    )
    return np.asarray(np.nan_to_num(dev / max(scale, 0.005)), dtype=float)


@dataclass
class OutlierResult:
    """Per-station robust z-scores and the election-level summary."""

    turnout_z: np.ndarray
    share_z: np.ndarray  # (stations, parties)
    leader_z: np.ndarray
    district_turnout_z: np.ndarray
    district_leader_z: np.ndarray
    stations_over_3: int
    expected_over_3: float
    #: turnout and leader's share against the station's whole region (size-adjusted): sees a
    #: captured district that the within-district comparison cannot
    region_turnout_z: np.ndarray | None = None
    region_leader_z: np.ndarray | None = None


def outlier_scores(
    turnout: np.ndarray,
    shares: np.ndarray,
    leader: int,
    district: np.ndarray | None,
    region: np.ndarray | None,
    registered: np.ndarray | None = None,
) -> OutlierResult:
    """Robust z of turnout and of every party's share within districts, and of districts
    within regions. ``shares`` is (stations, parties); ``leader`` the column under test;
    ``registered`` (optional) adjusts station values for station size (:func:`size_adjusted`)."""
    n = turnout.size
    groups = reference_groups(district, region, n)
    if registered is not None:
        log_size = np.log(np.maximum(np.asarray(registered, dtype=float), 1.0))

        def adjust(v: np.ndarray) -> np.ndarray:
            return size_adjusted(v, groups, log_size)
    else:

        def adjust(v: np.ndarray) -> np.ndarray:
            return v

    # floors: one point of turnout or share, so tiny MADs of uniform districts do not explode
    tz = robust_z(adjust(turnout), groups, 0.01)
    sz = np.column_stack(
        [robust_z(adjust(shares[:, j]), groups, 0.01) for j in range(shares.shape[1])]
    )
    d = _group_ids(district, n)
    r = _group_ids(region, n)
    # each district's median against the median of its region's districts, on a scale pooled
    # over all districts of the country (a region holds too few districts for its own MAD)
    first = np.unique(d, return_index=True)[1]
    d_region = r[first]
    dt = _district_z(group_median(turnout, d)[first], d_region)[d]
    dl = _district_z(group_median(shares[:, leader], d)[first], d_region)[d]
    leader_z = sz[:, leader]
    # the same against the region (the nation when no region is known): honest district
    # effects add noise here, but stuffing that fills most of a district stands out only here
    rg = r if region is not None else np.zeros(n, dtype=np.int64)
    if registered is not None:
        rt_in, rl_in = (size_adjusted(v, rg, log_size) for v in (turnout, shares[:, leader]))
    else:
        rt_in, rl_in = turnout, shares[:, leader]
    rtz = robust_z(rt_in, rg, 0.01)
    rlz = robust_z(rl_in, rg, 0.01)
    over = np.nan_to_num(np.maximum(tz, leader_z)) > 3
    # under normality P(max of two near-independent z > 3) ~ 2 * 0.00135
    return OutlierResult(
        turnout_z=tz,
        share_z=sz,
        leader_z=leader_z,
        district_turnout_z=dt,
        district_leader_z=dl,
        stations_over_3=int(over.sum()),
        expected_over_3=float(n * 2 * 0.0013499),
        region_turnout_z=rtz,
        region_leader_z=rlz,
    )


@dataclass
class SlopeResult:
    """Sobyanin-Sukhovolsky: the leader's votes per registered voter regressed on turnout."""

    slope: float
    se: float
    mean_share: float
    ci: tuple[float, float]
    z: float


def turnout_slope(
    registered: np.ndarray, issued: np.ndarray, leader_votes: np.ndarray
) -> SlopeResult:
    """Least-squares slope of leader votes / registered on turnout across stations.

    Sobyanin and Sukhovolsky (analyses of Russian elections, 1993-1995; see Myagkov, Ordeshook
    and Shakin, "The Forensics of Election Fraud", 2009, ch. 3): if extra turnout is honest and
    splits like everyone else, the slope is near the leader's mean share; a slope well above it
    says the extra turnout went to the leader. Standard error robust to heteroscedasticity (HC0).
    """
    ok = registered > 0
    t = issued[ok] / registered[ok]
    y = leader_votes[ok] / registered[ok]
    w = registered[ok].astype(float)
    tm = np.average(t, weights=w)
    ym = np.average(y, weights=w)
    sxx = (w * (t - tm) ** 2).sum()
    slope = float((w * (t - tm) * (y - ym)).sum() / sxx) if sxx > 0 else float("nan")
    resid = y - ym - slope * (t - tm)
    se = float(np.sqrt((w**2 * (t - tm) ** 2 * resid**2).sum()) / sxx) if sxx > 0 else float("nan")
    mean_share = float(leader_votes[ok].sum() / max(issued[ok].sum(), 1))
    return SlopeResult(
        slope=slope,
        se=se,
        mean_share=mean_share,
        ci=(slope - 1.96 * se, slope + 1.96 * se),
        z=(slope - mean_share) / se if se > 0 else float("nan"),
    )


@dataclass
class AsymmetryResult:
    """Stations high on both turnout and the leader's share against those low on both."""

    up: int
    down: int
    cut: float
    p_value: float


def joint_asymmetry(
    turnout_z: np.ndarray, leader_z: np.ndarray, cut: float = 2.5
) -> AsymmetryResult:
    """Compare stations with both z above ``cut`` with those with both below ``-cut``.

    Honest variation moves a station's turnout and the leader's share up or down alike, so
    the two corners hold about as many stations; stuffing and rewriting for the leader fill only
    the upper one. One-sided binomial test of up among up + down at 1/2.
    """
    from scipy.stats import binomtest

    t = np.nan_to_num(turnout_z)
    v = np.nan_to_num(leader_z)
    up = int(((t > cut) & (v > cut)).sum())
    down = int(((t < -cut) & (v < -cut)).sum())
    p = float(binomtest(up, up + down, 0.5, alternative="greater").pvalue) if up + down else 1.0
    return AsymmetryResult(up=up, down=down, cut=cut, p_value=p)
