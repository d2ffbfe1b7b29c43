"""Figures of the forensic report (PNG and SVG); the only module that needs matplotlib.

* the fingerprint: 2-D histogram of turnout against the leader's share (Klimek et al. 2012);
* turnout and leader's-share histograms at 0.1-point resolution with the binomial null band, where
  whole-percent spikes show (Kobak et al. 2016);
* the whole-percent count against its Monte-Carlo null;
* the second- and last-digit histograms against their laws and the resampled null.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from shailoo.forensics.report import ForensicReport
from shailoo.forensics.table import StationTable

#: replicates of the histogram null band (a band of a figure, not a test)
BAND_REPLICATES = 100


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, out: Path, name: str) -> dict[str, str]:
    paths = {}
    for ext in ("png", "svg"):
        p = out / f"{name}.{ext}"
        fig.savefig(p, dpi=110, bbox_inches="tight")
        paths[ext] = str(p)
    _plt().close(fig)
    return paths


def _fine_histogram_band(
    n: np.ndarray, k: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Histogram of 100 k / n in 0.1-point bins centred on tenths, and the binomial null band."""
    edges = np.arange(-0.05, 100.06, 0.1)
    obs, _ = np.histogram(100.0 * k / n, bins=edges)
    rng = np.random.default_rng(seed)
    band = np.empty((BAND_REPLICATES, edges.size - 1))
    for r in range(BAND_REPLICATES):
        band[r], _ = np.histogram(100.0 * rng.binomial(n, k / n) / n, bins=edges)
    lo, hi = np.percentile(band, [2.5, 97.5], axis=0)
    centres = 0.5 * (edges[:-1] + edges[1:])
    return centres, obs, lo, hi


def write_figures(
    report: ForensicReport, table: StationTable, out_dir: str | Path
) -> dict[str, dict[str, str]]:
    """Write every figure into ``out_dir``; returns name -> {"png": path, "svg": path}."""
    plt = _plt()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict[str, str]] = {}
    ex = report.extras
    fp = ex["fingerprint"]
    leader = report.leader

    # fingerprint heat map
    fig, ax = plt.subplots(figsize=(5.5, 5))
    h = fp.histogram
    ax.imshow(np.log1p(h).T, origin="lower", extent=(0, 100, 0, 100), aspect="auto", cmap="viridis")
    ax.set_xlabel("turnout, %")
    ax.set_ylabel(f"share of {leader[:30]}, %")
    ax.set_title("Election fingerprint (log stations per cell)")
    figures["fingerprint"] = _save(fig, out, "fingerprint")

    # fine histograms with null band
    ok = ex["heaping"].eligible
    lv = table.votes[:, ex["leader_index"]]
    for name, n, k, label in (
        ("turnout_histogram", table.registered[ok], table.ballots_issued[ok], "turnout, %"),
        ("share_histogram", table.ballots_cast[ok], lv[ok], f"share of {leader[:30]}, %"),
    ):
        if n.size == 0:
            continue
        c, obs, lo, hi = _fine_histogram_band(n, k, report.seed)
        fig, ax = plt.subplots(figsize=(9, 3.5))
        ax.fill_between(
            c, lo, hi, step="mid", color="tab:orange", alpha=0.4, label="binomial null, 95 %"
        )
        ax.step(c, obs, where="mid", color="tab:blue", lw=0.6, label="observed")
        ax.set_xlabel(label + " (0.1-point bins)")
        ax.set_ylabel("stations")
        ax.set_xlim(0, 100)
        ax.legend(loc="upper left", fontsize=8)
        figures[name] = _save(fig, out, name)

    # whole-percent count against its null
    hp = ex["heaping"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(hp.null_counts, bins=40, color="tab:gray", label="null (Monte-Carlo)")
    ax.axvline(hp.observed, color="tab:red", lw=2, label=f"observed {hp.observed:,}")
    ax.set_xlabel("stations at a whole percent (turnout or leader's share)")
    ax.set_ylabel("replicates")
    ax.legend(fontsize=8)
    figures["whole_percent"] = _save(fig, out, "whole_percent")

    # digits
    second, last = ex["digits"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, d, law in ((axes[0], second, "Benford"), (axes[1], last, "uniform")):
        x = np.arange(10)
        total = max(d.histogram.sum(), 1)
        ax.bar(x, d.histogram / total, color="tab:blue", alpha=0.7, label="observed")
        ax.plot(x, d.expected_asymptotic / total, "k--o", ms=3, label=law)
        null_total = max(d.expected_null.sum(), 1e-12)
        ax.plot(
            x, d.expected_null / null_total, "-s", color="tab:orange", ms=3, label="resampled null"
        )
        ax.set_xticks(x)
        ax.set_title(
            f"{d.name.replace('_', ' ')}: p = {d.p_resampled:.3g} (asymptotic {d.p_asymptotic:.2g})",
            fontsize=9,
        )
        ax.legend(fontsize=7)
    figures["digits"] = _save(fig, out, "digits")
    return figures
