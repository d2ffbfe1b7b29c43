"""The whole forensic battery on one election: :func:`run`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shailoo.domain.errors import InputError
from shailoo.forensics.alarm import FAMILY_ALPHA, holm, normal_tail
from shailoo.forensics.digits import digit_tests
from shailoo.forensics.fingerprint import fit_fingerprint
from shailoo.forensics.heaping import heaping_test
from shailoo.forensics.outliers import joint_asymmetry, outlier_scores, turnout_slope
from shailoo.forensics.report import ForensicReport, RiskTable, TestResult
from shailoo.forensics.risk import combine, hit_signal, z_signal
from shailoo.forensics.spikes import spike_test
from shailoo.forensics.table import StationTable

#: stages reported to ``progress``
STAGES = (
    "whole-percent heaping",
    "digit tests",
    "share spikes",
    "fingerprint fit",
    "district outliers",
    "risk scores",
)
#: threshold text of the calibrated tests
HOLM_THRESHOLD = (
    "Holm-adjusted p at or below {alpha:g} (family-wise level over the calibrated tests)"
)
#: threshold text of the descriptive measures
DESCRIPTIVE = "descriptive, never raises the alarm; "
#: tests with a calibrated null (exact or resampled): only these can raise the election alarm
CALIBRATED = ("whole_percent", "second_digit", "last_digit", "share_spikes")
#: p below which the (binomial-at-1/2) corner asymmetry is noted in the summary (descriptive)
NOTE_P = 0.001


def run(
    table: StationTable,
    leader: str | None = None,
    replicates: int = 1000,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    bootstrap: int = 100,
    alpha: float = FAMILY_ALPHA,
) -> ForensicReport:
    """Run every forensic test on ``table`` and score every station.

    ``leader`` is the party under test (default: the national winner); ``replicates`` the
    Monte-Carlo replicates of each null; ``progress`` is called with the name of each stage as
    it starts. ``alpha`` is the family-wise error rate of the election-level alarm: the
    calibrated tests (:data:`CALIBRATED`) are Holm-corrected at that level and only they can
    raise it (:mod:`shailoo.forensics.alarm`). Statistics flag; people decide: see each test's
    ``meaning``.
    """
    if not 0.0 < alpha < 1.0:
        raise InputError("alpha must lie in (0, 1)", column="--alpha", rule="range",
                         values={"alpha": alpha})  # fmt: skip
    if len(table) == 0:
        raise InputError("no stations to analyse", file=table.source or None, rule="empty")
    if not table.parties:
        raise InputError("no party columns", file=table.source or None, rule="no-parties")
    if replicates < 1:
        raise InputError("replicates must be at least 1", column="--replicates", rule="positive")
    leader = leader or table.winner()
    j = table.party_index(leader)
    step = progress or (lambda _stage: None)
    reg, iss, cast = table.registered, table.ballots_issued, table.ballots_cast
    lv = table.votes[:, j]
    turnout = table.turnout
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(cast[:, None] > 0, table.votes / cast[:, None], np.nan)
    tests: list[TestResult] = []

    step(STAGES[0])
    h = heaping_test(reg, iss, cast, lv, replicates=replicates, seed=seed)
    tests.append(
        TestResult(
            name="whole_percent",
            title="Whole-percent turnout or leader's share (stations)",
            statistic=h.excess,
            null=(
                "each station's ballots issued and leader's votes redrawn as Binomial(n, observed "
                f"proportion), {replicates} replicates"
            ),
            # the null is a sum of independent Bernoulli indicators with known mean and variance:
            # its normal tail resolves p far below 1 / (replicates + 1)
            p_value=normal_tail(h.observed, h.expected_exact, h.sd_exact),
            alarm=False,
            calibrated=True,
            threshold=HOLM_THRESHOLD.format(alpha=alpha),
            meaning=(
                f"{h.observed:,} of {h.stations:,} stations have turnout or the leader's share within "
                f"0.05 points of a whole percent against {h.expected:,.0f} ± {h.sd:.0f} expected by "
                f"chance (excess {h.excess:+,.0f}, {h.z:+.1f} sd). An excess means numbers were "
                "chosen rather than counted somewhere; it cannot say which stations or who chose them."
            ),
            paper="Kobak, Shpilkin, Pshenichnikov, Annals of Applied Statistics 10(1), 2016",
            details={
                "stations": h.stations,
                "observed": h.observed,
                "expected": h.expected,
                "sd": h.sd,
                "z": h.z,
                "expected_exact": h.expected_exact,
                "sd_exact": h.sd_exact,
                "p_monte_carlo": h.p_value,
                "observed_turnout": h.observed_turnout,
                "expected_turnout": h.expected_turnout,
                "observed_leader": h.observed_leader,
                "expected_leader": h.expected_leader,
            },
        )
    )

    step(STAGES[1])
    second, last = digit_tests(lv, cast, replicates=replicates, seed=seed + 1)
    for d, title, law in (
        (
            second,
            "Second-digit Benford of the leader's votes (chi-square)",
            "Benford's second-digit law",
        ),
        (last, "Last digit of the leader's votes (chi-square)", "the uniform law"),
    ):
        tests.append(
            TestResult(
                name=d.name,
                title=title,
                statistic=d.chi2,
                null=(
                    f"counts redrawn as Binomial(ballots cast, observed share), {replicates} "
                    f"replicates; asymptotic: chi-square(9) against {law}"
                ),
                p_value=d.p_resampled,
                alarm=False,
                calibrated=True,
                threshold=HOLM_THRESHOLD.format(alpha=alpha),
                meaning=(
                    f"Chi-square {d.chi2:.1f} on {d.counts:,} counts: resampled p = {d.p_resampled:.3g}, "
                    f"asymptotic p = {d.p_asymptotic:.3g}. Digit tests are weak: honest counts "
                    "often fail the asymptotic test and manufactured ones can pass; treat a "
                    "rejection as a flag to look further, not as evidence on its own."
                ),
                paper=(
                    "Mebane, second-digit Benford test (2006 and later)"
                    if d.name == "second_digit"
                    else "Beber and Scacco, Political Analysis 20(2), 2012"
                ),
                details={
                    "counts": d.counts,
                    "histogram": d.histogram,
                    "expected_asymptotic": d.expected_asymptotic,
                    "expected_null": d.expected_null,
                    "p_asymptotic": d.p_asymptotic,
                    "mean_digit": d.mean_digit,
                    "mean_null": d.mean_null,
                    "mean_null_sd": d.mean_null_sd,
                    "p_mean_resampled": d.p_mean_resampled,
                    "share_0_or_5": d.share_0_or_5,
                },
            )
        )

    step(STAGES[2])
    sp = spike_test(lv, cast, replicates=replicates, seed=seed + 2)
    sp_z = sp.excess / sp.sd if sp.sd > 0 else 0.0
    tests.append(
        TestResult(
            name="share_spikes",
            title="Leader's share at simple fractions (stations)",
            statistic=sp.excess,
            null=(
                "shares redrawn from a kernel-smoothed density (bandwidth "
                f"{sp.bandwidth:.3f}) and counted out of each station's ballots, {replicates} replicates"
            ),
            p_value=normal_tail(sp.observed, sp.expected_exact, sp.sd_exact),
            alarm=False,
            calibrated=True,
            threshold=HOLM_THRESHOLD.format(alpha=alpha),
            meaning=(
                f"{sp.observed:,} stations give the leader a share within 0.05 points of 1/2, 2/3, "
                f"3/4 or a multiple of 5 % against {sp.expected:,.0f} ± {sp.sd:.0f} expected "
                f"({sp_z:+.1f} sd). Spikes suggest shares written to order; a smooth null can "
                "miss honest bumps in the distribution, so check where the hits are."
            ),
            paper="after Rozenas, Political Analysis 25(1), 2017",
            details={
                "stations": sp.stations,
                "observed": sp.observed,
                "expected": sp.expected,
                "sd": sp.sd,
                "z": sp_z,
                "bandwidth": sp.bandwidth,
                "expected_exact": sp.expected_exact,
                "sd_exact": sp.sd_exact,
                "p_monte_carlo": sp.p_value,
            },
        )
    )

    step(STAGES[3])
    fp = fit_fingerprint(turnout, shares[:, j], bootstrap=bootstrap, seed=seed + 3)
    fp_alarm = fp.ci_extreme[0] > 0.005 or fp.ci_incremental[0] >= 0.1
    tests.append(
        TestResult(
            name="fingerprint",
            title="Klimek fraud model: share of stations with incremental / extreme fraud",
            statistic=fp.fraud_fraction,
            null="the fitted model with f_i = f_e = 0 (a fair election with the same spread)",
            p_value=None,
            alarm=False,
            threshold=DESCRIPTIVE
            + "noted when the 95 % interval of f_e is above 0.005 or of f_i at or above 0.10",
            meaning=(
                f"The fingerprint fits f_i = {fp.f_incremental:.2f} "
                f"[{fp.ci_incremental[0]:.2f}, {fp.ci_incremental[1]:.2f}] and f_e = "
                f"{fp.f_extreme:.3f} [{fp.ci_extreme[0]:.3f}, {fp.ci_extreme[1]:.3f}]. Stations "
                "that move together toward high turnout and a high leader's share look like "
                "fraud to this model, but so does honest regional heterogeneity (a region that "
                "votes more and votes for the leader); the interval ignores model error."
            ),
            paper="Klimek, Yegorov, Hanel, Thurner, PNAS 109(41), 2012",
            details={
                "f_incremental": fp.f_incremental,
                "ci_incremental": fp.ci_incremental,
                "f_extreme": fp.f_extreme,
                "ci_extreme": fp.ci_extreme,
                "sigma_x": fp.sigma_x,
                "fair_spread": fp.spread,
                "hellinger_fit": fp.distance,
                "hellinger_clean": fp.distance_clean,
                "bootstrap": fp.bootstrap,
                "noted": bool(fp_alarm),
            },
        )
    )

    step(STAGES[4])
    out = outlier_scores(turnout, shares, j, table.district, table.region, reg)
    sl = turnout_slope(reg, iss, lv)
    tests.append(
        TestResult(
            name="turnout_slope",
            title="Sobyanin-Sukhovolsky slope of the leader's votes on turnout",
            statistic=sl.slope,
            null=f"the leader's mean share ({sl.mean_share:.3f}) if extra turnout split like the rest",
            p_value=None,
            alarm=False,
            threshold=DESCRIPTIVE + "noted when the 95 % interval is above 1",
            meaning=(
                f"Each extra point of turnout brings the leader {sl.slope:.2f} points of the "
                f"electorate [{sl.ci[0]:.2f}, {sl.ci[1]:.2f}] against a mean share of "
                f"{sl.mean_share:.2f}. A slope above the share says high-turnout places favour "
                "the leader, which honest geography can also do; above 1 it is arithmetic "
                "that honest voting cannot produce."
            ),
            paper="Sobyanin and Sukhovolsky (1995), as in Myagkov, Ordeshook, Shakin, The Forensics of Election Fraud (2009)",
            details={
                "slope": sl.slope,
                "se": sl.se,
                "ci": sl.ci,
                "mean_share": sl.mean_share,
                "noted": bool(sl.ci[0] > 1.0),
            },
        )
    )
    asym = joint_asymmetry(out.turnout_z, out.leader_z)
    tests.append(
        TestResult(
            name="joint_outliers",
            title="Stations high on both turnout and leader's share vs low on both",
            statistic=float(asym.up - asym.down),
            null="honest deviations as often both-low as both-high (binomial at 1/2)",
            p_value=asym.p_value,
            alarm=False,
            threshold=(
                DESCRIPTIVE + f"noted when p is below {NOTE_P:g} and more than twice as many are "
                "high as low (honest places can be skewed, so the binomial null is not calibrated)"
            ),
            meaning=(
                f"{asym.up} stations exceed their district by {asym.cut:g} robust sd in both "
                f"turnout and the leader's share, {asym.down} fall below it in both. Added "
                "ballots for the leader fill only the upper corner; an honest local surge of "
                "support for the leader does too, so read the stations."
            ),
            paper="robust z (median, MAD) within districts; corner asymmetry as in the fingerprint of Klimek et al. 2012",
            details={
                "up": asym.up,
                "down": asym.down,
                "cut": asym.cut,
                "noted": bool(asym.p_value < NOTE_P and asym.up > 2 * asym.down),
            },
        )
    )
    tests.append(
        TestResult(
            name="district_outliers",
            title="Stations more than 3 robust sd above their district (turnout or leader)",
            statistic=float(out.stations_over_3),
            null=f"{out.expected_over_3:.0f} if deviations were normal",
            p_value=None,
            alarm=False,
            threshold=DESCRIPTIVE + "real deviations have heavier tails than normal",
            meaning=(
                f"{out.stations_over_3:,} stations stand out from their district by more than 3 "
                "robust standard deviations in turnout or the leader's share. Descriptive: these "
                "are the stations to read first, not a test of the election."
            ),
            paper="robust z (median, MAD); Hampel, JASA 69, 1974",
            details={
                "stations_over_3": out.stations_over_3,
                "normal_expectation": out.expected_over_3,
            },
        )
    )

    # the election-level alarm: Holm over the calibrated tests only
    decided = holm({t.name: t.p_value for t in tests if t.calibrated and t.p_value is not None},
                   alpha)  # fmt: skip
    for t in tests:
        if t.name in decided:
            t.p_adjusted, t.alarm = decided[t.name]

    step(STAGES[5])
    signals = {
        "turnout_outlier": z_signal(out.turnout_z),
        "leader_share_outlier": z_signal(out.leader_z),
        # stuffing moves turnout and the leader's share up together: their sum in z units is
        # the matched direction (it gains 0.01-0.04 AUC over the two alone; bench/RESULTS.md)
        "turnout_and_leader": z_signal(
            (np.nan_to_num(out.turnout_z) + np.nan_to_num(out.leader_z)) / np.sqrt(2.0)
        ),
        # against the whole region: a district where most stations were stuffed looks normal
        # inside itself (bench/RESULTS.md: clustered stuffing AUC 0.89 -> 0.95)
        "region_turnout_and_leader": z_signal(
            (
                np.nan_to_num(_or_zeros(out.region_turnout_z, len(table)))
                + np.nan_to_num(_or_zeros(out.region_leader_z, len(table)))
            )
            / np.sqrt(2.0)
        ),  # fmt: skip
        "district_turnout": z_signal(out.district_turnout_z),
        "district_leader_share": z_signal(out.district_leader_z),
        "whole_percent": hit_signal(h.hit, h.q),
        "share_spike": hit_signal(sp.hit, sp.q),
        "fingerprint": np.clip(0.8 * fp.posterior, 0.0, 1.0),
    }
    score = combine(signals)
    bad = ~np.isfinite(turnout)
    score = np.where(bad, 0.0, score)
    risk = RiskTable(stations=list(table.stations), score=score, signals=signals)
    edges = np.linspace(0.0, 100.0, 101)
    fin_t = turnout[np.isfinite(turnout)]
    fin_s = shares[:, j][np.isfinite(shares[:, j])]
    distributions = {
        "percent_bins": edges,
        "turnout": np.histogram(100 * np.clip(fin_t, 0, 1), bins=edges)[0],
        "leader_share": np.histogram(100 * np.clip(fin_s, 0, 1), bins=edges)[0],
        # rows: turnout bins, columns: leader's-share bins, each 100 / bins points wide
        "fingerprint": fp.histogram.astype(np.int64),
    }
    return ForensicReport(
        source=table.source,
        leader=leader,
        stations=len(table),
        replicates=replicates,
        seed=seed,
        tests=tests,
        alpha=alpha,
        notes=list(table.meta.get("notes", [])),
        risk=risk,
        distributions=distributions,
        extras={
            "heaping": h,
            "digits": (second, last),
            "spikes": sp,
            "fingerprint": fp,
            "outliers": out,
            "slope": sl,
            "shares": shares,
            "turnout": turnout,
            "leader_index": j,
        },  # fmt: skip
    )


def _or_zeros(values: np.ndarray | None, n: int) -> np.ndarray:
    """``values``, or zeros when the measure was not computed."""
    return np.zeros(n) if values is None else values
