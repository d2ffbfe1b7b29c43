"""The election fingerprint and the fraud model of Klimek, Yegorov, Hanel and Thurner.

Klimek, Yegorov, Hanel, Thurner, "Statistical detection of systematic election irregularities",
PNAS 109(41), 2012. The fingerprint is the 2-D histogram of turnout against the winner's share.
Their model: a fair election in which each station's turnout and winner's share scatter around the
country's typical values, plus fraud. With probability f_i a station has *incremental* fraud: a
fraction x of its non-voters is turned into votes for the winner and the same fraction of the
opposition's votes is moved to the winner, x drawn from a half-normal of scale sigma_x; with
probability f_e it has *extreme* fraud, x close to 1 (half-normal of scale 0.075 below 1). Clean
elections fit f_i ~ f_e ~ 0.

Fit (a simulation fit, as theirs): the fair part is centred on robust estimates (median and
MAD, which the fraud cloud barely moves) of logit-turnout and logit-share; the model is simulated
once with common random numbers on a grid of (f_i, f_e, sigma_x) and the grid point whose 2-D
histogram is closest to the observed one (Hellinger distance) is the estimate. Uncertainty:
the observed histogram is bootstrapped (stations resampled, i.e. the histogram redrawn as a
multinomial) and refitted against the same simulated grid (sigma_x and the fair spread held at
their fitted values), all in one matrix product; the interval therefore ignores the simulation
noise and the uncertainty of sigma_x and is too narrow rather than too wide.
Simplification: the fair scatter is logit-normal, and the model acts on shares (no binomial noise
of small stations), which slightly widens small-station histograms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: bins per axis of the fingerprint (2 % wide); fewer for small elections
BINS = 50
F_I_GRID = np.round(np.arange(0.0, 0.801, 0.02), 3)
F_E_GRID = np.round(np.arange(0.0, 0.201, 0.005), 3)
SIGMA_GRID = np.array([0.1, 0.2, 0.35])
#: multipliers of the robust spread of the fair part (heterogeneity is fitted, not called fraud)
SPREAD_GRID = np.array([0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5])
#: scale of 1 - x for extreme fraud (Klimek et al. use a narrow distribution near 1)
EXTREME_SCALE = 0.075


def fingerprint(turnout: np.ndarray, share: np.ndarray, bins: int = BINS) -> np.ndarray:
    """2-D histogram (turnout rows, share columns) on [0, 1] x [0, 1]; NaNs dropped."""
    ok = np.isfinite(turnout) & np.isfinite(share)
    return _hist(turnout[ok], share[ok], bins)


def _bin_index(t: np.ndarray, v: np.ndarray, bins: int) -> np.ndarray:
    ti = np.clip((t * bins).astype(np.int64), 0, bins - 1)
    vi = np.clip((v * bins).astype(np.int64), 0, bins - 1)
    return ti * bins + vi


def _hist(t: np.ndarray, v: np.ndarray, bins: int) -> np.ndarray:
    return (
        np.bincount(_bin_index(t, v, bins), minlength=bins * bins).reshape(bins, bins).astype(float)
    )


def _logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(x / (1 - x)), dtype=float)


def _expit(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=float)


@dataclass
class FingerprintFit:
    """Fitted fractions of incremental (f_i) and extreme (f_e) fraud, with bootstrap intervals."""

    f_incremental: float
    f_extreme: float
    sigma_x: float
    ci_incremental: tuple[float, float]
    ci_extreme: tuple[float, float]
    distance: float
    distance_clean: float
    spread: float
    histogram: np.ndarray
    fitted: np.ndarray
    posterior: np.ndarray  # per station: probability its bin came from the fraud components
    bootstrap: int

    @property
    def fraud_fraction(self) -> float:
        """f_i + f_e."""
        return self.f_incremental + self.f_extreme


def _regimes(
    t0: np.ndarray, v0: np.ndarray, z: np.ndarray, ze: np.ndarray, sigma: float, bins: int
) -> np.ndarray:
    """Histograms (3, bins*bins) of every simulated station as clean, incremental, extreme.

    The model's histogram is linear in (f_i, f_e): (1 - f_i - f_e) H_clean + f_i H_inc +
    f_e H_ext (each station's regime is drawn independently), so three histograms per
    (sigma_x, spread) give the whole (f_i, f_e) grid.
    """
    m = t0.size
    out = np.empty((3, bins * bins))
    for r, x in enumerate(
        (np.zeros(m), np.clip(z * sigma, 0, 1), np.clip(1 - ze * EXTREME_SCALE, 0, 1))
    ):
        t = t0 + x * (1 - t0)
        v = (v0 * t0 + x * (1 - t0) + x * (1 - v0) * t0) / t
        out[r] = np.bincount(_bin_index(t, v, bins), minlength=bins * bins) / m
    return out


def _mixture_sqrt(w: np.ndarray, regimes: np.ndarray) -> np.ndarray:
    """sqrt of every grid point's histogram, (G, bins), in float32 (three fused updates)."""
    r = regimes.astype(np.float32)
    out = w[:, 0:1] * r[0]
    out += w[:, 1:2] * r[1]
    out += w[:, 2:3] * r[2]
    np.maximum(out, 0.0, out=out)
    return np.asarray(np.sqrt(out, out=out))


def fit_fingerprint(
    turnout: np.ndarray,
    share: np.ndarray,
    *,
    bootstrap: int = 100,
    seed: int = 0,
    sim_stations: int = 40_000,
    bins: int | None = None,
) -> FingerprintFit:
    """Fit the Klimek et al. (2012) fraud model to stations' turnout and winner's share.

    ``bins`` defaults to 50 per axis, fewer (down to 20) when there are few stations.
    """
    ok = np.isfinite(turnout) & np.isfinite(share)
    if bins is None:
        bins = int(np.clip(np.sqrt(ok.sum() / 4), 20, BINS))
    t, v = np.clip(turnout[ok], 0, 1), np.clip(share[ok], 0, 1)
    rng = np.random.default_rng(seed)
    lt, lv = _logit(t), _logit(v)
    mu_t, mu_v = np.median(lt), np.median(lv)
    sd_t = 1.4826 * np.median(np.abs(lt - mu_t))
    sd_v = 1.4826 * np.median(np.abs(lv - mu_v))
    # the fair part keeps the observed correlation of the bulk (robust, via the central stations)
    central = (np.abs(lt - mu_t) < 2 * sd_t) & (np.abs(lv - mu_v) < 2 * sd_v)
    rho = float(np.corrcoef(lt[central], lv[central])[0, 1]) if central.sum() > 10 else 0.0
    rho = 0.0 if not np.isfinite(rho) else rho
    m = sim_stations
    a = rng.standard_normal(m)
    b = rho * a + np.sqrt(max(1 - rho * rho, 0.0)) * rng.standard_normal(m)
    z = np.abs(rng.standard_normal(m))
    ze = np.abs(rng.standard_normal(m))
    fi_g, fe_g = np.meshgrid(F_I_GRID, F_E_GRID, indexing="ij")
    keep = (fi_g + fe_g) <= 1
    fi_g, fe_g = fi_g[keep], fe_g[keep]
    weights = np.stack([1 - fi_g - fe_g, fi_g, fe_g], axis=1)  # (G, 3)
    w32 = weights.astype(np.float32)
    obs = _hist(t, v, bins).ravel()
    n = obs.sum()
    p_obs = obs / n
    boots = rng.multinomial(int(n), p_obs, size=bootstrap).astype(float) / n if bootstrap else None
    sq_obs = np.sqrt(p_obs)
    sq_boot = np.sqrt(boots) if boots is not None else None
    best_score = -np.inf
    best: tuple[float, float, float, float] = (0.0, 0.0, SIGMA_GRID[0], 1.0)
    best_regimes = np.zeros((3, bins * bins))
    best_clean_score = -np.inf
    for spread in SPREAD_GRID:
        t0 = _expit(mu_t + spread * sd_t * a)
        v0 = _expit(mu_v + spread * sd_v * b)
        for sigma in SIGMA_GRID:
            regimes = _regimes(t0, v0, z, ze, float(sigma), bins)
            # Hellinger: minimising sum (sqrt p - sqrt q)^2 is maximising sum sqrt(p q);
            # bins the model never reaches add nothing, so only the others are computed
            cols = regimes.sum(axis=0) > 0
            score = _mixture_sqrt(w32, regimes[:, cols]) @ sq_obs[cols].astype(np.float32)
            g = int(np.argmax(score))
            if score[g] > best_score:
                best_score = float(score[g])
                best = (float(fi_g[g]), float(fe_g[g]), float(sigma), float(spread))
                best_regimes = regimes
            best_clean_score = max(best_clean_score, float(score[0]))
    # bootstrap of (f_i, f_e) with sigma_x and the fair spread held at their fitted values
    boot_fi = boot_fe = np.zeros(0)
    if sq_boot is not None:
        cols = best_regimes.sum(axis=0) > 0
        sq = _mixture_sqrt(w32, best_regimes[:, cols])
        gb = np.argmax(sq_boot[:, cols].astype(np.float32) @ sq.T, axis=1)
        boot_fi, boot_fe = fi_g[gb], fe_g[gb]
    fi, fe, sigma, spread = best
    fitted = np.array([1 - fi - fe, fi, fe]) @ best_regimes
    fraud = np.array([0.0, fi, fe]) @ best_regimes
    if bootstrap:
        ci_i = (float(np.quantile(boot_fi, 0.025)), float(np.quantile(boot_fi, 0.975)))
        ci_e = (float(np.quantile(boot_fe, 0.025)), float(np.quantile(boot_fe, 0.975)))
    else:
        ci_i = ci_e = (float("nan"), float("nan"))
    with np.errstate(divide="ignore", invalid="ignore"):
        post_bins = np.where(fitted > 0, fraud / fitted, 0.0)
    posterior = np.zeros(turnout.size)
    posterior[np.flatnonzero(ok)] = post_bins[_bin_index(t, v, bins)]
    dist = 2.0 - 2.0 * best_score
    dist_clean = 2.0 - 2.0 * best_clean_score
    return FingerprintFit(
        f_incremental=fi,
        f_extreme=fe,
        sigma_x=sigma,
        ci_incremental=ci_i,
        ci_extreme=ci_e,
        distance=dist,
        distance_clean=dist_clean,
        spread=spread,
        histogram=obs.reshape(bins, bins),
        fitted=fitted.reshape(bins, bins) * n,
        posterior=posterior,
        bootstrap=bootstrap,
    )
