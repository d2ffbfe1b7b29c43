"""The evidence about one polling station, gathered in one view.

Everything the ledger knows about a station that bears on whether its result holds: the official
protocol and every version of it, the other sources (second entry, machine, observers) and how
they differ line by line, incidents and their status, the commission's decisions over the station
or any unit containing it, whether the station is in the PVT sample, and its forensic risk when
the forensics layer can compute one. Shown by ``shailoo evidence STATION [--json]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from shailoo.domain.errors import NotFound
from shailoo.domain.events import (
    DECISION_MADE,
    DECISION_REVOKED,
    INCIDENT_REPORTED,
    INCIDENT_UPDATED,
    OBSERVATION_RECORDED,
    PVT_DESIGNED,
    RECONCILIATION_RESOLVED,
    Event,
)
from shailoo.domain.model import Protocol, Station
from shailoo.ledger import Store
from shailoo.observe import service
from shailoo.observe.incidents import project_incidents

INCIDENT_KINDS = (INCIDENT_REPORTED, INCIDENT_UPDATED)
#: the kinds the view reads in one pass
VIEW_KINDS = (
    *INCIDENT_KINDS,
    DECISION_MADE,
    DECISION_REVOKED,
    PVT_DESIGNED,
    RECONCILIATION_RESOLVED,
    OBSERVATION_RECORDED,
)


def _ordered(p: Protocol, party_ids: Sequence[str]) -> dict[str, int]:
    """A protocol's lines with the parties in ballot order (the ledger stores them sorted)."""
    counts = p.counts()
    parties = [*party_ids, *sorted(k for k in p.votes if k not in party_ids)]
    base = {k: v for k, v in counts.items() if k not in p.votes}
    return {**base, **{k: counts[k] for k in parties if k in p.votes}}


def _covers(unit: Mapping[str, Any], station: Station) -> bool:
    level, uid = str(unit.get("level", "")), str(unit.get("id", ""))
    return (
        level == "election"
        or (level == "station" and uid == station.id)
        or (level == "district" and uid == station.district)
        or (level == "region" and uid == station.region)
    )


def decisions_for(events: Iterable[Event], station: Station) -> list[dict[str, Any]]:
    """Decisions over the station or a unit containing it, each marked revoked or in force."""
    made: dict[str, dict[str, Any]] = {}
    for e in events:
        p = dict(e.payload)
        if e.kind == DECISION_MADE and _covers(p.get("unit") or {}, station):
            made[str(p["decision_id"])] = {
                **p,
                "author": e.author,
                "recorded_at": e.recorded_at,
                "revoked_by": None,
            }
        elif e.kind == DECISION_REVOKED and str(p.get("revokes")) in made:
            made[str(p["revokes"])]["revoked_by"] = p.get("decision_id")
    return list(made.values())


#: Monte-Carlo replicates of the forensic nulls in the evidence view (a quick look; the full
#: battery is ``shailoo forensics``)
RISK_REPLICATES = 200


def forensic_risk(store: Store, election_id: str, station_id: str) -> dict[str, Any] | None:
    """The station's forensic risk score and the signals that raised it, when available.

    Runs the forensic battery (:func:`shailoo.forensics.battery.run`, fixed seed 0,
    :data:`RISK_REPLICATES` replicates) on the protocols the tally counts. None when the
    station has no counted protocol or the battery cannot score this election (too few
    stations, no votes): the rest of the evidence must not depend on it.
    """
    from shailoo.domain.errors import ShailooError
    from shailoo.forensics.battery import run
    from shailoo.forensics.table import StationTable
    from shailoo.tally.service import load_tally

    tally = load_tally(store, election_id)
    stations = tally.election.stations
    protocols = [p for s in stations if (p := tally.counted_protocol(s.id)) is not None]
    if not any(p.station == station_id for p in protocols):
        return None
    try:
        report = run(
            StationTable.from_protocols(protocols, stations),
            replicates=RISK_REPLICATES,
            seed=0,
            bootstrap=20,
        )
    except (ShailooError, ValueError):
        return None
    risk = report.risk.station(station_id)
    rank = int((report.risk.score > risk.score).sum()) + 1
    return {
        "score": round(risk.score, 4),
        "rank": rank,
        "of": len(protocols),
        "leader": report.leader,
        "raised": list(risk.raised),
        "signals": {k: round(v, 4) for k, v in risk.signals.items()},
        "replicates": RISK_REPLICATES,
    }


