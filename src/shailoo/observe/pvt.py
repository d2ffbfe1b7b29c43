"""Parallel vote tabulation (PVT, "quick count"): sample design, estimation, comparison.

Method: National Democratic Institute, *The Quick Count and Election Observation* (Estok,
Nevitte, Cowan, 2002), chapter 5. Observers copy the protocols of a random sample of polling
stations; from them the national shares and turnout are estimated with a known margin of error,
and the official figures are checked against those intervals.

* **Sample size** (NDI ch. 5): voters needed ``n = P(1-P) / (E²/Z² + P(1-P)/N)`` with the worst
  case ``P = 0.5``, wanted margin ``E``, ``Z`` the normal quantile of the confidence and ``N`` the
  number of voters. Polling stations are then ``ceil(n * deff / voters per station)``. Because
  whole stations are sampled (clusters), votes inside one station are correlated and the real
  margin is wider than the voter-level one; ``design_effect`` (``deff``) inflates the sample for
  that (``1 + (m-1)·ρ`` for stations of ``m`` voters with intra-station correlation ``ρ``; it
  is best taken from a previous election's station results). Every estimate reports the margin it
  actually achieved.
* **Stratification** by region, allocation proportional to each region's number of stations
  (largest remainders, at least two per region so that a variance can be estimated), simple
  random sampling without replacement inside each region from a recorded seed.
* **Estimation**: the combined ratio estimator with stations as clusters (Cochran, *Sampling
  Techniques*, 3rd ed., 1977: ch. 6 on ratio estimates, the combined one in stratified samples;
  ch. 9 on cluster sampling): ``R = Σ_h N_h ȳ_h / Σ_h N_h x̄_h`` with the linearised variance
  ``V = Σ_h N_h² (1 - n_h/N_h) s²_{d,h} / n_h / X²`` of the residuals
  ``d = y - R x``. Intervals use Student's t with ``n - H`` degrees of freedom.

Everything here is pure (numpy/scipy over plain values); :mod:`shailoo.observe.service` reads the
sample and the observers' copies from the ledger.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

import numpy as np
from scipy import stats

from shailoo.domain.errors import InputError
from shailoo.domain.model import Protocol, Station

#: lines a share can be computed over
DENOMINATORS = ("ballots_cast", "valid")


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95)."""
    if not 0 < confidence < 1:
        raise InputError(
            "confidence must lie strictly between 0 and 1",
            rule="bad-confidence",
            values={"confidence": confidence},
        )
    return float(stats.norm.ppf(0.5 + confidence / 2))


def voters_needed(
    margin_of_error: float, confidence: float = 0.95, population: int | None = None, p: float = 0.5
) -> int:
    """Voters to sample for a share known within ``margin_of_error`` (NDI ch. 5 formula).

    ``n = P(1-P) / (E²/Z² + P(1-P)/N)``; ``population`` ``N`` (voters) ``None`` means infinite.
    """
    if not 0 < margin_of_error < 1:
        raise InputError(
            "margin of error must lie strictly between 0 and 1 (0.02 means 2 points)",
            rule="bad-margin",
            values={"margin_of_error": margin_of_error},
        )
    z = z_value(confidence)
    pq = p * (1 - p)
    finite = 0.0 if not population else pq / population
    return math.ceil(pq / (margin_of_error**2 / z**2 + finite))


def design_effect_from(
    protocols: Sequence[Protocol], parties: Sequence[str], denominator: str = "ballots_cast"
) -> float:
    """The design effect of sampling whole stations, measured on a previous election's results.

    For each party, the variance of its share estimated from a random sample of stations (ratio
    estimator, residuals ``d = y - P x``) divided by the variance from a random sample of as many
    voters, ``P(1-P)/n``: ``deff = s²_d / (x̄ · P(1-P))``. The largest over the parties is
    returned (at least 1), so that every party's share meets the wanted margin.
    """
    if len(protocols) < 2:
        raise InputError(
            "need at least two stations to measure a design effect", rule="pvt-too-few"
        )
    x = np.array([_denominator(p, denominator) for p in protocols], dtype=float)
    total = float(x.sum())
    if total <= 0:
        raise InputError("no votes to measure a design effect on", rule="pvt-too-few")
    worst = 1.0
    for party in parties:
        y = np.array([p.votes.get(party, 0) for p in protocols], dtype=float)
        share = float(y.sum()) / total
        if not 0 < share < 1:
            continue
        s2 = float((y - share * x).var(ddof=1))
        worst = max(worst, s2 / (float(x.mean()) * share * (1 - share)))
    return worst


