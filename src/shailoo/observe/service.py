"""Observer actions on the ledger: accreditation, incidents, copies, reconciliation, PVT.

This is the thin layer between the pure modules of :mod:`shailoo.observe` and the ledger store
(:func:`shailoo.ledger.open_store`). Each write is one event (or one batch) appended to the
election's chain; each read is a projection of the events. Scope is checked before anything an
observer files is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from shailoo.checks.reconcile import LowerBound, StationReconciliation, reconcile_station
from shailoo.domain.errors import InputError, NotFound, Refused
from shailoo.domain.events import (
    INCIDENT_REPORTED,
    INCIDENT_UPDATED,
    OBSERVATION_RECORDED,
    OBSERVER_ACCREDITED,
    PVT_DESIGNED,
    RECONCILIATION_RESOLVED,
    Event,
)
from shailoo.domain.model import Election, Protocol, Station, is_valid_source
from shailoo.intake import RecordResult
from shailoo.ledger import Store
from shailoo.observe.evidence_store import EvidenceStore
from shailoo.observe.incidents import (
    Incident,
    check_category,
    check_status,
    find,
    incident_id,
    project_incidents,
)
from shailoo.observe.observers import Observer, parse_date
from shailoo.observe.pvt import (
    Comparison,
    PvtDesign,
    PvtEstimate,
    compare,
    design_effect_from,
    design_sample,
    estimate,
    official_ratios,
)
from shailoo.tally.counting import protocol_from_payload


def today() -> date:
    """Today's date in UTC (the date an observer files something)."""
    return datetime.now(UTC).date()


def _station(election: Election, station_id: str) -> Station:
    for s in election.stations:
        if s.id == station_id:
            return s
    raise NotFound(f"no station {station_id!r} in election {election.id!r}")


def _stations(election: Election) -> dict[str, Station]:
    return {s.id: s for s in election.stations}


# ----- observers ---------------------------------------------------------------------------


def observers(store: Store, election_id: str) -> dict[str, Observer]:
    """Accredited observers by id (a later accreditation of the same id replaces the earlier)."""
    out: dict[str, Observer] = {}
    for e in store.events(election_id, kinds=[OBSERVER_ACCREDITED]):
        o = Observer.from_payload(e.payload)
        out[o.id] = o
    return out


def observer(store: Store, election_id: str, observer_id: str) -> Observer:
    """One accredited observer; :class:`Refused` when the id is not accredited."""
    found = observers(store, election_id).get(observer_id)
    if found is None:
        raise Refused(f"observer {observer_id!r} is not accredited in election {election_id!r}")
    return found


def accredit(store: Store, election_id: str, obs: Observer, author: str) -> Event:
    """Record an accreditation; every station and district in its scope must exist."""
    election = store.election(election_id)
    known = _stations(election)
    districts = {s.district for s in election.stations}
    bad = sorted(s for s in obs.stations if s not in known)
    bad += sorted(f"district {d}" for d in obs.districts if d not in districts)
    if bad:
        raise InputError(
            "scope names stations or districts the election does not have",
            column="scope",
            rule="unknown-scope",
            values={"observer_id": obs.id, "unknown": ", ".join(bad[:10])},
        )
    return store.append(election_id, [(OBSERVER_ACCREDITED, obs.to_payload(), author)])[0]


# ----- incidents ---------------------------------------------------------------------------


def incidents(store: Store, election_id: str, *, station: str | None = None) -> dict[str, Incident]:
    """Current incidents by id, optionally of one station."""
    found = project_incidents(
        store.events(election_id, kinds=[INCIDENT_REPORTED, INCIDENT_UPDATED])
    )
    if station is None:
        return found
    return {k: v for k, v in found.items() if v.station == station}