def risk_from_scores(path: str | Path, station_id: str) -> dict[str, Any] | None:
    """The station's row of a scores file written by ``shailoo forensics --scores FILE.csv``.

    Columns ``station, risk``, one per signal, and ``raised`` (signal names joined by ``;``).
    None when the station is not in the file.
    """
    import csv

    from shailoo.domain.errors import InputError

    file = Path(path)
    try:
        fh = open(file, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(
            f"cannot read the scores file: {exc.strerror}", file=str(file), rule="unreadable"
        ) from None
    with fh:
        try:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            if "station" not in header or "risk" not in header:
                raise InputError(
                    "a scores file needs 'station' and 'risk' columns",
                    file=str(file),
                    line=1,
                    rule="missing-column",
                )
            signals = [c for c in header if c not in ("station", "risk", "raised")]
            rows = [row for row in reader if row["station"] == station_id]
        except UnicodeDecodeError as exc:
            # 'shailoo forensics --scores' writes UTF-8; anything else is not its file
            raise InputError(
                f"the scores file is not UTF-8 (byte 0x{exc.object[exc.start]:02X})",
                file=str(file),
                rule="encoding",
            ) from None
    if not rows:
        return None
    row = rows[0]
    try:
        return {
            "score": float(row["risk"]),
            "raised": [x for x in (row.get("raised") or "").split(";") if x],
            "signals": {k: float(row[k]) for k in signals if row.get(k) not in (None, "")},
            "source": str(file),
        }
    except ValueError:
        raise InputError(
            "a risk or signal value is not a number",
            file=str(file),
            rule="not-a-number",
            values={"station": station_id},
        ) from None


def evidence(
    store: Store,
    election_id: str,
    station_id: str,
    *,
    compute_risk: bool = False,
    risk_scores: str | Path | None = None,
) -> dict[str, Any]:
    """Everything known about one station, as JSON-ready data.

    The forensic risk comes from ``risk_scores`` (a ``shailoo forensics --scores`` file) when
    given, else is computed now when ``compute_risk`` (seconds on a large election), else is
    left out (``None``) so that the view stays fast.
    """
    election = store.election(election_id)
    station = next((s for s in election.stations if s.id == station_id), None)
    if station is None:
        raise NotFound(f"no station {station_id!r} in election {election_id!r}")
    versions = service.current_versions(
        store, election_id, [station_id], party_ids=election.party_ids
    ).get(station_id, {})
    official = versions.get("official")
    # One pass over the events that are not protocols (protocols come through the index).
    events = list(store.events(election_id, kinds=VIEW_KINDS))
    resolution = service.project_resolutions(events).get(station_id)
    bounds = service.project_lower_bounds(events).get(station_id, {})
    rec = service.reconcile_versions(versions, resolution, bounds) if versions or bounds else None
    history = store.protocol_history(election_id, station_id)
    found = project_incidents(e for e in events if e.kind in INCIDENT_KINDS)
    in_sample = False
    for e in events:
        if e.kind == PVT_DESIGNED:
            in_sample = station_id in (e.payload.get("sample") or ())
    order = election.party_ids
    risk: dict[str, Any] | None = None
    if risk_scores is not None:
        risk = risk_from_scores(risk_scores, station_id)
    elif compute_risk:
        risk = forensic_risk(store, election_id, station_id)
    return {
        "election_id": election_id,
        "party_names": {p.id: p.name for p in election.parties},
        "station": {
            "id": station.id,
            "region": station.region,
            "district": station.district,
            "registered": station.registered,
        },
        "official": None
        if official is None
        else {**_ordered(official[0], order), "seq": official[1]},
        "sources": {
            src: {**_ordered(p, order), "seq": seq, "entered_by": p.entered_by}
            for src, (p, seq) in sorted(versions.items())
            if src != "official"
        },
        "lower_bounds": {
            src: {**dict(b.minimum), "seq": seq} for src, (b, seq) in sorted(bounds.items())
        },
        "reconciliation": None if rec is None else rec.to_dict(),
        "resolution": None
        if resolution is None
        else {
            "accepted_source": resolution.accepted_source,
            "reason": resolution.reason,
            "author": resolution.author,
            "recorded_at": resolution.recorded_at,
        },
        "history": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "source": e.payload.get("source"),
                "author": e.author,
                "recorded_at": e.recorded_at,
                "reason": e.payload.get("reason"),
            }
            for e in history
        ],
        "incidents": [i.to_dict() for i in found.values() if i.station == station_id],
        "decisions": decisions_for(events, station),
        "pvt_sample": in_sample,
        "forensic_risk": risk,
    }