def _allocate(sizes: Mapping[str, int], total: int, minimum: int) -> dict[str, int]:
    """Proportional allocation by largest remainders, at least ``minimum`` (capped by size)."""
    population = sum(sizes.values())
    total = min(total, population)
    floor = {h: min(minimum, n) for h, n in sizes.items()}
    if total <= sum(floor.values()):
        return floor
    quota = {h: Fraction(total * n, population) for h, n in sizes.items()}
    alloc = {h: max(floor[h], min(sizes[h], int(q))) for h, q in quota.items()}
    # Hand out what is left by largest remainder, never above a stratum's size.
    while sum(alloc.values()) < total:
        open_ = [h for h in sizes if alloc[h] < sizes[h]]
        best = max(open_, key=lambda h: (quota[h] - alloc[h], sizes[h], h))
        alloc[best] += 1
    while sum(alloc.values()) > total:
        over = [h for h in sizes if alloc[h] > floor[h]]
        worst = min(over, key=lambda h: (quota[h] - alloc[h], -sizes[h], h))
        alloc[worst] -= 1
    return alloc


@dataclass(frozen=True)
class PvtDesign:
    """A PVT sample: which stations, and the strata they represent.

    ``strata`` maps a region to its number of stations in the election (``N_h``); the sampled
    stations of each region are found through ``region_of``. Recorded in the ledger as
    ``pvt.designed`` (numbers as decimal strings: payloads hold no floats).
    """

    sample: tuple[str, ...]
    margin_of_error: float
    confidence: float
    seed: int
    strata: Mapping[str, int]
    region_of: Mapping[str, str]
    voters_needed: int
    design_effect: float = 1.0
    expected_turnout: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "strata", MappingProxyType(dict(self.strata)))
        object.__setattr__(self, "region_of", MappingProxyType(dict(self.region_of)))

    def allocation(self) -> dict[str, int]:
        """Sampled stations per region."""
        out = dict.fromkeys(self.strata, 0)
        for s in self.sample:
            out[self.region_of[s]] += 1
        return out

    def to_payload(self) -> dict[str, object]:
        """The ``pvt.designed`` payload (contract keys plus additive ones)."""
        return {
            "sample": list(self.sample),
            "margin_of_error": repr(self.margin_of_error),
            "confidence": repr(self.confidence),
            "seed": self.seed,
            "strata": dict(self.strata),
            "region_of": {s: self.region_of[s] for s in self.sample},
            "voters_needed": self.voters_needed,
            "design_effect": repr(self.design_effect),
            "expected_turnout": repr(self.expected_turnout),
        }

    @classmethod
    def from_payload(
        cls, payload: Mapping[str, object], stations: Sequence[Station] = ()
    ) -> PvtDesign:
        """Rebuild a design from its payload; ``stations`` fill strata a minimal payload lacks."""
        sample = [str(s) for s in payload["sample"]]  # type: ignore[attr-defined]
        region_of = {str(k): str(v) for k, v in dict(payload.get("region_of") or {}).items()}  # type: ignore[call-overload]
        strata = {str(k): int(v) for k, v in dict(payload.get("strata") or {}).items()}  # type: ignore[call-overload]
        if stations:
            by_id = {s.id: s for s in stations}
            for sid in sample:
                if sid not in region_of and sid in by_id:
                    region_of[sid] = by_id[sid].region
            if not strata:
                for s in stations:
                    strata[s.region] = strata.get(s.region, 0) + 1
        return cls(
            sample=tuple(sample),
            margin_of_error=float(str(payload["margin_of_error"])),
            confidence=float(str(payload["confidence"])),
            seed=int(str(payload["seed"])),
            strata=strata,
            region_of=region_of,
            voters_needed=int(str(payload.get("voters_needed", 0))),
            design_effect=float(str(payload.get("design_effect", "1.0"))),
            expected_turnout=float(str(payload.get("expected_turnout", "1.0"))),
        )