def report_incident(
    store: Store,
    election_id: str,
    *,
    station: str,
    category: str,
    time: str,
    description: str,
    author: str,
    observer_id: str | None = None,
    files: Sequence[str | Path] = (),
    evidence: EvidenceStore | None = None,
) -> Incident:
    """Report an incident; store its evidence files by hash and put the hashes in the ledger.

    An incident filed by an observer is checked against the observer's scope on the date of
    ``time`` (ISO date or date-time). Filing the same report twice is refused.
    """
    election = store.election(election_id)
    st = _station(election, station)
    cat = check_category(category)
    when = parse_date(time, "time")
    if not description.strip():
        raise InputError("an incident needs a description", column="description", rule="empty")
    if observer_id is not None:
        observer(store, election_id, observer_id).check(st, when)
    iid = incident_id(station, time, description, observer_id)
    if iid in incidents(store, election_id):
        raise Refused(f"incident {iid} was already reported (same station, time and text)")
    if files and evidence is None:
        raise InputError("evidence files given but no evidence directory", rule="no-evidence-dir")
    stored = [evidence.put(f) for f in files] if evidence is not None else []
    payload: dict[str, Any] = {
        "incident_id": iid,
        "observer_id": observer_id,
        "station": station,
        "category": cat,
        "time": time,
        "description": description,
        "evidence": stored,
    }
    store.append(election_id, [(INCIDENT_REPORTED, payload, author)])
    return incidents(store, election_id)[iid]


def update_incident(
    store: Store, election_id: str, iid: str, *, status: str, response: str, author: str
) -> Incident:
    """Record the commission's handling of an incident: new status and its response."""
    current = find(incidents(store, election_id), iid)
    new = check_status(status)
    if not response.strip():
        # the commission's response is what observers and the public read (issue 6)
        raise InputError(
            "a status change needs the commission's response",
            column="response",
            rule="empty",
            values={"incident": iid, "status": new},
        )
    response = response.strip()
    if current.status in ("confirmed", "dismissed") and new == current.status:
        raise Refused(f"incident {iid} is already {new}")
    payload = {"incident_id": iid, "status": new, "response": response}
    store.append(election_id, [(INCIDENT_UPDATED, payload, author)])
    return incidents(store, election_id)[iid]


# ----- several sources per station ---------------------------------------------------------


def record_observer_copies(
    store: Store,
    election_id: str,
    observer_id: str,
    protocols: Iterable[Protocol],
    author: str,
    *,
    on: date | None = None,
) -> RecordResult:
    """Record an observer's copies of protocols (source ``observer:<id>``), within scope only.

    Every station must be in the observer's scope on ``on`` (today by default); one out of
    scope refuses the whole batch before anything is written. The copies then go through the
    ledger's intake (:func:`shailoo.intake.record_protocols`) with the usual checks, and its
    result is returned.
    """
    from shailoo.intake import record_protocols

    election = store.election(election_id)
    known = _stations(election)
    obs = observer(store, election_id, observer_id)
    day = on or today()
    batch = []
    for p in protocols:
        if p.station not in known:
            raise NotFound(f"no station {p.station!r} in election {election_id!r}")
        obs.check(known[p.station], day)
        batch.append(replace(p, source=obs.source))
    # the accreditation and scope were checked above: the one caller allowed observer sources
    return record_protocols(store, election_id, batch, author, allow_observer_sources=True)


def current_versions(
    store: Store,
    election_id: str,
    stations: Iterable[str] | None = None,
    *,
    party_ids: Sequence[str] | None = None,
) -> dict[str, dict[str, tuple[Protocol, int]]]:
    """Newest protocol of every source of every station: ``station -> source -> (protocol, seq)``.

    Party votes come back in ballot order (the ledger's canonical encoding sorts keys), so that
    differences and views list parties as the ballot does. ``party_ids`` (ballot order) saves
    reading the election definition when the caller has it.
    """
    latest = store.latest_protocols(election_id, None if stations is None else list(stations))
    if party_ids is None:
        party_ids = store.election(election_id).party_ids
    rank = {pid: i for i, pid in enumerate(party_ids)}
    out: dict[str, dict[str, tuple[Protocol, int]]] = {}
    for (station, source), e in latest.items():
        p = protocol_from_payload(e.payload)
        votes = dict(sorted(p.votes.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))
        out.setdefault(station, {})[source] = (replace(p, votes=votes), e.seq)
    return out


