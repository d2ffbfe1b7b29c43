"""Observers on a real ledger (SQLite): scope, incidents, evidence, reconciliation, PVT, view."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shailoo.domain.errors import InputError, NotFound, Refused
from shailoo.domain.events import (
    DECISION_MADE,
    DECISION_REVOKED,
    ELECTION_DEFINED,
    PROTOCOL_RECORDED,
)
from shailoo.domain.model import Protocol
from shailoo.intake.protocols import protocol_payload as intake_payload
from shailoo.ledger import Store
from shailoo.observe import service
from shailoo.observe.evidence_store import EvidenceStore, evidence_dir_for
from shailoo.observe.observers import Observer
from shailoo.observe.pvt import official_ratios
from shailoo.observe.view import evidence, render
from shailoo.simulate import simulate_election


def protocol_payload(p: Protocol) -> dict[str, Any]:
    """The ledger payload of a protocol, as intake builds it (votes in the protocol's order)."""
    return intake_payload(p, list(p.votes))


def record(store: Store, eid: str, protocols: list[Protocol], author: str = "op") -> None:
    """Append protocols straight to the ledger (the intake adds its checks on top of this)."""
    store.append(eid, [(PROTOCOL_RECORDED, protocol_payload(p), author) for p in protocols])


@pytest.fixture
def sim_store(ledger: Store) -> Iterator[tuple[Store, str, object]]:
    """A 60-station simulated election with 20 % of protocols rewritten, on each backend."""
    sim = simulate_election(60, seed=4, rewritten=0.2, election_id="obs-test")
    ledger.append(sim.election_id, [(ELECTION_DEFINED, sim.election.to_payload(), "cec")])
    record(ledger, sim.election_id, sim.protocols)
    yield ledger, sim.election_id, sim


DAY = date(2020, 10, 4)


def _obs(station_ids: list[str], districts: tuple[str, ...] | list[str] = ()) -> Observer:
    return Observer.create(
        "kloop-1",
        "Kloop",
        "Aida A.",
        stations=station_ids,
        districts=districts,
        valid_from="2020-10-01",
        valid_to="2020-10-10",
    )


def test_accreditation_is_recorded_and_unknown_scope_refused(sim_store) -> None:  # type: ignore[no-untyped-def]
    store, eid, sim = sim_store
    first = sim.station_ids[0]
    service.accredit(store, eid, _obs([first]), "cec")
    assert service.observers(store, eid)["kloop-1"].stations == {first}
    with pytest.raises(InputError, match="scope names"):
        service.accredit(store, eid, _obs(["NOPE"]), "cec")
    with pytest.raises(InputError, match="scope"):
        Observer.create("x", "o", "n", valid_from="2020-10-01", valid_to="2020-10-02")
    with pytest.raises(InputError, match="ends before"):
        Observer.create(
            "x", "o", "n", stations=["a"], valid_from="2020-10-02", valid_to="2020-10-01"
        )


def test_observer_outside_scope_is_refused_naming_observer_station_and_scope(sim_store) -> None:  # type: ignore[no-untyped-def]
    store, eid, sim = sim_store
    inside, outside = sim.station_ids[0], sim.station_ids[-1]
    service.accredit(store, eid, _obs([inside]), "cec")
    kwargs = dict(category="vote-buying", description="cash at the door", author="kloop-1")
    with pytest.raises(Refused) as err:
        service.report_incident(
            store, eid, station=outside, time="2020-10-04T10:00", observer_id="kloop-1", **kwargs
        )
    msg = str(err.value)
    assert "kloop-1" in msg and outside in msg and inside in msg and "2020-10-10" in msg
    with pytest.raises(Refused, match="not accredited on 2020-10-11"):
        service.report_incident(
            store, eid, station=inside, time="2020-10-11T10:00", observer_id="kloop-1", **kwargs
        )
    with pytest.raises(Refused, match="not accredited in election"):
        service.report_incident(
            store, eid, station=inside, time="2020-10-04", observer_id="ghost", **kwargs
        )
    # within scope it is accepted; district scope covers every station of the district
    service.report_incident(
        store, eid, station=inside, time="2020-10-04T10:00", observer_id="kloop-1", **kwargs
    )
    district = sim.election.stations[-1].district
    wide = replace(_obs([], [district]), id="kloop-2")
    service.accredit(store, eid, wide, "cec")
    service.report_incident(
        store, eid, station=outside, time="2020-10-04", observer_id="kloop-2", **kwargs
    )
    assert len(service.incidents(store, eid)) == 2


def test_incident_with_evidence_and_commission_response(sim_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, eid, sim = sim_store
    station = sim.station_ids[3]
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg, but bytes are bytes")
    ev = EvidenceStore(evidence_dir_for(str(tmp_path / "e.db")))
    assert ev.root == tmp_path / "e.db.evidence"
    inc = service.report_incident(
        store,
        eid,
        station=station,
        category="Carousel voting",
        time="2020-10-04T14:30",
        description="same group voted twice",
        author="citizen",
        files=[photo],
        evidence=ev,
    )
    assert inc.category == "carousel-voting" and inc.status == "reported"
    [item] = inc.evidence
    assert item["name"] == "photo.jpg" and ev.verify(item["sha256"])
    assert (ev.root / item["sha256"]).read_bytes() == photo.read_bytes()
    with pytest.raises(Refused, match="already reported"):
        service.report_incident(
            store,
            eid,
            station=station,
            category="carousel-voting",
            time="2020-10-04T14:30",
            description="same group voted twice",
            author="citizen",
        )
    service.update_incident(
        store, eid, inc.id, status="under review", response="DEC asked", author="cec"
    )
    done = service.update_incident(
        store,
        eid,
        inc.id,
        status="confirmed",
        response="Confirmed; ballots set aside",
        author="cec",
    )
    assert done.status == "confirmed" and done.response == "Confirmed; ballots set aside"
    assert [h.status for h in done.history] == ["under-review", "confirmed"]
    with pytest.raises(InputError, match="unknown incident status"):
        service.update_incident(store, eid, inc.id, status="lost", response="", author="cec")
    with pytest.raises(NotFound):
        service.update_incident(store, eid, "I-nope", status="confirmed", response="", author="x")
    with pytest.raises(InputError, match="category"):
        service.report_incident(
            store,
            eid,
            station=station,
            category="rumour",
            time="2020-10-04",
            description="x",
            author="a",
        )
    # tampering with a stored file is detected
    (ev.root / item["sha256"]).write_bytes(b"swapped")
    assert not ev.verify(item["sha256"])


def test_every_rewritten_station_is_disputed_with_its_lines_until_resolved(sim_store) -> None:  # type: ignore[no-untyped-def]
    store, eid, sim = sim_store
    rewritten = {s for s, kinds in sim.truth.items() if "rewritten" in kinds}
    assert rewritten
    copies = [replace(p, source="observer:kloop-1") for p in sim.true_protocols]
    record(store, eid, copies, author="kloop-1")
    rec = service.reconcile(store, eid)
    disputed = {s for s, r in rec.items() if r.disputed}
    assert disputed == rewritten
    official = {p.station: p for p in sim.protocols}
    true = {p.station: p for p in sim.true_protocols}
    for sid in rewritten:
        [comparison] = rec[sid].comparisons
        lines = {d.line for d in comparison.differences}
        assert lines == {k for k, v in official[sid].counts().items() if true[sid].counts()[k] != v}
        for d in comparison.differences:
            assert (d.a, d.b) == (official[sid].counts()[d.line], true[sid].counts()[d.line])
    sid = sorted(rewritten)[0]
    with pytest.raises(NotFound, match="no protocol from 'machine'"):
        service.resolve(store, eid, sid, "machine", "machine tape", "cec")
    service.resolve(store, eid, sid, "observer:kloop-1", "recount confirmed the copy", "cec")
    after = service.reconcile(store, eid)
    assert not after[sid].disputed and after[sid].resolved_by == "observer:kloop-1"
    # a copy filed after the resolution reopens the dispute
    record(store, eid, [replace(true[sid], source="machine")])
    assert service.reconcile(store, eid)[sid].disputed
    view = evidence(store, eid, sid)
    assert view["reconciliation"]["disputed"] and "observer:kloop-1" in view["sources"]
    assert "DISPUTED" in render(view)


def test_pvt_design_is_recorded_and_estimates_from_observer_copies(sim_store) -> None:  # type: ignore[no-untyped-def]
    store, eid, sim = sim_store
    with pytest.raises(NotFound, match="no PVT sample"):
        service.current_design(store, eid)
    d = service.design_pvt(store, eid, 0.05, "kloop", seed=3, design_effect=4)
    assert service.current_design(store, eid) == d
    true = {p.station: p for p in sim.true_protocols}
    record(store, eid, [replace(true[s], source="observer:kloop-1") for s in d.sample])
    report = service.pvt_report(store, eid)
    assert report.estimate.reported == len(d.sample) and not report.estimate.missing
    assert {c.line for c in report.comparisons} == {*sim.party_ids, "turnout"}
    assert report.to_dict()["outside"] == [c.line for c in report.comparisons if c.outside]
    # the official side is what the tally counts: here every official protocol
    assert report.official == pytest.approx(official_ratios(sim.protocols, sim.party_ids))


def test_evidence_view_gathers_everything(sim_store) -> None:  # type: ignore[no-untyped-def]
    store, eid, sim = sim_store
    sid = sim.station_ids[5]
    service.report_incident(
        store,
        eid,
        station=sid,
        category="procedural",
        time="2020-10-04",
        description="late opening",
        author="cec-staff",
    )
    view = evidence(store, eid, sid)
    assert view["station"]["id"] == sid
    assert view["official"]["registered"] == sim.protocols[5].registered
    assert view["incidents"][0]["category"] == "procedural"
    assert view["decisions"] == [] and view["pvt_sample"] is False
    assert "late opening" in render(view)
    with pytest.raises(NotFound):
        evidence(store, eid, "NOPE")


def test_lower_bounds_dispute_only_official_figures_below_them(sim_store) -> None:  # type: ignore[no-untyped-def]
    store, eid, sim = sim_store
    rewritten = {s for s, kinds in sim.truth.items() if "rewritten" in kinds}
    clean = [s for s in sim.station_ids if s not in rewritten][:3]
    official = {p.station: p for p in sim.protocols}
    party = sim.party_ids[1]
    service.accredit(store, eid, _obs(clean[:2]), "cec")
    low, high = clean[0], clean[1]
    events = service.record_lower_bounds(
        store,
        eid,
        "kloop-1",
        [
            {"station": low, "minimum": {party: official[low].votes[party]}},  # equal: fine
            {"station": high, "minimum": {party: official[high].votes[party] + 7}},
        ],
        "kloop-1",
        on=DAY,
        note="photographed ballots",
    )
    assert len(events) == 2 and events[1].payload["minimum"] == {
        party: official[high].votes[party] + 7
    }
    rec = service.reconcile(store, eid)
    assert not rec[low].disputed
    assert rec[high].disputed and rec[high].lines == (party,)
    [s] = rec[high].shortfalls["observer:kloop-1"]
    assert (s.official, s.missing) == (official[high].votes[party], 7)
    view = evidence(store, eid, high)
    assert view["lower_bounds"]["observer:kloop-1"][party] == official[high].votes[party] + 7
    assert "proven minimum" in render(view)
    # the same bounds again add nothing; outside the scope, unknown lines, negatives refused
    again = [{"station": high, "minimum": {party: official[high].votes[party] + 7}}]
    assert service.record_lower_bounds(store, eid, "kloop-1", again, "k", on=DAY) == []
    with pytest.raises(Refused, match=clean[2]):
        service.record_lower_bounds(
            store,
            eid,
            "kloop-1",
            [{"station": clean[2], "minimum": {party: 1}}],
            "k",
            on=DAY,
        )
    with pytest.raises(InputError, match="not a protocol line"):
        service.record_lower_bounds(
            store,
            eid,
            "kloop-1",
            [{"station": low, "minimum": {"nobody": 1}}],
            "k",
            on=DAY,
        )
    with pytest.raises(InputError, match="non-negative"):
        service.record_lower_bounds(
            store,
            eid,
            "kloop-1",
            [{"station": low, "minimum": {party: -1}}],
            "k",
            on=DAY,
        )
    # the commission's resolution ends the dispute
    service.resolve(
        store, eid, high, "official", "recount: photographs were of spoilt ballots", "cec"
    )
    assert not service.reconcile(store, eid)[high].disputed


def test_evidence_view_lists_decisions_over_the_station_and_its_units(sim_store) -> None:  # type: ignore[no-untyped-def]
    store, eid, sim = sim_store
    st = sim.election.stations[7]
    other = next(s for s in sim.election.stations if s.district != st.district)

    def decision(did: str, level: str, uid: str) -> tuple[str, dict[str, object], str]:
        return (
            DECISION_MADE,
            {
                "decision_id": did,
                "action": "annul",
                "unit": {"level": level, "id": uid},
                "reason": f"annul {level}",
                "legal_basis": {"article": "art. 42", "text": "illustrative"},
                "vote": {"for": 9, "against": 2, "abstained": 1},
                "date": "2020-10-06",
            },
            "cec",
        )

    store.append(
        eid,
        [
            decision("D1", "district", st.district),
            decision("D2", "district", other.district),
            decision("D3", "election", ""),
            (
                DECISION_REVOKED,
                {
                    "decision_id": "D4",
                    "revokes": "D1",
                    "reason": "recount",
                    "legal_basis": {"article": "", "text": ""},
                    "vote": {"for": 7, "against": 5, "abstained": 0},
                    "date": "2020-10-07",
                },
                "cec",
            ),
        ],
    )
    view = evidence(store, eid, st.id)
    by_id = {d["decision_id"]: d for d in view["decisions"]}
    assert set(by_id) == {"D1", "D3"}
    assert by_id["D1"]["revoked_by"] == "D4" and by_id["D3"]["revoked_by"] is None
    text = render(view)
    assert "D1 annul district" in text and "(revoked by D4)" in text
