"""Digit tests: second-digit Benford (Mebane) and last-digit uniformity (Beber and Scacco).

* Second digit: Mebane, "Election forensics: the second-digit Benford's law test and recent
  American presidential elections" (2006) and later work: under the second-digit Benford law
  P(d) = sum_{k=1..9} log10(1 + 1/(10k + d)); Pearson chi-square with 9 degrees of freedom and the
  mean second digit (4.187).
* Last digit: Beber and Scacco, "What the numbers say: a digit-based test for election fraud",
  Political Analysis 20(2), 2012: last digits of counts of at least two digits are near uniform;
  chi-square with 9 degrees of freedom, the mean last digit (4.5) and the share ending in 0 or 5.

The asymptotic tests compare with Benford or the uniform law and reject many clean elections
(the counts of a party are not Benford-distributed for honest reasons). Beside them we report a
resampled null: each station's count is redrawn as Binomial(ballots cast, the observed share) and
the same statistic is computed. The per-station digit probabilities under that null are computed
exactly (binomial mass summed by digit); the null distribution of the statistic is then drawn by
Monte-Carlo, exactly (categorical draws) for small elections and from the multivariate normal limit
of the digit counts (a sum of thousands of independent categoricals) for large ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import gammaln

#: second-digit Benford probabilities for d = 0..9
BENFORD_2ND = np.array(
    [sum(np.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)]
)
#: above this many (counts x replicates) the normal limit replaces categorical draws
_EXACT_LIMIT = 20_000_000
#: stations enter the digit tests only if the binomial sd of their count, at the party's national
#: share, is at least this. Why: the resampled null redraws each observed count with binomial
#: noise on top of the noise it already carries, so its counts are spread sqrt(2) wider. Digits
#: do not notice once a count's own sd is large against the width of a digit's bin (10): the
#: first Fourier term of a digit law falls as exp(-2 pi^2 sd^2 / 100), 8e-4 at sd 6. Below that,
#: honest elections of tiny stations failed the resampled test (50,000 stations of about 60
#: voters: p = 0.001 for both tests; bench/RESULTS.md). Beber and Scacco likewise test only
#: counts large enough for the last digit to be uniform.
MIN_COUNT_SD = 6.0


@dataclass
class DigitResult:
    """One digit test: the statistic, its asymptotic and resampled p-values."""

    name: str
    counts: int
    histogram: np.ndarray
    expected_asymptotic: np.ndarray
    expected_null: np.ndarray
    chi2: float
    p_asymptotic: float
    p_resampled: float
    mean_digit: float
    mean_null: float
    mean_null_sd: float
    p_mean_resampled: float
    share_0_or_5: float | None = None


def second_digit(x: np.ndarray) -> np.ndarray:
    """Second significant digit of integers >= 10 (-1 for smaller)."""
    x = np.asarray(x, dtype=np.int64)
    out = np.full(x.shape, -1, dtype=np.int64)
    ok = x >= 10
    v = x[ok]
    # number of digits by comparison with exact powers of ten (no float logarithm)
    powers = 10 ** np.arange(19, dtype=np.int64)
    length = np.searchsorted(powers, v, side="right")
    two = v // powers[length - 2]
    out[ok] = two % 10
    return out


def digit_probabilities(
    n: np.ndarray, p: np.ndarray, span: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """Exact P(second digit = d) and P(last digit = d) of Binomial(n, p), per station.

    Rows sum to P(count >= 10) (the second digit) and to P(count >= 10) (the last digit of counts
    of at least two digits). Mass beyond ``span`` standard deviations is ignored (below 1e-6).
    Stations are processed in blocks of about five million grid points (bounded memory).
    """
    n = np.asarray(n, dtype=np.int64)
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    second = np.empty((n.size, 10))
    last = np.empty((n.size, 10))
    width = np.cumsum(2 * span * np.sqrt(n * p * (1 - p)) + 4)
    start = 0
    while start < n.size:
        stop = int(np.searchsorted(width, (width[start - 1] if start else 0) + 5e6)) + 1
        stop = min(max(stop, start + 1), n.size)
        second[start:stop], last[start:stop] = _digit_block(n[start:stop], p[start:stop], span)
        start = stop
    return second, last


def _digit_block(n: np.ndarray, p: np.ndarray, span: float) -> tuple[np.ndarray, np.ndarray]:
    mu = n * p
    sd = np.sqrt(n * p * (1 - p))
    lo = np.maximum(np.floor(mu - span * sd - 1), 0).astype(np.int64)
    hi = np.minimum(np.ceil(mu + span * sd + 1), n).astype(np.int64)
    width = hi - lo + 1
    station = np.repeat(np.arange(n.size), width)
    k = lo[station] + (np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width))
    nn = n[station]
    pp = p[station]
    logpmf = (
        gammaln(nn + 1) - gammaln(k + 1) - gammaln(nn - k + 1)
        + k * np.log(pp) + (nn - k) * np.log1p(-pp)
    )  # fmt: skip
    pmf = np.exp(logpmf)
    big = k >= 10
    second = np.bincount(
        station[big] * 10 + second_digit(k[big]), weights=pmf[big], minlength=n.size * 10
    ).reshape(n.size, 10)
    last = np.bincount(
        station[big] * 10 + k[big] % 10, weights=pmf[big], minlength=n.size * 10
    ).reshape(n.size, 10)
    return second, last


def _null_histograms(probs: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Digit histograms of ``replicates`` redraws; ``probs`` rows are per-count digit laws.

    Rows may sum below 1 (the count may fall under 10); that mass is "no digit".
    """
    n = probs.shape[0]
    if n * replicates <= _EXACT_LIMIT:
        cum = np.cumsum(probs, axis=1)
        out = np.zeros((replicates, 10), dtype=float)
        step = max(1, _EXACT_LIMIT // 10 // max(n, 1))
        for start in range(0, replicates, step):
            r = min(step, replicates - start)
            u = rng.random((r, n, 1))
            digit = (u > cum[None, :, :]).sum(axis=2)  # 10 means "no digit"
            rows = np.repeat(np.arange(r), n) * 11 + digit.ravel()
            out[start : start + r] = np.bincount(rows, minlength=r * 11).reshape(r, 11)[:, :10]
        return out
    mean = probs.sum(axis=0)
    cov = np.diag(mean) - probs.T @ probs
    return rng.multivariate_normal(mean, cov, size=replicates, method="eigh")


def _chi2(hist: np.ndarray, law: np.ndarray) -> np.ndarray:
    total = hist.sum(axis=-1, keepdims=True)
    expected = total * law
    return np.asarray(((hist - expected) ** 2 / np.maximum(expected, 1e-12)).sum(axis=-1))


def _test(
    name: str,
    digits: np.ndarray,
    probs: np.ndarray,
    law: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
) -> DigitResult:
    hist = np.bincount(digits, minlength=10).astype(float)
    total = hist.sum()
    chi2 = float(_chi2(hist, law))
    null = _null_histograms(probs, replicates, rng)
    null_chi2 = _chi2(null, law)
    d = np.arange(10)
    mean_obs = float((hist * d).sum() / total) if total else float("nan")
    null_mean = (null * d).sum(axis=1) / np.maximum(null.sum(axis=1), 1e-12)
    centre = float(null_mean.mean())
    dev = np.abs(null_mean - centre)
    return DigitResult(
        name=name,
        counts=int(total),
        histogram=hist,
        expected_asymptotic=total * law,
        expected_null=null.mean(axis=0),
        chi2=chi2,
        p_asymptotic=float(stats.chi2.sf(chi2, 9)),
        p_resampled=float((1 + (null_chi2 >= chi2).sum()) / (replicates + 1)),
        mean_digit=mean_obs,
        mean_null=centre,
        mean_null_sd=float(null_mean.std(ddof=1)) if replicates > 1 else 0.0,
        p_mean_resampled=float((1 + (dev >= abs(mean_obs - centre)).sum()) / (replicates + 1)),
        share_0_or_5=float((hist[0] + hist[5]) / total) if name == "last_digit" and total else None,
    )


def digit_tests(
    counts: np.ndarray, cast: np.ndarray, *, replicates: int = 1000, seed: int = 0
) -> tuple[DigitResult, DigitResult]:
    """Second-digit Benford and last-digit tests of one party's station counts.

    ``counts`` are the party's votes per station, ``cast`` the ballots in the boxes (the binomial
    size of the resampled null). Only stations whose count would have a binomial sd of at least
    :data:`MIN_COUNT_SD` at the party's national share enter (chosen without looking at the
    station's own count), and of those only counts of at least 10 (two digits needed).
    """
    counts = np.asarray(counts, dtype=np.int64)
    cast = np.asarray(cast, dtype=np.int64)
    share = float(counts.sum() / max(cast.sum(), 1))
    wide = np.sqrt(cast * share * (1 - share)) >= MIN_COUNT_SD
    # every such station enters the null (a count of 8 may be redrawn as 11), only counts of at
    # least 10 enter the observed histogram: otherwise the null loses mass at 10-19
    keep = (cast > 0) & wide
    c, n = counts[keep], cast[keep]
    rng = np.random.default_rng(seed)
    p_second, p_last = digit_probabilities(n, c / n)
    big = c >= 10
    second = _test("second_digit", second_digit(c[big]), p_second, BENFORD_2ND, replicates, rng)
    last = _test("last_digit", c[big] % 10, p_last, np.full(10, 0.1), replicates, rng)
    return second, last