def design_sample(
    stations: Sequence[Station],
    margin_of_error: float,
    *,
    confidence: float = 0.95,
    seed: int = 0,
    design_effect: float = 1.0,
    expected_turnout: float = 1.0,
    min_per_region: int = 2,
) -> PvtDesign:
    """Draw a PVT sample stratified by region, its size from the wanted margin of error.

    Voters needed follow :func:`voters_needed` over the expected voters of the election
    (registered × ``expected_turnout``); stations needed are that times ``design_effect`` divided
    by the expected voters per station, allocated to regions in proportion to their stations.
    The draw is reproducible from ``seed``.
    """
    if not stations:
        raise InputError("the election has no stations to sample", rule="no-stations")
    if design_effect < 1 or not 0 < expected_turnout <= 1:
        raise InputError(
            "design effect must be at least 1 and expected turnout in (0, 1]",
            rule="bad-design",
            values={"design_effect": design_effect, "expected_turnout": expected_turnout},
        )
    voters = sum(s.registered for s in stations) * expected_turnout
    n_voters = voters_needed(margin_of_error, confidence, max(1, round(voters)))
    per_station = max(1.0, voters / len(stations))
    n_stations = min(len(stations), math.ceil(n_voters * design_effect / per_station))
    by_region: dict[str, list[str]] = {}
    for s in stations:
        by_region.setdefault(s.region, []).append(s.id)
    sizes = {h: len(ids) for h, ids in by_region.items()}
    alloc = _allocate(sizes, n_stations, min_per_region)
    rng = np.random.default_rng(seed)
    sample: list[str] = []
    region_of: dict[str, str] = {}
    for h in sorted(by_region):
        ids = sorted(by_region[h])
        picked = rng.choice(len(ids), size=alloc[h], replace=False)
        for i in sorted(int(k) for k in picked):
            sample.append(ids[i])
            region_of[ids[i]] = h
    return PvtDesign(
        sample=tuple(sample),
        margin_of_error=margin_of_error,
        confidence=confidence,
        seed=seed,
        strata=sizes,
        region_of=region_of,
        voters_needed=n_voters,
        design_effect=design_effect,
        expected_turnout=expected_turnout,
    )


@dataclass(frozen=True)
class Interval:
    """An estimated ratio with its confidence interval; ``margin`` is the half-width."""

    line: str
    estimate: float
    low: float
    high: float
    margin: float
    standard_error: float

    def contains(self, value: float) -> bool:
        """True when ``value`` lies in the closed interval."""
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, object]:
        """JSON shape (floats rounded to 6 decimals)."""
        return {
            "line": self.line,
            "estimate": round(self.estimate, 6),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "margin": round(self.margin, 6),
            "standard_error": round(self.standard_error, 6),
        }


@dataclass(frozen=True)
class PvtEstimate:
    """National shares (by party, over ``denominator``) and turnout estimated from the sample."""

    shares: Mapping[str, Interval]
    turnout: Interval
    denominator: str
    confidence: float
    sampled: int
    reported: int
    missing: tuple[str, ...]
    #: degrees of freedom of the t quantile (reporting stations minus regions)
    df: int = 1_000_000

    def to_dict(self) -> dict[str, object]:
        """JSON shape."""
        return {
            "denominator": self.denominator,
            "confidence": self.confidence,
            "stations_sampled": self.sampled,
            "stations_reported": self.reported,
            "missing": list(self.missing),
            "turnout": self.turnout.to_dict(),
            "shares": {p: i.to_dict() for p, i in self.shares.items()},
        }


def _denominator(p: Protocol, denominator: str) -> int:
    if denominator == "ballots_cast":
        return p.ballots_cast
    if denominator == "valid":
        return p.valid
    raise InputError(
        "unknown share denominator", rule="bad-denominator", values={"denominator": denominator}
    )


def _ratio_interval(
    line: str,
    y: np.ndarray,
    x: np.ndarray,
    strata: np.ndarray,
    sizes: Mapping[str, int],
    t: float,
) -> Interval:
    """Combined stratified ratio estimate of ``Σy/Σx`` with its linearised variance."""
    y_hat = 0.0
    x_hat = 0.0
    groups: dict[str, np.ndarray] = {}
    for h in np.unique(strata):
        mask = strata == h
        groups[str(h)] = mask
        n_h = sizes[str(h)]
        y_hat += n_h * float(y[mask].mean())
        x_hat += n_h * float(x[mask].mean())
    if x_hat <= 0:
        return Interval(line, math.nan, math.nan, math.nan, math.nan, math.nan)
    r = y_hat / x_hat
    d = y - r * x
    var = 0.0
    for h, mask in groups.items():
        n = int(mask.sum())
        big_n = sizes[h]
        if n < 2 or n >= big_n:
            # One station gives no variance estimate; a fully counted region has none.
            continue
        s2 = float(d[mask].var(ddof=1))
        var += big_n**2 * (1 - n / big_n) * s2 / n
    se = math.sqrt(var) / x_hat
    return Interval(line, r, r - t * se, r + t * se, t * se, se)