#: protocol lines other than the parties' that a lower bound may name
BASE_LINES = (
    "registered",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "invalid",
    "against_all",
)


def record_lower_bounds(
    store: Store,
    election_id: str,
    observer_id: str,
    bounds: Iterable[Mapping[str, Any]],
    author: str,
    *,
    on: date | None = None,
    note: str = "",
) -> list[Event]:
    """Record an observer's lower bounds (``observation.recorded``), within scope only.

    Each item is ``{"station": id, "minimum": {line: int}}``: the smallest value each named
    protocol line can truthfully show (e.g. ballots for a party that voters photographed). A
    bound is not a protocol: it can only show an official figure to be too *low*. Every station
    is checked against the observer's scope on ``on`` (today by default) and every line against
    the election's protocol lines before anything is written; a bound identical to the one
    already recorded for the station is skipped.
    """
    election = store.election(election_id)
    known = _stations(election)
    obs = observer(store, election_id, observer_id)
    day = on or today()
    lines = set(BASE_LINES) | set(election.party_ids)
    current = {
        s: b
        for s, by_src in lower_bounds(store, election_id).items()
        if (b := by_src.get(obs.source)) is not None
    }
    items: list[tuple[str, Mapping[str, Any], str]] = []
    for n, item in enumerate(bounds, start=1):
        sid = str(item["station"])
        if sid not in known:
            raise InputError(
                f"no such station in election {election_id!r}",
                line=n,
                column="station",
                rule="unknown-station",
                values={"station": sid},
            )
        obs.check(known[sid], day)
        minimum: dict[str, int] = {}
        for line, value in dict(item["minimum"]).items():
            if line not in lines:
                raise InputError(
                    "not a protocol line of this election",
                    line=n,
                    column=str(line),
                    rule="unknown-line",
                    values={"station": sid},
                )
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InputError(
                    "a lower bound is a non-negative integer",
                    line=n,
                    column=str(line),
                    rule="not-a-count",
                    values={"station": sid, "value": value},
                )
            minimum[str(line)] = value
        if not minimum:
            continue
        previous = current.get(sid)
        if previous is not None and dict(previous[0].minimum) == minimum:
            continue
        payload = {"station": sid, "source": obs.source, "minimum": minimum, "note": note}
        items.append((OBSERVATION_RECORDED, payload, author))
    return store.append(election_id, items) if items else []


def lower_bounds(store: Store, election_id: str) -> dict[str, dict[str, tuple[LowerBound, int]]]:
    """The newest lower bound of every observer at every station: ``station -> source ->
    (bound, seq)``."""
    return project_lower_bounds(store.events(election_id, kinds=[OBSERVATION_RECORDED]))


def project_lower_bounds(events: Iterable[Event]) -> dict[str, dict[str, tuple[LowerBound, int]]]:
    """The newest bound per station and source among ``events`` (other kinds ignored)."""
    out: dict[str, dict[str, tuple[LowerBound, int]]] = {}
    for e in events:
        if e.kind != OBSERVATION_RECORDED:
            continue
        p = e.payload
        bound = LowerBound(
            str(p["station"]),
            str(p["source"]),
            {str(k): int(v) for k, v in dict(p["minimum"]).items()},
        )
        out.setdefault(bound.station, {})[bound.source] = (bound, e.seq)
    return out


@dataclass(frozen=True)
class Resolution:
    """A ``reconciliation.resolved`` event."""

    station: str
    accepted_source: str
    reason: str
    author: str
    recorded_at: str
    seq: int


def resolutions(store: Store, election_id: str) -> dict[str, Resolution]:
    """The latest resolution per station."""
    return project_resolutions(store.events(election_id, kinds=[RECONCILIATION_RESOLVED]))


