"""Whole-percent heaping: turnout and the leader's share that land on round percentages.

Kobak, Shpilkin and Pshenichnikov, "Integer percentages as electoral falsification
fingerprints", Annals of Applied Statistics 10(1), 2016. Stations with at least 100 registered
voters, turnout and leader's share both at most 99 %; a station counts if its turnout (ballots
issued / registered) or its leader's share (leader's votes / ballots in the boxes) lies within
0.05 points of a whole percent. The null redraws each station's two counts as Binomial(n, observed
proportion) and counts again.

Speed without approximation: the null count only depends on whether each redrawn percentage lands
in a window, so each station contributes a Bernoulli(q_i) where q_i is the exact binomial
probability mass of the windows (binomial probabilities summed over them). Drawing them is
distributed exactly as redrawing the binomials and testing them, and is far cheaper; the mean and
variance of the null are also known in closed form (a Poisson-binomial), reported beside the
Monte-Carlo ones. :func:`heaping_null_binomial` keeps the literal per-replicate binomial redraw for
checks and the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

#: half-width of the window around a whole percent, in percentage points (Kobak et al. 2016)
WINDOW = 0.05
#: stations need at least this many registered voters (Kobak et al. 2016)
MIN_REGISTERED = 100
#: turnout and leader's share must both be at most this (Kobak et al. 2016)
MAX_PERCENT = 0.99


def at_whole_percent(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """True where 100 k / n lies within 0.05 points of a whole number (exact integer test).

    |100k/n - m| <= 0.05  <=>  |2000 k - 20 m n| <= n, with m the nearest whole percent.
    """
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    safe = np.maximum(n, 1)
    m = (200 * k + safe) // (2 * safe)  # round(100 k / n) half up, in integers
    return np.asarray((np.abs(2000 * k - 20 * m * safe) <= safe) & (n > 0), dtype=bool)


def window_probability(n: np.ndarray, p: np.ndarray, sd_span: float = 5.5) -> np.ndarray:
    """P(100 X / n within 0.05 of a whole percent) for X ~ Binomial(n, p), per station.

    Sums the binomial mass of every window within ``sd_span`` standard deviations of the mean
    (the mass outside is below 4e-8 per station). Stations are processed in blocks so memory stays
    bounded for a million stations.
    """
    n = np.asarray(n, dtype=np.int64)
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    out = np.empty(n.size)
    block = 50_000
    for start in range(0, n.size, block):
        sl = slice(start, start + block)
        out[sl] = _window_probability_block(n[sl], p[sl], sd_span)
    return out


def _window_probability_block(n: np.ndarray, p: np.ndarray, sd_span: float) -> np.ndarray:
    sd_pct = 100.0 * np.sqrt(p * (1 - p) / np.maximum(n, 1))
    centre = np.rint(100.0 * p).astype(np.int64)
    half = np.ceil(sd_span * sd_pct).astype(np.int64) + 1
    lo_m = np.maximum(centre - half, 0)
    hi_m = np.minimum(centre + half, 100)
    counts = hi_m - lo_m + 1
    station = np.repeat(np.arange(n.size), counts)
    m = lo_m[station] + _ragged_offsets(counts)
    nn = n[station]
    # window of counts k with |2000 k - 20 m n| <= n: k in [ceil((20m-1)n/2000), floor((20m+1)n/2000)]
    k_lo = np.maximum(-((-(20 * m - 1) * nn) // 2000), 0)
    k_hi = np.minimum(((20 * m + 1) * nn) // 2000, nn)
    width = np.maximum(k_hi - k_lo + 1, 0)
    # every count inside some window, with its station: the binomial mass is summed over them
    # (the log-pmf costs a fifth of a binomial CDF evaluation)
    owner = np.repeat(station, width)
    k = np.repeat(k_lo, width) + _ragged_offsets(width)
    size = n[owner]
    prob = np.clip(p[owner], 1e-15, 1 - 1e-15)
    logpmf = (
        gammaln(size + 1) - gammaln(k + 1) - gammaln(size - k + 1)
        + k * np.log(prob) + (size - k) * np.log1p(-prob)
    )  # fmt: skip
    out = np.bincount(owner, weights=np.exp(logpmf), minlength=n.size)
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=float)


def _ragged_offsets(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., c-1 for every c in ``counts``, concatenated."""
    total = int(counts.sum())
    return np.asarray(np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts))


@dataclass
class HeapingResult:
    """Whole-percent heaping of one election (all counts are numbers of stations)."""

    stations: int
    observed: int
    expected: float
    sd: float
    expected_exact: float
    sd_exact: float
    p_value: float
    observed_turnout: int
    expected_turnout: float
    observed_leader: int
    expected_leader: float
    replicates: int
    eligible: np.ndarray
    hit: np.ndarray
    q: np.ndarray
    null_counts: np.ndarray

    @property
    def excess(self) -> float:
        """Observed minus the Monte-Carlo mean of the null."""
        return self.observed - self.expected

    @property
    def z(self) -> float:
        """Excess in null standard deviations."""
        return self.excess / self.sd if self.sd > 0 else 0.0