def estimate(
    design: PvtDesign,
    copies: Mapping[str, Protocol],
    parties: Sequence[str],
    *,
    denominator: str = "ballots_cast",
) -> PvtEstimate:
    """Estimate national party shares and turnout from the observers' copies of sampled stations.

    ``copies`` maps station id to the observer's protocol; stations of the sample without a copy
    are listed as missing and left out (their region's estimate then rests on the others, which
    assumes they are missing at random within the region). Copies of stations outside the sample
    are ignored: only a random sample supports an interval.
    """
    reported = [s for s in design.sample if s in copies]
    missing = tuple(s for s in design.sample if s not in copies)
    if len(reported) < 2:
        raise InputError(
            "too few sampled stations have an observer's copy to estimate anything",
            rule="pvt-too-few",
            values={"reported": len(reported), "sampled": len(design.sample)},
        )
    strata = np.array([design.region_of[s] for s in reported])
    protocols = [copies[s] for s in reported]
    x = np.array([_denominator(p, denominator) for p in protocols], dtype=float)
    cast = np.array([p.ballots_cast for p in protocols], dtype=float)
    registered = np.array([p.registered for p in protocols], dtype=float)
    df = max(1, len(reported) - len(set(strata.tolist())))
    t = float(stats.t.ppf(0.5 + design.confidence / 2, df))
    sizes = dict(design.strata)
    shares = {
        party: _ratio_interval(
            party,
            np.array([p.votes.get(party, 0) for p in protocols], dtype=float),
            x,
            strata,
            sizes,
            t,
        )
        for party in parties
    }
    turnout = _ratio_interval("turnout", cast, registered, strata, sizes, t)
    return PvtEstimate(
        shares=shares,
        turnout=turnout,
        denominator=denominator,
        confidence=design.confidence,
        sampled=len(design.sample),
        reported=len(reported),
        missing=missing,
        df=df,
    )


@dataclass(frozen=True)
class Comparison:
    """An official national figure against the PVT interval.

    ``distance`` is how far the official value lies outside the interval (0 inside); positive
    above the interval, negative below it.
    """

    line: str
    official: float
    estimate: float
    low: float
    high: float
    #: the interval widened for the number of figures compared at once (Bonferroni)
    adjusted_low: float = math.nan
    adjusted_high: float = math.nan

    @property
    def outside_adjusted(self) -> bool:
        """True when the official figure falls outside even the family-wise interval.

        With 17 figures each at 95 %, a clean election shows at least one figure outside its
        own interval more often than not (1 - 0.95^17 = 58 %); the Bonferroni interval keeps
        that chance for the whole set at or below 5 %.
        """
        return not self.adjusted_low <= self.official <= self.adjusted_high

    @property
    def outside(self) -> bool:
        """True when the official figure falls outside the PVT interval."""
        return not self.low <= self.official <= self.high

    @property
    def distance(self) -> float:
        """Signed distance from the interval (0 inside it)."""
        if self.official > self.high:
            return self.official - self.high
        if self.official < self.low:
            return self.official - self.low
        return 0.0

    def to_dict(self) -> dict[str, object]:
        """JSON shape."""
        return {
            "line": self.line,
            "official": round(self.official, 6),
            "estimate": round(self.estimate, 6),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "outside": self.outside,
            "distance": round(self.distance, 6),
            "adjusted_low": round(self.adjusted_low, 6),
            "adjusted_high": round(self.adjusted_high, 6),
            "outside_adjusted": self.outside_adjusted,
        }


def official_ratios(
    protocols: Sequence[Protocol], parties: Sequence[str], denominator: str = "ballots_cast"
) -> dict[str, float]:
    """National official shares per party and ``turnout`` from the official protocols."""
    den = sum(_denominator(p, denominator) for p in protocols)
    cast = sum(p.ballots_cast for p in protocols)
    registered = sum(p.registered for p in protocols)
    out = {
        party: (sum(p.votes.get(party, 0) for p in protocols) / den if den else math.nan)
        for party in parties
    }
    out["turnout"] = cast / registered if registered else math.nan
    return out


def compare(est: PvtEstimate, official: Mapping[str, float]) -> list[Comparison]:
    """Each official ratio (party shares and ``turnout``) against its PVT interval.

    Besides each figure's own interval, every comparison carries the Bonferroni interval for
    the ``k`` figures compared together (t quantile at ``1 - (1 - confidence) / (2k)``), for an
    election-level verdict that does not cry wolf because many figures were looked at.
    """
    lines = [
        (line, i) for line, i in [*est.shares.items(), ("turnout", est.turnout)] if line in official
    ]
    k = max(1, len(lines))
    alpha = 1 - est.confidence
    t_adj = float(stats.t.ppf(1 - alpha / (2 * k), est.df))
    out: list[Comparison] = []
    for line, interval in lines:
        half = t_adj * interval.standard_error
        out.append(
            Comparison(
                line,
                float(official[line]),
                interval.estimate,
                interval.low,
                interval.high,
                interval.estimate - half,
                interval.estimate + half,
            )
        )
    return out
