"""The forensic checks as the site shows them: summary per test, top-risk stations, station risk.

The battery (:func:`shailoo.forensics.run`) costs seconds, not milliseconds, so a site runs it
once per ledger head when the forensics page is asked for, and station pages show the risk of the
latest run with the ledger position it was computed at (statistics flag; people decide). Each
site (one database) keeps its own :class:`ForensicsCache`.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

from shailoo.ledger import Store
from shailoo.tally.projection import Tally

#: Monte-Carlo replicates for the site (the CLI's default is higher; 200 keeps a page quick)
REPLICATES = 200
SEED = 0
#: the tests need a population of stations to compare
MIN_STATIONS = 30

#: figure titles by the names :func:`shailoo.forensics.figures.write_figures` gives them
TITLES = {
    "fingerprint": "Election fingerprint: turnout against the leader's share (Klimek et al. 2012)",
}


class ForensicsCache:
    """The latest forensic report of each election of one database, its table and figures."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[int, Any, Any]] = {}
        self._figures: dict[str, dict[str, bytes]] = {}

    def compute(self, tally: Tally) -> Any | None:
        """Run the battery on the tally's counted protocols (None when too few)."""
        from shailoo.forensics import StationTable, run

        with self._lock:
            found = self._latest.get(tally.election.id)
        if found is not None and found[0] == tally.head_seq:
            return found[1]
        protocols = list(tally.current_protocols())
        if len(protocols) < MIN_STATIONS:
            return None
        table = StationTable.from_protocols(protocols, tally.election.stations)
        report = run(table, replicates=REPLICATES, seed=SEED)
        with self._lock:
            self._latest[tally.election.id] = (tally.head_seq, report, table)
            self._figures.pop(tally.election.id, None)
        return report

    def figures(self, election_id: str) -> dict[str, bytes]:
        """The SVG figures of the latest report (fingerprint, histograms, digits), drawn once."""
        from shailoo.forensics.figures import write_figures

        with self._lock:
            found = self._latest.get(election_id)
            done = self._figures.get(election_id)
        if done is not None:
            return done
        if found is None:
            return {}
        with tempfile.TemporaryDirectory() as tmp:
            written = write_figures(found[1], found[2], tmp)
            out = {name: Path(paths["svg"]).read_bytes() for name, paths in written.items()
                   if "svg" in paths}  # fmt: skip
        with self._lock:
            self._figures[election_id] = out
        return out

    def station_risk(self, election_id: str, station_id: str) -> dict[str, Any] | None:
        """The station's risk from the latest report, with the ledger seq it was computed at."""
        with self._lock:
            found = self._latest.get(election_id)
        if found is None:
            return None
        seq, report, _table = found
        try:
            r = report.risk.station(station_id)
        except KeyError:
            return None
        return {"risk": r.score, "signals": r.raised, "values": r.signals, "computed_at_seq": seq}

    def page(self, tally: Tally) -> dict[str, Any]:
        """The forensics page data at the tally's head."""
        report = self.compute(tally)
        if report is None:
            return {
                "available": False,
                "message": f"The statistical tests need at least {MIN_STATIONS} counted protocols.",
                "summary": [],
                "figures": [],
                "top_stations": [],
            }
        names = {p.id: p.name for p in tally.election.parties}
        data = report.to_dict(stations=False)
        return {
            "available": True,
            "message": None,
            "computed_at_seq": tally.head_seq,
            "leader": report.leader,
            "leader_name": names.get(report.leader, report.leader),
            "replicates": report.replicates,
            "seed": report.seed,
            "alarm": report.alarm,
            "alarm_rule": report.alarm_rule,
            "summary": [
                {
                    "name": t["name"],
                    "title": t["title"],
                    "statistic": _fmt(t["statistic"]),
                    "null": t["null"],
                    "p_value": None if t["p_value"] is None else f"{t['p_value']:.3g}",
                    "meaning": t["meaning"],
                    "flag": t["alarm"],
                    # descriptive measures never raise the alarm; one past its mark is a note
                    "noted": bool((t.get("details") or {}).get("noted", False)),
                    "calibrated": bool(t.get("calibrated", False)),
                    "threshold": t["threshold"],
                    "paper": t["paper"],
                }
                for t in data["tests"]
            ],
            "figures": [
                {
                    "name": name,
                    "title": TITLES.get(name, name.replace("_", " ").capitalize()),
                    "href": f"/forensics/figure/{name}.svg",
                }
                for name in self.figures(tally.election.id)
            ],  # fmt: skip
            "top_stations": [
                {"station": r.station, "risk": r.score, "signals": r.raised}
                for r in report.risk.top(25)
            ],
        }


def summary_lines(store: Store, election_id: str) -> list[str] | None:
    """The battery's readable summary for the terminal (the demo prints it)."""
    from shailoo.tally.service import load_tally

    report = ForensicsCache().compute(load_tally(store, election_id))
    return None if report is None else str(report.summary()).splitlines()


def _fmt(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{v:,.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
