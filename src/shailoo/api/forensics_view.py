"""The forensic checks as the site shows them: summary per test, top-risk stations, station risk.

The battery (:func:`shailoo.forensics.run`) costs seconds, not milliseconds, so the site runs it
once per ledger head when the forensics page is asked for, and station pages show the risk of the
latest run with the ledger position it was computed at (statistics flag; people decide).
"""

from __future__ import annotations

import threading
from typing import Any

from shailoo.ledger import Store
from shailoo.tally.projection import Tally

#: Monte-Carlo replicates for the site (the CLI's default is higher; 200 keeps a page quick)
REPLICATES = 200
SEED = 0

_lock = threading.Lock()
#: latest report per election: ``{election_id: (seq, report)}``
_latest: dict[str, tuple[int, Any]] = {}


def compute(tally: Tally) -> Any | None:
    """Run the battery on the tally's counted protocols (None if too few or not installed)."""
    try:
        from shailoo.forensics import StationTable, run
    except ImportError:  # pragma: no cover - forensics layer absent
        return None
    protocols = list(tally.current_protocols())
    if len(protocols) < 30:  # the tests need a population of stations to compare
        return None
    table = StationTable.from_protocols(protocols, tally.election.stations)
    report = run(table, replicates=REPLICATES, seed=SEED)
    with _lock:
        _latest[tally.election.id] = (tally.head_seq, report)
    return report


def latest(election_id: str) -> tuple[int, Any] | None:
    """The newest report computed for the election in this process, with its ledger seq."""
    with _lock:
        return _latest.get(election_id)


def page(report: Any | None, tally: Tally) -> dict[str, Any]:
    """The forensics page data from a report."""
    if report is None:
        return {
            "available": False,
            "message": "Too few counted protocols for the statistical tests, or the forensic "
            "layer is not installed.",
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
        "summary": [
            {
                "name": t["name"],
                "title": t["title"],
                "statistic": _fmt(t["statistic"]),
                "null": t["null"],
                "p_value": None if t["p_value"] is None else f"{t['p_value']:.3g}",
                "meaning": t["meaning"],
                "flag": t["alarm"],
                "threshold": t["threshold"],
                "paper": t["paper"],
            }
            for t in data["tests"]
        ],
        "figures": [],
        "top_stations": [
            {"station": r.station, "risk": r.score, "signals": r.raised}
            for r in report.risk.top(25)
        ],
    }


def station_risk(election_id: str, station_id: str) -> dict[str, Any] | None:
    """The station's risk from the latest report, with the ledger seq it was computed at."""
    found = latest(election_id)
    if found is None:
        return None
    seq, report = found
    try:
        r = report.risk.station(station_id)
    except KeyError:
        return None
    return {"risk": r.score, "signals": r.raised, "values": r.signals, "computed_at_seq": seq}


def summary_lines(store: Store, election_id: str) -> list[str] | None:
    """The battery's readable summary for the terminal (the demo prints it)."""
    from shailoo.tally.service import load_tally

    report = compute(load_tally(store, election_id))
    return None if report is None else str(report.summary()).splitlines()


def _fmt(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{v:,.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