def eligible_stations(
    registered: np.ndarray, issued: np.ndarray, cast: np.ndarray, leader: np.ndarray
) -> np.ndarray:
    """Kobak et al.'s selection: >= 100 registered, turnout and leader's share both <= 99 %."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = issued / registered
        s = leader / cast
    ok = (registered >= MIN_REGISTERED) & (cast > 0) & (t <= MAX_PERCENT) & (s <= MAX_PERCENT)
    return np.asarray(ok, dtype=bool)


def heaping_test(
    registered: np.ndarray,
    issued: np.ndarray,
    cast: np.ndarray,
    leader: np.ndarray,
    *,
    replicates: int = 1000,
    seed: int = 0,
    chunk: int = 20_000_000,
    progress: Callable[[int], None] | None = None,
) -> HeapingResult:
    """Count stations at whole percentages against the binomial null of Kobak et al. (2016).

    ``progress`` is called with the number of replicates done after each chunk.
    """
    registered = np.asarray(registered, dtype=np.int64)
    issued = np.asarray(issued, dtype=np.int64)
    cast = np.asarray(cast, dtype=np.int64)
    leader = np.asarray(leader, dtype=np.int64)
    ok = eligible_stations(registered, issued, cast, leader)
    n_t, k_t = registered[ok], issued[ok]
    n_l, k_l = cast[ok], leader[ok]
    hit_t = at_whole_percent(k_t, n_t)
    hit_l = at_whole_percent(k_l, n_l)
    q_t = window_probability(n_t, k_t / n_t)
    q_l = window_probability(n_l, k_l / n_l)
    # the two redraws are independent, so a station is counted with this probability
    q = 1.0 - (1.0 - q_t) * (1.0 - q_l)
    rng = np.random.default_rng(seed)
    null = np.empty(replicates, dtype=np.int64)
    # float32 uniforms: twice as fast, and q is resolved to 6e-8 (far below Monte-Carlo error)
    q32 = q.astype(np.float32)
    per = max(1, chunk // max(q.size, 1))
    done = 0
    while done < replicates:
        r = min(per, replicates - done)
        null[done : done + r] = np.count_nonzero(
            rng.random((r, q.size), dtype=np.float32) < q32, axis=1
        )
        done += r
        if progress is not None:
            progress(done)
    observed = int((hit_t | hit_l).sum())
    hit = np.zeros(registered.size, dtype=bool)
    hit[np.flatnonzero(ok)] = hit_t | hit_l
    q_full = np.zeros(registered.size)
    q_full[np.flatnonzero(ok)] = q
    return HeapingResult(
        stations=int(ok.sum()),
        observed=observed,
        expected=float(null.mean()) if replicates else float(q.sum()),
        sd=float(null.std(ddof=1)) if replicates > 1 else float(np.sqrt((q * (1 - q)).sum())),
        expected_exact=float(q.sum()),
        sd_exact=float(np.sqrt((q * (1 - q)).sum())),
        p_value=float((1 + (null >= observed).sum()) / (replicates + 1)),
        observed_turnout=int(hit_t.sum()),
        expected_turnout=float(q_t.sum()),
        observed_leader=int(hit_l.sum()),
        expected_leader=float(q_l.sum()),
        replicates=replicates,
        eligible=ok,
        hit=hit,
        q=q_full,
        null_counts=null,
    )


def heaping_null_binomial(
    registered: np.ndarray,
    issued: np.ndarray,
    cast: np.ndarray,
    leader: np.ndarray,
    *,
    replicates: int,
    seed: int = 0,
    chunked: bool = True,
) -> np.ndarray:
    """The literal null of Kobak et al.: redraw both binomials, test, count (per replicate).

    ``chunked=False`` is the plain per-replicate loop the benchmark measures against.
    """
    ok = eligible_stations(registered, issued, cast, leader)
    n_t, k_t = registered[ok], issued[ok]
    n_l, k_l = cast[ok], leader[ok]
    p_t, p_l = k_t / n_t, k_l / n_l
    rng = np.random.default_rng(seed)
    out = np.empty(replicates, dtype=np.int64)
    step = max(1, 20_000_000 // max(n_t.size, 1)) if chunked else 1
    done = 0
    while done < replicates:
        r = min(step, replicates - done)
        x_t = rng.binomial(n_t, p_t, size=(r, n_t.size))
        x_l = rng.binomial(n_l, p_l, size=(r, n_l.size))
        out[done : done + r] = (at_whole_percent(x_t, n_t) | at_whole_percent(x_l, n_l)).sum(1)
        done += r
    return out
