"""What the forensic battery returns: election-level tests and per-station risk."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class TestResult:
    """One election-level test.

    ``statistic`` is the number the test is about, ``null`` says what it was compared with,
    ``p_value`` is None for descriptive measures, ``meaning`` is one plain sentence of what the
    result means and does not mean, ``alarm`` whether it crosses the threshold stated in
    ``threshold``. Only ``calibrated`` tests (an exact or resampled null) can raise the alarm,
    at the Holm-adjusted p-value ``p_adjusted``; descriptive measures never do.
    """

    __test__ = False  # not a pytest test class

    name: str
    title: str
    statistic: float
    null: str
    p_value: float | None
    meaning: str
    alarm: bool
    threshold: str
    details: dict[str, Any] = field(default_factory=dict)
    paper: str = ""
    calibrated: bool = False
    p_adjusted: float | None = None

    @property
    def noted(self) -> bool:
        """A descriptive measure crossed its stated note threshold (never an alarm)."""
        return bool(self.details.get("noted", False))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out: dict[str, Any] = _clean(
            {
                "name": self.name,
                "title": self.title,
                "statistic": self.statistic,
                "null": self.null,
                "p_value": self.p_value,
                "p_adjusted": self.p_adjusted,
                "calibrated": self.calibrated,
                "alarm": self.alarm,
                "threshold": self.threshold,
                "meaning": self.meaning,
                "paper": self.paper,
                "details": self.details,
            }
        )
        return out


@dataclass
class StationRisk:
    """Risk of one station: the score, every signal's value and the signals that raised it."""

    station: str
    score: float
    signals: dict[str, float]
    raised: list[str]


@dataclass
class RiskTable:
    """Per-station risk scores in [0, 1] and the signals behind them (arrays, one per station)."""

    stations: list[str]
    score: np.ndarray
    signals: dict[str, np.ndarray]
    raise_at: float = 0.5

    def raised(self, i: int) -> list[str]:
        """Names of the signals of station ``i`` at or above :attr:`raise_at`, strongest first."""
        vals = [(name, float(v[i])) for name, v in self.signals.items()]
        return [n for n, v in sorted(vals, key=lambda kv: -kv[1]) if v >= self.raise_at]

    def station(self, station_id: str) -> StationRisk:
        """The risk of one station by id (KeyError if unknown)."""
        i = self._index()[station_id]
        return StationRisk(
            station=station_id,
            score=float(self.score[i]),
            signals={k: float(v[i]) for k, v in self.signals.items()},
            raised=self.raised(i),
        )

    def by_station(self) -> dict[str, StationRisk]:
        """Every station's risk, by station id."""
        return {sid: self.station(sid) for sid in self.stations}

    def top(self, k: int = 10) -> list[StationRisk]:
        """The ``k`` highest-risk stations."""
        order = np.argsort(-self.score, kind="stable")[:k]
        return [self.station(self.stations[i]) for i in order.tolist()]

    def _index(self) -> dict[str, int]:
        if not hasattr(self, "_idx"):
            self._idx = {s: i for i, s in enumerate(self.stations)}
        return self._idx

    def write_csv(self, path: str | Path) -> None:
        """Write ``station,risk`` then one column per signal (values in [0, 1])."""
        names = list(self.signals)
        cols = [np.round(self.signals[n], 4).tolist() for n in names]
        score = np.round(self.score, 4).tolist()
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["station", "risk", *names, "raised"])
            for i, sid in enumerate(self.stations):
                w.writerow([sid, score[i], *(c[i] for c in cols), ";".join(self.raised(i))])


