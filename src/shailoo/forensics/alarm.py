"""The election-level alarm: calibrated tests only, Holm-corrected at a stated family-wise level.

Only tests whose null distribution is calibrated (exact, or resampled from the election's own
counts) may raise the alarm: whole-percent heaping (exact Poisson-binomial null of Kobak et al.
2016), the two digit tests (resampled nulls) and the share spikes (resampled smoothed null).
Descriptive measures (district outliers, the turnout slope, the corner asymmetry, the Klimek fit)
have no null that honest heterogeneity cannot break: they feed the station scores and the
summary, never the alarm.

Several tests at once: the family-wise error rate is held at :data:`FAMILY_ALPHA` with Holm's
step-down procedure (Holm, "A simple sequentially rejective multiple test procedure",
Scandinavian Journal of Statistics 6(2), 1979), which is valid under any dependence between the
tests and never less powerful than Bonferroni.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: family-wise error rate of the election-level alarm (probability of any false alarm on a
#: clean election, if every calibrated null holds)
FAMILY_ALPHA = 0.01


def holm(
    p_values: Mapping[str, float], alpha: float = FAMILY_ALPHA
) -> dict[str, tuple[float, bool]]:
    """Holm's step-down procedure: ``name -> (adjusted p, rejected)`` at family-wise ``alpha``.

    Adjusted p-values are ``max_{j <= i} min(1, (m - j + 1) p_(j))`` over the sorted p-values; a
    test is rejected when its adjusted p is at most ``alpha``. NaN p-values count as 1.
    """
    items = [(k, 1.0 if (v is None or math.isnan(v)) else float(v)) for k, v in p_values.items()]
    items.sort(key=lambda kv: kv[1])
    m = len(items)
    out: dict[str, tuple[float, bool]] = {}
    running = 0.0
    for i, (name, p) in enumerate(items):
        running = max(running, min(1.0, (m - i) * p))
        out[name] = (running, running <= alpha)
    return out


def normal_tail(observed: float, mean: float, sd: float) -> float:
    """Upper-tail p of a count against a null of known mean and sd (continuity-corrected normal).

    The whole-percent and spike nulls are sums of independent Bernoulli indicators (Poisson-
    binomial) over thousands of stations, whose exact mean and variance are known; the normal
    tail with a half-count continuity correction is then accurate far beyond Monte-Carlo
    resolution (1 / (replicates + 1)).
    """
    if sd <= 0:
        return 1.0 if observed <= mean else 0.0
    z = (observed - 0.5 - mean) / sd
    return 0.5 * math.erfc(z / math.sqrt(2.0))