def project_resolutions(events: Iterable[Event]) -> dict[str, Resolution]:
    """The latest ``reconciliation.resolved`` per station among ``events`` (others ignored)."""
    out: dict[str, Resolution] = {}
    for e in events:
        if e.kind != RECONCILIATION_RESOLVED:
            continue
        p = e.payload
        out[str(p["station"])] = Resolution(
            str(p["station"]),
            str(p["accepted_source"]),
            str(p.get("reason", "")),
            e.author,
            e.recorded_at,
            e.seq,
        )
    return out


def reconcile_versions(
    by_source: Mapping[str, tuple[Protocol, int]],
    resolution: Resolution | None,
    bounds: Mapping[str, tuple[LowerBound, int]] | None = None,
) -> StationReconciliation:
    """Reconcile one station's newest protocols (``source -> (protocol, seq)``) and bounds.

    The resolution ends the dispute only if it was recorded after the newest copy or bound: a
    copy filed after the commission's resolution reopens it.
    """
    bounds = bounds or {}
    seqs = [seq for _, seq in by_source.values()] + [seq for _, seq in bounds.values()]
    newest = max(seqs, default=0)
    accepted = (
        resolution.accepted_source if resolution is not None and resolution.seq > newest else None
    )
    return reconcile_station(
        [p for p, _ in by_source.values()],
        [b for b, _ in bounds.values()],
        resolved_by=accepted,
    )


def reconcile(
    store: Store, election_id: str, stations: Iterable[str] | None = None
) -> dict[str, StationReconciliation]:
    """Line-by-line reconciliation of every station with more than one source.

    Sources are full copies (protocols) and observers' lower bounds. With ``stations`` given,
    those stations are reconciled even with a single source. A station is disputed while any
    copy differs from the official one, or any official line is below a lower bound, and no
    resolution was recorded after the newest of its copies.
    """
    wanted = None if stations is None else list(stations)
    versions = current_versions(store, election_id, wanted)
    bounds = lower_bounds(store, election_id)
    resolved = resolutions(store, election_id)
    ids = set(versions) | (set(bounds) if wanted is None else set(bounds) & set(wanted))
    out: dict[str, StationReconciliation] = {}
    for station in sorted(ids):
        by_source = versions.get(station, {})
        station_bounds = bounds.get(station, {})
        if len(by_source) + len(station_bounds) < 2 and wanted is None:
            continue
        out[station] = reconcile_versions(by_source, resolved.get(station), station_bounds)
    return out


def resolve(
    store: Store, election_id: str, station: str, accepted_source: str, reason: str, author: str
) -> Event:
    """Record the commission's resolution of a disputed station: which source's copy counts."""
    if not is_valid_source(accepted_source):
        raise InputError(
            "unknown source",
            column="accepted_source",
            rule="bad-source",
            values={"source": accepted_source},
        )
    if not reason.strip():
        raise InputError("a resolution needs a reason", column="reason", rule="empty")
    have = current_versions(store, election_id, [station]).get(station, {})
    if accepted_source not in have:
        raise NotFound(
            f"station {station} has no protocol from {accepted_source!r} "
            f"(sources: {', '.join(sorted(have)) or 'none'})"
        )
    payload = {"station": station, "accepted_source": accepted_source, "reason": reason}
    return store.append(election_id, [(RECONCILIATION_RESOLVED, payload, author)])[0]


# ----- parallel vote tabulation ------------------------------------------------------------