@dataclass
class ForensicReport:
    """The result of :func:`shailoo.forensics.run`."""

    source: str
    leader: str
    stations: int
    replicates: int
    seed: int
    tests: list[TestResult]
    risk: RiskTable
    extras: dict[str, Any] = field(default_factory=dict)
    #: turnout and leader's-share histograms (1-point bins) and the 2-D fingerprint, for display
    distributions: dict[str, Any] = field(default_factory=dict)
    #: family-wise error rate of the election-level alarm (Holm over the calibrated tests)
    alpha: float = 0.01
    #: what the reader had to assume about the input (missing lines, empty stations)
    notes: list[str] = field(default_factory=list)

    @property
    def alarm(self) -> bool:
        """True if a calibrated test is rejected by Holm's procedure at :attr:`alpha`."""
        return any(t.alarm for t in self.tests if t.calibrated)

    @property
    def alarm_rule(self) -> str:
        """One sentence: which tests could raise the election-level alarm, and at what level."""
        names = ", ".join(t.name for t in self.tests if t.calibrated)
        return (
            f"only tests with a calibrated null ({names}) can raise the election-level alarm, "
            f"Holm-corrected to a family-wise error rate of {self.alpha:g}; the others are "
            "descriptive and inform the station scores"
        )

    def test(self, name: str) -> TestResult:
        """The test called ``name``."""
        for t in self.tests:
            if t.name == name:
                return t
        raise KeyError(name)

    def to_dict(self, stations: bool = True) -> dict[str, Any]:
        """JSON-ready dict; ``stations`` adds every station's risk and signals."""
        out: dict[str, Any] = {
            "source": self.source,
            "leader": self.leader,
            "stations": self.stations,
            "replicates": self.replicates,
            "seed": self.seed,
            "alarm": self.alarm,
            "alpha": self.alpha,
            "alarm_rule": self.alarm_rule,
            "alarm_tests": [t.name for t in self.tests if t.calibrated],
            "notes": list(self.notes),
            "tests": [t.to_dict() for t in self.tests],
            "distributions": self.distributions,
        }
        if stations:
            names = list(self.risk.signals)
            out["risk"] = [
                {
                    "station": sid,
                    "risk": round(float(self.risk.score[i]), 4),
                    "signals": {n: round(float(self.risk.signals[n][i]), 4) for n in names},
                    "raised": self.risk.raised(i),
                }
                for i, sid in enumerate(self.risk.stations)
            ]
        cleaned: dict[str, Any] = _clean(out)
        return cleaned

    def to_json(self, stations: bool = True, indent: int | None = 2) -> str:
        """The report as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(stations=stations), indent=indent, ensure_ascii=False)

    def summary(self) -> str:
        """A readable multi-line summary for the terminal."""
        lines = [
            f"Forensic tests on {self.stations:,} stations ({self.source}); party under test: "
            f"{self.leader}; {self.replicates} Monte-Carlo replicates, seed {self.seed}.",
            "",
        ]
        for note in self.notes:
            lines.append(f"Note: {note}.")
        if self.notes:
            lines.append("")
        for t in self.tests:
            p = "" if t.p_value is None else f", p = {_fmt_p(t.p_value)}"
            if t.p_adjusted is not None:
                p += f" (Holm {_fmt_p(t.p_adjusted)})"
            if t.calibrated:
                flag = "ALARM" if t.alarm else "quiet"
            else:
                flag = "note " if t.noted else "info "
            lines.append(f"[{flag}] {t.title}: {_fmt(t.statistic)}{p}")
            lines.append(f"        {t.meaning}")
        lines.append("")
        top = self.risk.top(5)
        lines.append("Highest-risk stations (statistics flag; people decide):")
        for r in top:
            lines.append(
                f"  {r.station}: risk {r.score:.2f} ({', '.join(r.raised) or 'no single strong signal'})"
            )
        lines.append("")
        lines.append(
            "Election-level alarm: "
            + ("yes: " + ", ".join(t.name for t in self.tests if t.alarm) if self.alarm else "none")
        )
        lines.append(f"  ({self.alarm_rule}.)")
        return "\n".join(lines)


def _fmt(x: float) -> str:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return str(x)
    return f"{x:,.4g}" if abs(x) < 1e5 else f"{x:,.0f}"


def _fmt_p(p: float) -> str:
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.1e}"


def _clean(x: Any) -> Any:
    """numpy scalars and arrays to plain Python; NaN to None (JSON has no NaN)."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return _clean(x.tolist())
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        f = float(x)
        return None if math.isnan(f) or math.isinf(f) else f
    return x