#: how the protocol's lines read in the text view
LINE_NAMES = {
    "ballots_received": "received",
    "ballots_issued": "issued",
    "ballots_cast": "cast",
    "against_all": "against all",
}


def render(view: Mapping[str, Any]) -> str:
    """The evidence view as readable text for the terminal."""
    st = view["station"]
    names = {**LINE_NAMES, **view.get("party_names", {})}

    def numbers(row: Mapping[str, Any], prefix: str = "") -> str:
        # people read party names and grouped thousands, not ids and raw integers
        return ", ".join(
            f"{names.get(k, k)} {prefix}{v:,}" if isinstance(v, int) else f"{names.get(k, k)} {v}"
            for k, v in row.items()
            if k not in ("seq", "entered_by")
        )

    out = [
        f"Station {st['id']}  region {st['region']}  district {st['district']}  "
        f"registered {st['registered']:,}",
    ]
    official = view["official"]
    if official is None:
        out.append("Official protocol: none recorded")
    else:
        out.append(f"Official protocol (event {official['seq']}): {numbers(official)}")
    for src, counts in view["sources"].items():
        out.append(f"Source {src} (event {counts['seq']})")
    for src, minimum in view["lower_bounds"].items():
        out.append(f"Lower bound from {src} (event {minimum['seq']}): {numbers(minimum, '>= ')}")
    rec = view["reconciliation"]
    if rec is not None:
        state = "DISPUTED" if rec["disputed"] else ("resolved" if rec["differing"] else "agree")
        out.append(f"Reconciliation: {state}")
        for c in rec["comparisons"]:
            for d in c["differences"]:
                out.append(
                    f"  {names.get(d['line'], d['line'])}: official {d['a']}  {c['source']} {d['b']}"
                )
        for src, shortfalls in rec["shortfalls"].items():
            for x in shortfalls:
                out.append(
                    f"  {names.get(x['line'], x['line'])}: official {x['official']} below {src}'s proven minimum "
                    f"{x['minimum']} (at least {x['missing']} missing)"
                )
    if view["resolution"]:
        r = view["resolution"]
        out.append(f"Resolved: accepted {r['accepted_source']} ({r['reason']}) by {r['author']}")
    out.append(f"Protocol versions: {len(view['history'])}")
    incidents = view["incidents"]
    out.append(f"Incidents: {len(incidents)}")
    for i in incidents:
        out.append(
            f"  {i['incident_id']} {i['category']} {i['time']} [{i['status']}] {i['description']}"
        )
        if i["response"]:
            out.append(f"    commission: {i['response']}")
        for ev in i["evidence"]:
            out.append(f"    evidence {ev['name']} sha256 {ev['sha256']}")
    decisions = view["decisions"]
    out.append(f"Decisions: {len(decisions)}")
    for d in decisions:
        unit = d.get("unit") or {}
        revoked = f" (revoked by {d['revoked_by']})" if d.get("revoked_by") else ""
        out.append(
            f"  {d.get('decision_id')} {d.get('action')} {unit.get('level')} {unit.get('id', '')}"
            f": {d.get('reason', '')}{revoked}"
        )
    out.append(f"In the PVT sample: {'yes' if view['pvt_sample'] else 'no'}")
    risk = view["forensic_risk"]
    if risk is None:
        out.append(
            "Forensic risk: not shown (use --risk, or --risk-scores FILE from "
            "'shailoo forensics --scores')"
        )
    else:
        raised = ", ".join(risk["raised"]) or "no signal above its threshold"
        where = (
            f" (rank {risk['rank']} of {risk['of']}, leader {names.get(risk['leader'], risk['leader'])})"
            if "rank" in risk
            else f" (from {risk.get('source')})"
        )
        out.append(
            f"Forensic risk: {risk['score']:.2f}{where}; raised by: {raised}. A score flags a "
            "station to look at; it is not a finding of fraud."
        )
    return "\n".join(out)