def design_pvt(
    store: Store,
    election_id: str,
    margin_of_error: float,
    author: str,
    *,
    confidence: float = 0.95,
    seed: int = 0,
    design_effect: float = 1.0,
    expected_turnout: float = 1.0,
    replace_reason: str | None = None,
) -> PvtDesign:
    """Draw the PVT sample of the election and record it (``pvt.designed``).

    A second design is refused unless ``replace_reason`` says why: redrawing until a sample
    pleases would defeat the point of a random sample, so every redraw is on record with its
    reason (``replaces_reason`` in the payload) and the report counts the designs.
    """
    election = store.election(election_id)
    earlier = sum(1 for _ in store.events(election_id, kinds=[PVT_DESIGNED]))
    if earlier and not (replace_reason or "").strip():
        raise Refused(
            f"election {election_id!r} already has a PVT design ({earlier} recorded); "
            "a new one replaces it only with a reason (--replace REASON)"
        )
    d = design_sample(
        election.stations,
        margin_of_error,
        confidence=confidence,
        seed=seed,
        design_effect=design_effect,
        expected_turnout=expected_turnout,
    )
    payload = d.to_payload()
    if earlier:
        payload["replaces_reason"] = str(replace_reason)
    store.append(election_id, [(PVT_DESIGNED, payload, author)])
    return d


def design_effect_of_election(store: Store, election_id: str) -> float:
    """The design effect measured on another election's counted protocols (e.g. the previous
    one, or the annulled election before its re-run), for sizing a PVT sample."""
    from shailoo.tally.service import load_tally

    tally = load_tally(store, election_id)
    protocols = [
        p for s in tally.election.stations if (p := tally.counted_protocol(s.id)) is not None
    ]
    return design_effect_from(protocols, tally.election.party_ids)


def current_design(store: Store, election_id: str) -> PvtDesign:
    """The latest recorded PVT design (:class:`NotFound` when none)."""
    last: Event | None = None
    for e in store.events(election_id, kinds=[PVT_DESIGNED]):
        last = e
    if last is None:
        raise NotFound(
            f"no PVT sample designed for election {election_id!r} (run 'shailoo pvt design')"
        )
    return PvtDesign.from_payload(last.payload, store.election(election_id).stations)


@dataclass(frozen=True)
class PvtReport:
    """A PVT estimate and the official figures compared with it.

    ``designs`` is how many sample designs were recorded (more than one means the sample was
    redrawn; each redraw's reason is in the ledger).
    """

    design: PvtDesign
    estimate: PvtEstimate
    official: Mapping[str, float]
    comparisons: tuple[Comparison, ...]
    designs: int = 1

    def to_dict(self) -> dict[str, object]:
        """JSON shape."""
        return {
            "margin_of_error": self.design.margin_of_error,
            "seed": self.design.seed,
            "designs_recorded": self.designs,
            "estimate": self.estimate.to_dict(),
            "comparisons": [c.to_dict() for c in self.comparisons],
            "outside": [c.line for c in self.comparisons if c.outside],
            "outside_adjusted": [c.line for c in self.comparisons if c.outside_adjusted],
        }


def pvt_report(store: Store, election_id: str, *, denominator: str = "ballots_cast") -> PvtReport:
    """Estimate from the observers' copies of the sampled stations and compare with official.

    Where several observers filed a copy of the same sampled station, the newest counts. The
    official figures are the national sums of the protocols the tally counts
    (:func:`shailoo.tally.service.load_tally`).
    """
    design = current_design(store, election_id)
    election = store.election(election_id)
    versions = current_versions(store, election_id, design.sample, party_ids=election.party_ids)
    copies: dict[str, Protocol] = {}
    for sid in design.sample:
        observed = [
            (seq, p)
            for src, (p, seq) in versions.get(sid, {}).items()
            if src.startswith("observer:")
        ]
        if observed:
            copies[sid] = max(observed, key=lambda x: x[0])[1]
    parties = election.party_ids
    est = estimate(design, copies, parties, denominator=denominator)
    # The official figures are what the tally counts (the counting rule: double entry,
    # reconciliation, annulments and re-runs), not merely the newest official entries.
    from shailoo.tally.service import load_tally

    tally = load_tally(store, election_id)
    official_protocols = [
        p for s in election.stations if (p := tally.counted_protocol(s.id)) is not None
    ]
    official = (
        official_ratios(official_protocols, parties, denominator) if official_protocols else {}
    )
    designs = sum(1 for _ in store.events(election_id, kinds=[PVT_DESIGNED]))
    return PvtReport(design, est, official, tuple(compare(est, official)), designs)
