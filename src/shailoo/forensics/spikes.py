"""Vote-share spikes at simple fractions, against a smoothed resampled null.

After Rozenas, "Detecting election fraud from irregularities in vote-share distributions",
Political Analysis 25(1), 2017: manufactured results pile up at "focal" shares (1/2, 2/3, 3/4,
round percentages such as 60 % or 75 %), producing spikes that a smooth distribution of shares
cannot produce. The null keeps the smooth part and the arithmetic of small denominators: each
station's share is redrawn from a kernel-smoothed density around the observed shares and then
counted out of its own number of ballots, so a station of 200 ballots still lands on 1/2 as
often as honest counting would make it.

Simplification (stated in the report): Rozenas fits beta-binomial mixtures; here the smooth
density is a Gaussian kernel with Silverman's bandwidth, and the probability that a redrawn
count lands in a focal window is computed with the normal approximation of that mixture at each
lattice point (counts are integers), which makes the Monte-Carlo a sum of independent
Bernoulli draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

#: half-width of a focal window, as a share (0.05 percentage points)
EPSILON = 0.0005


def focal_points() -> np.ndarray:
    """Simple fractions with denominators 2 to 5 and every multiple of 5 %, in (0, 1)."""
    points = {Fraction(a, b) for b in range(2, 6) for a in range(1, b)}
    points |= {Fraction(k, 20) for k in range(1, 20)}
    return np.array(sorted(float(p) for p in points))


@dataclass
class SpikeResult:
    """Spike test of one party's share: stations at focal shares, observed and expected."""

    stations: int
    observed: int
    expected: float
    sd: float
    p_value: float
    bandwidth: float
    replicates: int
    hit: np.ndarray
    q: np.ndarray
    #: exact mean and sd of the null count (a sum of independent Bernoulli(q_i))
    expected_exact: float = 0.0
    sd_exact: float = 0.0

    @property
    def excess(self) -> float:
        """Observed minus expected stations at focal shares."""
        return self.observed - self.expected


def _focal_mass(n: np.ndarray, share: np.ndarray, focal: np.ndarray, h: float) -> np.ndarray:
    """Null probability that a station's redrawn share lands in some focal window."""
    mu = n * share
    sd = np.sqrt(n * n * h * h + n * share * (1 - share))
    k_lo = np.ceil(n[:, None] * (focal[None, :] - EPSILON) - 1e-9)
    k_hi = np.floor(n[:, None] * (focal[None, :] + EPSILON) + 1e-9)
    lattice = np.maximum(k_hi - k_lo + 1, 0)
    centre = 0.5 * (k_lo + k_hi)
    z = (centre - mu[:, None]) / sd[:, None]
    mass = (lattice * np.exp(-0.5 * z * z) / (np.sqrt(2 * np.pi) * sd[:, None])).sum(axis=1)
    return np.asarray(np.clip(mass, 0.0, 1.0), dtype=float)


def spike_test(
    votes: np.ndarray,
    cast: np.ndarray,
    *,
    replicates: int = 1000,
    seed: int = 0,
    min_cast: int = 50,
) -> SpikeResult:
    """Count stations whose share lies within 0.05 points of a focal share, against the null."""
    votes = np.asarray(votes, dtype=np.int64)
    cast = np.asarray(cast, dtype=np.int64)
    ok = cast >= min_cast
    n = cast[ok]
    k = votes[ok]
    share = k / n
    focal = focal_points()
    # Silverman's rule of thumb on the shares, floored so the kernel is never narrower than
    # one vote at the median station
    iqr = np.subtract(*np.percentile(share, [75, 25])) if share.size else 0.0
    spread = min(float(share.std()), iqr / 1.34) if share.size > 1 else 0.1
    h = max(0.9 * spread * max(share.size, 1) ** -0.2, 1.0 / max(float(np.median(n)), 1.0), 1e-3)
    # hits: |k/n - f| <= EPSILON for some focal f
    # hits: the nearest focal point (focal points are sorted) within EPSILON
    pos = np.clip(np.searchsorted(focal, share), 1, focal.size - 1)
    dist = np.minimum(np.abs(share - focal[pos - 1]), np.abs(share - focal[pos]))
    hit_ok = dist <= EPSILON + 1e-12
    # null: X ~ N(n s, n^2 h^2 + n s (1 - s)); mass of the lattice points in each window
    q_ok = np.empty(share.size)
    block = 100_000
    for start in range(0, share.size, block):
        sl = slice(start, start + block)
        q_ok[sl] = _focal_mass(n[sl], share[sl], focal, h)
    rng = np.random.default_rng(seed)
    null = np.empty(replicates, dtype=np.int64)
    # float32 uniforms: twice as fast, and q is resolved to 6e-8 (far below Monte-Carlo error)
    q32 = q_ok.astype(np.float32)
    per = max(1, 20_000_000 // max(q_ok.size, 1))
    for start in range(0, replicates, per):
        r = min(per, replicates - start)
        null[start : start + r] = np.count_nonzero(
            rng.random((r, q_ok.size), dtype=np.float32) < q32, axis=1
        )
    observed = int(hit_ok.sum())
    hit = np.zeros(votes.size, dtype=bool)
    hit[np.flatnonzero(ok)] = hit_ok
    q = np.zeros(votes.size)
    q[np.flatnonzero(ok)] = q_ok
    return SpikeResult(
        stations=int(ok.sum()),
        observed=observed,
        expected=float(null.mean()) if replicates else float(q_ok.sum()),
        sd=float(null.std(ddof=1)) if replicates > 1 else float(np.sqrt((q_ok * (1 - q_ok)).sum())),
        p_value=float((1 + (null >= observed).sum()) / (replicates + 1)),
        bandwidth=h,
        replicates=replicates,
        hit=hit,
        q=q,
        expected_exact=float(q_ok.sum()),
        sd_exact=float(np.sqrt((q_ok * (1 - q_ok)).sum())),
    )
